"""The synthetic borough of Northbrook, for the demo, the tests and the benchmarks:
`tellonce seed` and `tellonce export_feeds` (README.md). It computes every due date
through the domains' own functions."""
