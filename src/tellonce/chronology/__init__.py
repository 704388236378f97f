"""The multi-agency chronology: every significant event about a child, from every
agency and from TellOnce itself, with its source. `services.chronology_entry_write` is
the one writer of TellOnce's own entries; every event goes through
`chronology_event_store` (which runs CP-IS); `selectors.chronology_for` reads it, full
access only, audited."""
