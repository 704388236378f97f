"""Erin from early help records that she now works with Jack, from the page or through
the API: Dana at his school and Priya the health visitor are told, Erin is told about
them, and Erin can now open Jack's record. One lead professional per child; an
involvement ends with a date and a reason."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tellonce.alerts.models import Alert, AlertKind
from tellonce.audit.models import AuditEvent
from tellonce.involvements.models import Capacity, Confirmation, Involvement
from tellonce.testing.forms import date_typed

pytestmark = pytest.mark.django_db


def _started() -> date:
    return timezone.localdate() - timedelta(days=2)


def _start(client, world, **fields):
    day = _started()
    data = {
        "capacity": Capacity.EARLY_HELP,
        "date_day": str(day.day),
        "date_month": str(day.month),
        "date_year": str(day.year),
    } | fields
    return client.post(reverse("involvements:start", args=[world.jack.pk]), data)


def test_erin_records_her_work_with_jack_and_everyone_is_told(
    world, signed_in, django_capture_on_commit_callbacks
):
    erin = signed_in(world.erin)
    flag = erin.get(f"/people/{world.jack.pk}/", follow=True).content.decode()
    assert "Record that your team is working with Jack" in flag
    form = erin.get(reverse("involvements:start", args=[world.jack.pk])).content.decode()
    assert "No lead professional is named for Jack." in form

    with django_capture_on_commit_callbacks(execute=True):
        response = _start(erin, world)
    assert response.status_code == 302
    assert response["Location"] == f"/people/{world.jack.pk}/"
    involvement = Involvement.objects.get(team=world.early_help, person=world.jack)
    assert (involvement.practitioner, involvement.capacity) == (world.erin, Capacity.EARLY_HELP)
    assert involvement.started_on == _started()
    assert involvement.recorded_by == world.erin
    told = set(Alert.objects.filter(kind=AlertKind.NOW_INVOLVED).values_list("team", flat=True))
    assert told == {world.oakfield_dsl.pk, world.health_visiting.pk}
    assert Alert.objects.get(kind=AlertKind.ALREADY_INVOLVED).user == world.erin
    assert AuditEvent.objects.filter(detail__change="involvement started").exists()
    # Until someone accountable confirms it, Erin sees who to contact, not the record.
    assert involvement.confirmation == Confirmation.AWAITING
    assert erin.get(f"/people/{world.jack.pk}/")["Location"].endswith("/flag/")
    # Maria, a MASH manager, confirms it: now the record opens in full.
    from tellonce.audit.services import COMMAND_LINE
    from tellonce.involvements.services import involvement_confirm

    involvement_confirm(user=world.maria, involvement=involvement, via=COMMAND_LINE)
    record = erin.get(f"/people/{world.jack.pk}/")
    assert record.status_code == 200 and b"943 476 5919" in record.content


def test_a_missing_or_wrong_answer_is_named(world, signed_in):
    erin = signed_in(world.erin)
    page = erin.post(reverse("involvements:start", args=[world.jack.pk]), {}).content.decode()
    assert "Choose how your team is working with them" in page
    assert "Enter the date you started" in page
    tomorrow = timezone.localdate() + timedelta(days=1)
    page = _start(erin, world, **date_typed("date", tomorrow)).content.decode()
    assert "The date you started must be today or in the past" in page
    page = _start(erin, world, date_day="31", date_month="2").content.decode()
    assert "The date you started must be a real date" in page
    assert not Involvement.objects.filter(team=world.early_help).exists()


def test_one_lead_professional_per_child(world, signed_in):
    erin = signed_in(world.erin)
    assert _start(erin, world, is_lead_professional="on").status_code == 302
    paul = signed_in(world.paul)
    page = _start(
        paul, world, capacity=Capacity.LEAVING_CARE, is_lead_professional="on"
    ).content.decode()
    assert "Erin Cole (Early help team) is the lead professional for Jack Taylor" in page
    assert not Involvement.objects.filter(team=world.leaving_care).exists()


def test_erin_ends_her_involvement_with_a_reason(world, signed_in):
    erin = signed_in(world.erin)
    _start(erin, world)
    involvement = Involvement.objects.get(team=world.early_help)
    end = reverse("involvements:end", args=[involvement.pk])
    before = _started() - timedelta(days=30)
    page = erin.post(
        end,
        {
            "date_day": before.day,
            "date_month": before.month,
            "date_year": before.year,
            "reason": "Done",
        },
    )
    text = page.content.decode()
    assert f"The date it ended must be on or after it started ({_started():%-d %B %Y})" in text
    assert "Say why the involvement has ended, in a sentence" in text
    ended = timezone.localdate() - timedelta(days=1)
    response = erin.post(
        end,
        {
            "date_day": ended.day,
            "date_month": ended.month,
            "date_year": ended.year,
            "reason": "Family engaged; plan completed",
        },
    )
    assert response.status_code == 302
    involvement.refresh_from_db()
    assert involvement.ended_on == ended
    assert involvement.end_reason == "Family engaged; plan completed"
    # Only the team that is involved can end it.
    assert signed_in(world.dana).get(end).status_code == 404


def test_through_the_api_too(world, signed_in):
    erin = signed_in(world.erin)
    created = erin.post(
        f"/api/v1/people/{world.jack.pk}/involvements/",
        {"capacity": "early_help", "started_on": f"{_started()}", "is_lead_professional": True},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["capacity"] == "early_help" and body["is_lead_professional"] is True
    paul = signed_in(world.paul)
    refused = paul.post(
        f"/api/v1/people/{world.jack.pk}/involvements/",
        {"capacity": "leaving_care", "started_on": f"{_started()}", "is_lead_professional": True},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "is_lead_professional"
    erin = signed_in(world.erin)
    yesterday = f"{timezone.localdate() - timedelta(days=1)}"
    ended = erin.post(
        f"/api/v1/involvements/{body['id']}/end/",
        {"ended_on": yesterday, "reason": "Family moved out of the borough"},
        content_type="application/json",
    )
    assert ended.status_code == 200 and ended.json()["ended_on"] == yesterday


def test_priya_working_with_kerry_sees_who_works_with_her_children(world, signed_in):
    page = signed_in(world.priya).get(f"/people/{world.kerry.pk}/").content.decode()
    assert "Who works with them" in page
    # Jack, Kerry's son, is known to his school; Lily to Priya's own team.
    assert "Designated safeguarding lead (Oakfield Primary School), school: Dana Whyte" in page
    assert "Health visiting" in page
    api = signed_in(world.priya).get(f"/api/v1/people/{world.kerry.pk}/").json()
    jack = next(m for m in api["family"] if m["person"]["id"] == str(world.jack.pk))
    assert [i["capacity"] for i in jack["involvements"]] == ["school"]


def test_every_path_that_starts_an_involvement_keeps_one_lead_professional(world):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    from tellonce.involvements.services import involvement_start

    def lead(team, source) -> dict:
        return dict(
            person=world.jack,
            team=team,
            capacity=Capacity.EARLY_HELP,
            started_on=date(2026, 11, 1),
            is_lead_professional=True,
            source_agency=source,
            source_system="Mosaic",
        )

    first = involvement_start(**lead(world.early_help, world.council))
    # A feed, the MASH's sign-off or the API: all start through involvement_start.
    with pytest.raises(ValidationError) as refused:
        involvement_start(**lead(world.health_visiting, world.health))
    assert "must step down" in refused.value.message_dict["is_lead_professional"][0]
    # And a write that goes round the services meets the database's own rule.
    with pytest.raises(IntegrityError), transaction.atomic():
        Involvement.objects.create(**lead(world.health_visiting, world.health))
    # Once the lead steps down, another may be named.
    first.ended_on = date(2026, 11, 20)
    first.save()
    assert involvement_start(**lead(world.health_visiting, world.health)).is_lead_professional


def test_a_feed_naming_a_second_lead_registers_the_work_but_not_the_lead(world):
    from tellonce.feeds.models import ReportedInvolvement
    from tellonce.feeds.services import reported_involvements_materialise
    from tellonce.involvements.services import involvement_start
    from tellonce.people.models import AgencyRecord

    involvement_start(
        person=world.jack,
        team=world.early_help,
        capacity=Capacity.EARLY_HELP,
        started_on=date(2026, 11, 1),
        is_lead_professional=True,
        source_agency=world.council,
        source_system="Mosaic",
    )
    record = AgencyRecord.objects.create(
        agency=world.health,
        system="SystmOne",
        local_id="P-77",
        given_name="Jack",
        family_name="Taylor",
        person=world.jack,
    )
    ReportedInvolvement.objects.create(
        agency_record=record,
        team=world.health_visiting,
        capacity=Capacity.HEALTH_VISITING,
        started_on=date(2026, 11, 10),
        is_lead_professional=True,
        received_on=timezone.now(),
    )
    (entry,) = reported_involvements_materialise(agency_record=record)
    assert entry.team == world.health_visiting and not entry.is_lead_professional
    assert ReportedInvolvement.objects.get(agency_record=record).is_lead_professional
    leads = Involvement.objects.current().filter(person=world.jack, is_lead_professional=True)
    assert [i.team for i in leads] == [world.early_help]


def test_alerts_say_no_more_than_the_flag_of_a_sensitive_involvement(world):
    # Finding 3: a sibling's school was told of a child's youth justice involvement.
    from tellonce.involvements.models import Confirmation
    from tellonce.involvements.services import involvement_start
    from tellonce.organisations.models import Service, Team

    youth_justice = Team.objects.create(
        agency=world.council, name="Youth justice service", service=Service.YOUTH_JUSTICE
    )

    def start(person, team, capacity, source):
        return involvement_start(
            person=person,
            team=team,
            capacity=capacity,
            started_on=_started(),
            source_agency=source,
            source_system="Mosaic",
            confirmation=Confirmation.SYSTEM_OF_RECORD,
        )

    started = start(world.jack, youth_justice, Capacity.YOUTH_JUSTICE, world.council)
    told = Alert.objects.filter(kind=AlertKind.NOW_INVOLVED, involvement=started)
    # Jack's own school hears that the council works with him, and how to reach it:
    # not which team, not in what capacity. Priya, who works with his mother and
    # sister, hears nothing of it.
    (school,) = told
    assert school.team == world.oakfield_dsl
    assert "Northbrook Council started working with Jack Taylor" in school.body
    assert "youth justice" not in school.body.lower()
    assert "Youth justice service" not in school.body
    # Kerry's police investigation is not for Jack's new workers to hear of.
    start(world.kerry, world.public_protection, Capacity.POLICE_INVESTIGATION, world.police)
    erin = start(world.jack, world.early_help, Capacity.EARLY_HELP, world.council)
    already = Alert.objects.get(kind=AlertKind.ALREADY_INVOLVED, involvement=erin)
    assert "Northbrook Police" not in already.body and "investigation" not in already.body
    assert "- Northbrook Council works with Jack Taylor" in already.body
    assert "Health visiting with Kerry Taylor" in already.body
