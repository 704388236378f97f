"""Persons as the partnership knows them: names over time, identifiers (NHS number
and UPN checked in `identifiers`), addresses, households and relationships, and each
agency's own record of a person (`AgencyRecord`). Who may see them is
`tellonce.access`'s; the record page is `tellonce.record`'s."""
