"""Record linkage: knowing that the school's, the GP's and the police's records are
one child. `engine/` (Splink 5 and our own scorer), `services.link_run`, `reconcile`
(stable person ids), `arrivals` (linking on arrival), `review`, `matching`,
`evaluate` (README.md)."""
