"""The top layer: "My work", each user's home page, reading every domain's
worklists through their selectors; aggregates only for analysts."""
