"""Missing children: every episode reaches the police desk, which must acknowledge it;
return home interviews due 72 hours after return, by someone independent of the
child's care, shared in writing; patterns flagged. The rules: `services` (module
docstring)."""
