"""The MASH front door: contacts, cases, screening, requests for information,
decisions and their sign-off, actions, the daily meeting, strategy discussions.
`rules`: which step in which state for which role, and the deadlines; `services`:
the writes; `selectors`: the reads and each object's `<thing>_get_for_user`."""
