"""Test support: the world of named people (`world`), factories, Debian's chromium
through Playwright (`browser`)."""
