"""Operation Encompass: the police record domestic abuse incidents; each child's
school's safeguarding lead is told before the next school day starts (the council too,
or instead, where the rules say); acknowledgement, chasing, escalation, coverage and
figures. The rules: `services` (module docstring, `notification_plans`) and `calendar`."""
