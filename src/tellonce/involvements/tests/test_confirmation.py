"""A relationship must be real before a child's record opens (issue 12): a team records
only the work its service does, from a date that makes sense, and what a practitioner
says opens nothing until someone accountable confirms it. Unconfirmed, it lapses."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tellonce.alerts.models import Alert, AlertKind
from tellonce.audit.models import Action, AuditEvent
from tellonce.audit.services import COMMAND_LINE
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.cpis.selectors import cp_is_flag
from tellonce.involvements import services
from tellonce.involvements.models import Capacity, Confirmation, Involvement
from tellonce.involvements.selectors import involvements_to_confirm
from tellonce.organisations.models import Role
from tellonce.testing.world import practitioner_make

pytestmark = pytest.mark.django_db


def _erin_says_she_works_with_jack(world, **changes) -> Involvement:
    return services.involvement_record(
        user=world.erin,
        person=world.jack,
        **{
            "capacity": Capacity.EARLY_HELP,
            "started_on": timezone.localdate() - timedelta(days=3),
            "via": COMMAND_LINE,
            **changes,
        },
    )


def test_dana_cannot_claim_a_child_protection_plan_as_the_school(world, signed_in):
    # Finding 1, in its own words: the school's lead on a child it does not know.
    response = signed_in(world.dana).post(
        f"/api/v1/people/{world.amir.pk}/involvements/",
        {"capacity": "child_protection", "started_on": "1990-01-01", "is_lead_professional": True},
        content_type="application/json",
    )
    assert response.status_code == 400
    problems = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert problems["capacity"] == (
        "Child protection is not work Designated safeguarding lead (school safeguarding) records"
    )
    assert problems["started_on"].startswith("The date you started must be on or after Amir's")
    assert not Involvement.objects.filter(person=world.amir, team=world.oakfield_dsl).exists()
    # Nor a police investigation, whatever the team.
    with pytest.raises(ValidationError) as refused:
        _erin_says_she_works_with_jack(world, capacity=Capacity.POLICE_INVESTIGATION)
    assert "is not work Early help team (early help) records" in str(refused.value)


def test_a_start_date_must_be_recent_unless_the_agencys_own_system_says_it(world, settings):
    settings.INVOLVEMENT_BACKDATE_DAYS = 90
    with pytest.raises(ValidationError) as refused:
        _erin_says_she_works_with_jack(world, started_on=timezone.localdate() - timedelta(days=91))
    assert "within the last 90 days" in refused.value.message_dict["started_on"][0]
    # The agency's own system of record may say when its work began.
    old = services.involvement_start(
        person=world.jack,
        team=world.early_help,
        capacity=Capacity.EARLY_HELP,
        started_on=timezone.localdate() - timedelta(days=900),
        source_agency=world.council,
        source_system="Mosaic",
        confirmation=Confirmation.SYSTEM_OF_RECORD,
    )
    assert old.pk is not None


def test_what_erin_says_opens_nothing_until_someone_accountable_confirms_it(
    world, signed_in, client
):
    involvement = _erin_says_she_works_with_jack(world)
    assert involvement.confirmation == Confirmation.AWAITING
    erin = signed_in(world.erin)
    assert erin.get(f"/people/{world.jack.pk}/")["Location"].endswith("/flag/")
    assert b"943 476 5919" not in erin.get(f"/people/{world.jack.pk}/flag/").content
    client.logout()
    # Whoever may confirm is asked at once: here, the council's manager (Maria).
    asked = Alert.objects.get(kind=AlertKind.INVOLVEMENT_TO_CONFIRM)
    assert asked.user == world.maria and "Erin Cole (Early help team)" in asked.body
    # Erin cannot confirm her own word; a school's lead has no say in it.
    for outsider in (world.erin, world.dana, world.sam):
        assert not services.may_confirm(outsider, involvement)
        with pytest.raises(PermissionDenied):
            services.involvement_confirm(user=outsider, involvement=involvement, via=COMMAND_LINE)
    assert signed_in(world.dana).get(f"/involvements/{involvement.pk}/confirm/").status_code == 404
    client.logout()
    # Maria, a MASH manager, sees it on her list and confirms it.
    maria = signed_in(world.maria)
    listed = maria.get("/involvements/to-confirm/").content.decode()
    assert "Jack Taylor" in listed and "Erin Cole" in listed
    looked = AuditEvent.objects.filter(action=Action.VIEW_LIST, actor=world.maria).last()
    assert looked.detail == {"list": "involvements to confirm", "people": 1}
    assert "Jack" not in str(looked.detail)
    response = maria.post(f"/involvements/{involvement.pk}/confirm/", {"decision": "confirm"})
    assert response.status_code == 302
    involvement.refresh_from_db()
    assert (involvement.confirmation, involvement.confirmed_by) == (
        Confirmation.CONFIRMED,
        world.maria,
    )
    told = Alert.objects.get(kind=AlertKind.INVOLVEMENT_CONFIRMED)
    assert told.user == world.erin and "Maria Lopez confirmed it" in told.body
    # Only now is Erin told who works with the people Jack lives with.
    household = Alert.objects.get(kind=AlertKind.HOUSEHOLD_INVOLVED)
    assert household.user == world.erin and "Health visiting with Kerry Taylor" in household.body
    client.logout()
    assert signed_in(world.erin).get(f"/people/{world.jack.pk}/").status_code == 200


def test_a_team_manager_or_the_lead_professional_may_confirm_too(world):
    lead = services.involvement_start(
        person=world.jack,
        team=world.health_visiting,
        practitioner=world.priya,
        capacity=Capacity.HEALTH_VISITING,
        is_lead_professional=True,
        source_agency=world.health,
        source_system="SystmOne",
        confirmation=Confirmation.SYSTEM_OF_RECORD,
    )
    involvement = _erin_says_she_works_with_jack(world)
    head = practitioner_make("hana", "Hana", "Ito", world.early_help, Role.PRACTITIONER)
    head.is_manager = True
    head.save()
    assert services.may_confirm(head, involvement)
    assert services.may_confirm(world.priya, involvement)  # Jack's lead professional
    assert list(involvements_to_confirm(user=world.priya)) == [involvement]
    lead.ended_on = timezone.localdate()
    lead.save()
    assert not services.may_confirm(world.priya, involvement)


def test_not_confirmed_ends_it_with_the_reason_and_erin_is_told(world, signed_in):
    involvement = _erin_says_she_works_with_jack(world)
    maria = signed_in(world.maria)
    page = maria.post(
        f"/involvements/{involvement.pk}/confirm/", {"decision": "refuse", "reason": ""}
    ).content.decode()
    assert "Enter why the involvement is not confirmed" in page
    maria.post(
        f"/involvements/{involvement.pk}/confirm/",
        {"decision": "refuse", "reason": "The early help team has no referral for Jack"},
    )
    involvement.refresh_from_db()
    assert involvement.ended_on == timezone.localdate()
    assert "has no referral for Jack" in involvement.end_reason
    assert "did not confirm it" in Alert.objects.get(kind=AlertKind.INVOLVEMENT_CONFIRMED).body


def test_through_the_api_a_manager_lists_and_decides(world, signed_in):
    involvement = _erin_says_she_works_with_jack(world)
    maria = signed_in(world.maria)
    listed = maria.get("/api/v1/involvements/to-confirm/").json()
    assert [(i["id"], i["person"]["given_name"]) for i in listed] == [(involvement.pk, "Jack")]
    refused = maria.post(
        f"/api/v1/involvements/{involvement.pk}/confirm/",
        {"confirmed": False, "reason": "no"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "reason"
    done = maria.post(
        f"/api/v1/involvements/{involvement.pk}/confirm/",
        {"confirmed": True},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["confirmation"] == "confirmed"
    again = maria.post(
        f"/api/v1/involvements/{involvement.pk}/confirm/",
        {"confirmed": True},
        content_type="application/json",
    )
    assert again.status_code == 404


def test_unconfirmed_it_lapses_once_and_erin_is_told(world, settings):
    settings.INVOLVEMENT_CONFIRM_DAYS = 5
    involvement = _erin_says_she_works_with_jack(world)
    recorded = timezone.now()
    with time_machine.travel(recorded + timedelta(days=4, hours=23), tick=False):
        assert services.involvements_clock_tick() == {"involvements_lapsed": 0}
    with time_machine.travel(recorded + timedelta(days=5, minutes=1), tick=False):
        assert services.involvements_clock_tick() == {"involvements_lapsed": 1}
        assert services.involvements_clock_tick() == {"involvements_lapsed": 0}
    involvement.refresh_from_db()
    assert involvement.ended_on is not None
    assert involvement.end_reason == "Lapsed: nobody confirmed it within 5 days"
    assert "Lapsed" in Alert.objects.get(kind=AlertKind.INVOLVEMENT_CONFIRMED).body
    assert ChronologyEvent.objects.filter(
        involvement=involvement, kind=EventKind.INVOLVEMENT_ENDED
    ).exists()


def test_cp_is_flags_only_the_councils_childrens_social_care(world):
    # A child protection "plan" a school or police team holds is no plan: no flag.
    Involvement.objects.create(
        person=world.jack,
        team=world.public_protection,
        capacity=Capacity.CHILD_PROTECTION,
        source_agency=world.police,
        source_system="Niche",
        confirmation=Confirmation.SYSTEM_OF_RECORD,
    )
    assert cp_is_flag(user=world.hannah, person=world.jack) == []
    # Nor one waiting for confirmation, even the council's.
    waiting = Involvement.objects.create(
        person=world.jack,
        team=world.mash,
        capacity=Capacity.CHILD_PROTECTION,
        source_agency=world.council,
        source_system="TellOnce",
        confirmation=Confirmation.AWAITING,
    )
    assert cp_is_flag(user=world.hannah, person=world.jack) == []
    waiting.confirmation = Confirmation.SYSTEM_OF_RECORD
    waiting.save()
    assert cp_is_flag(user=world.hannah, person=world.jack) == [waiting]


def test_a_feed_row_with_work_its_team_does_not_do_is_reported_and_skipped(world, tmp_path):
    import io

    from django.core.management import call_command

    from tellonce.feeds.models import FeedRowProblem

    feed = tmp_path / "sims.csv"
    feed.write_text(
        "id,first,last,dob,team,capacity,start\n"
        "P1,Jack,Taylor,2018-01-02,Designated safeguarding lead,school,2024-09-01\n"
        "P2,Amir,Hassan,2014-01-02,Designated safeguarding lead,child_protection,2024-09-01\n"
    )
    mapping = tmp_path / "sims.yaml"
    mapping.write_text(
        f"agency: {world.school.code}\nsystem: SIMS\nrecord_id: id\n"
        "given_name: first\nfamily_name: last\ndate_of_birth: dob\n"
        "team: team\ncapacity: capacity\nstarted_on: start\n"
    )
    call_command(
        "import", str(feed), agency=world.school.code, mapping=str(mapping), stdout=io.StringIO()
    )
    problem = FeedRowProblem.objects.get()
    assert (problem.row_number, problem.field) == (3, "capacity")
    assert "Child protection is not work Designated safeguarding lead" in problem.reason
    from tellonce.people.models import AgencyRecord

    landed = AgencyRecord.objects.get(agency=world.school, local_id="P1")
    assert landed.reported_involvements.get().capacity == Capacity.SCHOOL
    assert not AgencyRecord.objects.filter(agency=world.school, local_id="P2").exists()


def test_what_an_agency_system_opens_is_its_own_and_a_burst_is_held(world, settings):
    from tellonce.feeds.models import ReportedInvolvement
    from tellonce.feeds.services import reported_involvements_materialise
    from tellonce.people.models import AgencyRecord

    settings.SYSTEM_INVOLVEMENTS_PER_HOUR = 2
    opened = []
    for n, child in enumerate([world.jack, world.amir, world.ruby]):
        record = AgencyRecord.objects.create(
            agency=world.school,
            system="SIMS",
            local_id=f"S{n}",
            given_name=child.given_name,
            family_name=child.family_name,
            person=child,
        )
        ReportedInvolvement.objects.create(
            agency_record=record,
            team=world.oakfield_dsl,
            capacity=Capacity.SCHOOL,
            started_on=timezone.localdate() - timedelta(days=400),
            created_by=world.school_system,
            modified_by=world.school_system,
        )
        (entry,) = reported_involvements_materialise(agency_record=record)
        opened.append(entry)
    # Each is attributable to the system that sent it.
    assert {i.recorded_by for i in opened} == {world.school_system}
    # The first two count at once, as the school's own system of record; the third is
    # beyond the hour's allowance: held for a person, and the administrators told.
    assert [i.confirmation for i in opened] == [
        Confirmation.SYSTEM_OF_RECORD,
        Confirmation.SYSTEM_OF_RECORD,
        Confirmation.AWAITING,
    ]
    burst = Alert.objects.get(kind=AlertKind.SYSTEM_BURST)
    assert burst.user == world.adam and "oakfield-system" in burst.body
    assert "Ruby" not in burst.body
