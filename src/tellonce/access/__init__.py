"""Need-to-know: what a user may see of a person, and every look accounted for.

- `policy`: the levels (full, flag, none) and what opens a record (`access_for`), what
  may change it (`require_change`), the filter listings use (`full_access_filter`).
- `selectors`: `person_get_for_user` and `person_get_in_full`, the one way any page,
  API view or selector finds a person; the access log.
- `services`: breaking the glass. Pages and API: break-glass and the access log.

Why the model is what it is: docs/decisions/0007-need-to-know-access.md."""
