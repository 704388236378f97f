"""Agency feeds: the YAML mapping grammar (`mapping`), imports that check every row,
report and skip the bad ones and land the good (`services.feed_import`), one record
through the API, reported involvements and events (README.md)."""
