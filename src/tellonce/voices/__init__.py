"""Tell it once: the child's voice and the family's account, in their words,
recorded once with the lawful basis for sharing, read by everyone with full access
(`selectors.voices_for`)."""
