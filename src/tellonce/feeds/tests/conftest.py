"""The linkage module's trained synthetic borough, for families arriving through the
agencies' own systems."""

from tellonce.linkage.tests.conftest import linked  # noqa: F401
