"""What goes into the audit log beyond views and searches: refusals and admin changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tellonce.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def test_a_refused_look_is_audited(world, signed_in):
    signed_in(world.ana).get(reverse("people:record", args=[world.jack.pk]))
    event = AuditEvent.objects.get(action=Action.ACCESS_DENIED)
    assert event.actor == world.ana and event.person == world.jack


def test_being_sent_to_the_flag_is_audited(world, signed_in):
    signed_in(world.tom).get(reverse("people:record", args=[world.jack.pk]))
    event = AuditEvent.objects.get(action=Action.ACCESS_DENIED)
    assert event.detail == {"reason": "flag only"}


def test_admin_changes_are_audited(world, signed_in):
    world.adam.is_superuser = True
    world.adam.save()
    client = signed_in(world.adam)
    url = reverse("admin:organisations_team_change", args=[world.early_help.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update({"name": "Early help hub", "agency": world.council.pk, "mash": ""})
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    event = AuditEvent.objects.get(action=Action.ADMIN, actor=world.adam)
    assert event.detail["model"] == "team" and event.detail["change"] == "changed"
    # Field by field, with what it was (issue 12: "the audit entry says only 'changed'").
    assert event.detail["fields"]["name"] == {
        "before": "Early help team",
        "after": "Early help hub",
    }


def test_nothing_can_be_deleted_in_the_admin(world, signed_in):
    world.adam.is_superuser = True
    world.adam.save()
    client = signed_in(world.adam)
    for name, pk in [
        ("organisations_team", world.early_help.pk),
        ("accounts_user", world.sam.pk),
        ("organisations_agency", world.council.pk),
    ]:
        assert client.get(reverse(f"admin:{name}_delete", args=[pk])).status_code == 403
