"""The linkage module's trained synthetic borough, for intake matching."""

from tellonce.linkage.tests.conftest import linked  # noqa: F401
