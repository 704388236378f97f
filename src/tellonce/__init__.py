"""TellOnce: the shared system of a local safeguarding partnership."""
