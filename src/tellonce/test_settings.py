"""Settings for the test suite: the `test` environment with fast password hashing."""

import os

os.environ["TELLONCE_ENV"] = "test"

from tellonce.settings import *  # noqa: F403

# Argon2 is the production hasher (asserted in tests); tests hash thousands of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
