"""Settings for the test suite: the `test` environment with fast password hashing."""

import os

os.environ["TELLONCE_ENV"] = "test"

from tellonce.settings import *  # noqa: F403

# Argon2 is the production hasher (asserted in tests); tests hash thousands of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The test runner empties tables between browser tests with TRUNCATE, which the audit
# tables refuse unless the session allows it (see audit migration 0003).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = f"{_options.get('options', '')} -c tellonce.allow_audit_truncate=on"

# On SQLite the flush is a DELETE, which the audit tables refuse unless the connection
# says this process may (see audit migration 0006).
AUDIT_TABLES_FLUSHABLE = True

# Rate limits are counted in memory: each test starts with none (see conftest).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.W001"]  # noqa: F405
