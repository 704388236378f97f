"""Every list that shows people's names is a look at them (issue 12): audited with who,
which list and how many people, never the names."""

from __future__ import annotations

import pytest

from tellonce.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db

PAGES = [
    ("dana", "/", "my work"),
    ("dana", "/alerts/", "alerts inbox"),
    ("sam", "/mash/", "MASH queue"),
    ("tom", "/mash/requests/", "requests for information"),
    ("sam", "/mash/actions/", "actions"),
    ("sam", "/mash/meeting/", "MASH meeting"),
    ("tom", "/missing/police/", "police missing inbox"),
    ("dana", "/encompass/", "Operation Encompass notifications"),
    ("sam", "/linkage/review/", "possible matches"),
    ("maria", "/involvements/to-confirm/", "involvements to confirm"),
    ("dana", "/api/v1/alerts/", "alerts inbox"),
    ("sam", "/api/v1/mash/cases/", "MASH queue"),
    ("tom", "/api/v1/requests/", "requests for information"),
    ("sam", "/api/v1/actions/", "actions"),
    ("tom", "/api/v1/missing-episodes/", "missing episodes"),
    ("dana", "/api/v1/encompass/notifications/", "Operation Encompass notifications"),
    ("sam", "/api/v1/linkage/review/", "possible matches"),
    ("maria", "/api/v1/involvements/to-confirm/", "involvements to confirm"),
]


@pytest.mark.parametrize(("who", "path", "listed"), PAGES, ids=[p for _, p, _ in PAGES])
def test_each_list_of_names_is_audited_without_the_names(world, signed_in, who, path, listed):
    response = signed_in(getattr(world, who)).get(path)
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action=Action.VIEW_LIST, actor=getattr(world, who)).last()
    assert event is not None, path
    assert event.detail["list"] == listed
    assert isinstance(event.detail["people"], int)
    assert set(event.detail) == {"list", "people"}


def test_an_alert_that_names_a_child_is_a_look_at_them(world, signed_in):
    from tellonce.alerts.models import Alert, AlertKind

    alert = Alert.objects.create(
        kind=AlertKind.NOW_INVOLVED,
        team=world.oakfield_dsl,
        person=world.jack,
        title="Someone is now involved with Jack Taylor",
        body="…",
        key="test:1",
    )
    Alert.objects.filter(pk=alert.pk).update(delivered_on=alert.created_on)
    signed_in(world.dana).get(f"/alerts/{alert.pk}/")
    look = AuditEvent.objects.filter(action=Action.VIEW, person=world.jack).last()
    assert look is not None and look.actor == world.dana and look.detail == {"what": "alert"}
