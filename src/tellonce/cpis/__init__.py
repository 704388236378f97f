"""CP-IS: a child on a child protection plan or looked after who attends unscheduled
care is known at once to their social worker (`services.cp_is_check`); health
practitioners see the plan and the social worker's contact (`selectors.cp_is_flag`)."""
