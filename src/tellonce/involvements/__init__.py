"""The involvement register: which team works with which person, in what
capacity, since when. `services.involvement_start` is the only writer (one lead
professional per child, also a database constraint) and writes the "now involved"
alerts in the same transaction; the apps above hear through `INVOLVEMENT_CHANGED`. Its
pages and API (a team says it works with a child, or has stopped) are `tellonce.record`'s,
because finding the child needs `tellonce.access`, which sits above the register."""
