"""The linkage module's trained synthetic borough, for families arriving through the
agencies' own systems; and a receiving server for their webhooks."""

from tellonce.alerts.tests.test_webhooks import receiver  # noqa: F401
from tellonce.linkage.tests.conftest import linked  # noqa: F401
