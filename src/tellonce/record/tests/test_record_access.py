"""Need-to-know on the child's record, told as stories about the people in the world."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tellonce.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def test_dana_sees_jacks_record_because_her_school_teaches_him(world, signed_in):
    client = signed_in(world.dana)
    response = client.get(reverse("people:record", args=[world.jack.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Jack Taylor" in page
    assert "943 476 5919" in page  # the NHS number, with its source
    assert "Northbrook Community Health NHS Trust (SystmOne)" in page
    assert "Jack Barnes" in page  # his name at birth, from the name history
    assert "Kerry Taylor" in page and "Mother" in page
    assert "No lead professional has been named for Jack" in page


def test_viewing_a_record_is_audited_with_who_and_from_where(world, signed_in):
    client = signed_in(world.dana)
    client.get(reverse("people:record", args=[world.jack.pk]), REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(action=Action.VIEW, person=world.jack)
    assert event.actor == world.dana
    assert event.channel == "web"
    assert event.ip_address == "10.1.2.3"
    assert event.detail["basis"] == "involved"


def test_tom_uninvolved_police_officer_is_sent_to_the_flag_for_jack(world, signed_in):
    client = signed_in(world.tom)
    response = client.get(reverse("people:record", args=[world.jack.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("people:flag", args=[world.jack.pk])
    flag = client.get(response["Location"]).content.decode()
    assert "Designated safeguarding lead" in flag and "Oakfield Primary School" in flag
    # The flag is who to contact, never the record.
    assert "943 476 5919" not in flag
    assert "Alder House" not in flag
    assert "Kerry" not in flag
    assert not AuditEvent.objects.filter(action=Action.VIEW, person=world.jack).exists()
    assert AuditEvent.objects.filter(
        action=Action.VIEW_FLAG, person=world.jack, actor=world.tom
    ).exists()


def test_tom_sees_amir_in_full_because_amir_is_in_the_mash_work(world, signed_in):
    response = signed_in(world.tom).get(reverse("people:record", args=[world.amir.pk]))
    assert response.status_code == 200
    assert AuditEvent.objects.get(action=Action.VIEW, person=world.amir).detail["basis"] == "mash"


def test_the_flag_names_only_the_agency_for_a_sensitive_involvement(world, signed_in):
    flag = signed_in(world.dana).get(reverse("people:flag", args=[world.amir.pk])).content.decode()
    assert "Northbrook Police" in flag
    assert "Public protection unit" not in flag
    assert "Northbrook MASH" in flag


def test_ana_the_analyst_gets_404_for_any_named_record(world, signed_in):
    client = signed_in(world.ana)
    assert client.get(reverse("people:record", args=[world.jack.pk])).status_code == 404
    assert client.get(reverse("people:flag", args=[world.jack.pk])).status_code == 404


def test_break_glass_opens_the_record_logs_the_reason_and_tells_the_manager(world, signed_in):
    client = signed_in(world.erin)
    url = reverse("access:break-glass", args=[world.amir.pk])
    response = client.post(
        url, {"reason": "Mother rang early help in crisis; need to check risk now"}
    )
    assert response.status_code == 302
    assert client.get(reverse("people:record", args=[world.amir.pk])).status_code == 200
    event = AuditEvent.objects.get(action=Action.BREAK_GLASS, person=world.amir)
    assert event.actor == world.erin and "crisis" in event.reason
    home = signed_in(world.maria).get(reverse("home:home")).content.decode()
    assert "Break-glass access" in home and "Erin Cole" in home and "crisis" in home


def test_break_glass_needs_a_real_reason(world, signed_in):
    client = signed_in(world.erin)
    response = client.post(reverse("access:break-glass", args=[world.amir.pk]), {"reason": "check"})
    assert response.status_code == 200
    assert "at least 20 characters" in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.BREAK_GLASS).exists()


def test_break_glass_expires(world, signed_in, settings):
    from datetime import timedelta

    from django.utils import timezone

    from tellonce.access.models import BreakGlassGrant

    client = signed_in(world.erin)
    client.post(
        reverse("access:break-glass", args=[world.amir.pk]),
        {"reason": "Mother rang early help in crisis; need to check risk now"},
    )
    BreakGlassGrant.objects.update(expires_on=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("people:record", args=[world.amir.pk]))
    assert response.status_code == 302 and response["Location"].endswith("/flag/")


def test_break_glass_access_is_read_only(world, signed_in):
    client = signed_in(world.erin)
    client.post(
        reverse("access:break-glass", args=[world.amir.pk]),
        {"reason": "Mother rang early help in crisis; need to check risk now"},
    )
    response = client.get(reverse("people:identifier-add", args=[world.amir.pk]))
    assert response.status_code == 403


def test_maria_the_mash_manager_sees_who_looked_at_amir(world, signed_in):
    signed_in(world.tom).get(reverse("people:record", args=[world.amir.pk]))
    page = signed_in(world.maria).get(reverse("access:access-log", args=[world.amir.pk]))
    assert page.status_code == 200
    assert "Tom Price" in page.content.decode()


def test_sam_is_not_a_manager_and_cannot_see_the_access_log(world, signed_in):
    response = signed_in(world.sam).get(reverse("access:access-log", args=[world.amir.pk]))
    assert response.status_code == 403


def test_an_id_that_is_not_a_uuid_is_simply_not_found(world):
    from django.http import Http404

    from tellonce.access.selectors import person_get_for_user

    with pytest.raises(Http404):
        person_get_for_user(user=world.sam, person_id="not-a-uuid")
