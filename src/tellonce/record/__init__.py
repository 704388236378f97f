"""The person's record as practitioners meet it: the record page (with each
domain's part), search, the flag, identifiers, and the involvement register's pages and
API. `selectors` decide nothing about access: `tellonce.access` does."""
