"""Early help, coordinated: an episode of early help for a child, which opens only when
a named lead professional from any agency has accepted the role and the family has
agreed; the lead handed over without a gap, one per child. The rules: `services`
(module docstring)."""
