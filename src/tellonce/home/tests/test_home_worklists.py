"""Each role's home page is its worklist.

Sam, in the MASH, sees the queue in numbers (open, due today, overdue, his), the
requests waiting for his team's answer and his actions, each number the total of the
list it links to. Priya, a health visitor, sees the families her team works with, the
most recently involved first, each with why (the involvement and its start, an unread
alert, her action), a total and pages. Tom's police desk sees the missing children it
has not acknowledged; Dana her school's unacknowledged Operation Encompass
notifications; Rita, an independent interviewer, her return home interviews by
deadline. Ana, an analyst, sees figures with thousands separators and no names."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from tellonce.alerts.models import Alert, AlertKind
from tellonce.alerts.services import deliveries_send
from tellonce.audit.models import Action, AuditEvent, Channel
from tellonce.audit.services import Via
from tellonce.core.models import TELLONCE_SYSTEM
from tellonce.involvements.models import Capacity, Confirmation, Involvement
from tellonce.mash import services as mash_services
from tellonce.mash.models import CaseAction, MashCase
from tellonce.mash.models import Channel as ContactChannel
from tellonce.mash.services import ChildDetails, ContactDetails
from tellonce.people.models import Person

pytestmark = pytest.mark.django_db
WEB = Via(Channel.WEB)
UK = ZoneInfo("Europe/London")
#: A Wednesday morning in term, away from bank holidays.
WEDNESDAY = datetime(2026, 11, 18, 10, 0, tzinfo=UK)


def _text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def _case_for(world, person) -> MashCase:
    contact = mash_services.contact_make(
        user=world.dana,
        details=ContactDetails(
            children=[ChildDetails(person_id=person.pk)],
            source="2A",
            referrer_name="Dana Whyte",
            referrer_role="Designated safeguarding lead",
            referrer_phone="020 7946 1234",
            referrer_email="",
            concern=(
                "The child came to school with a bruise on the cheek and said the mother's"
                " boyfriend pushed them into a door last night."
            ),
            help_so_far="Spoke with the class teacher; gave breakfast; logged it.",
            child_needs="To be safe at home and fed.",
            child_voice="'I don't want to go home when he is there.'",
            household="Mother, baby sister, and mother's boyfriend (name not known).",
            family_knows=False,
            consent="not_sought",
            sharing_reason="Asking the mother first could put the child at risk tonight.",
        ),
        channel=ContactChannel.WEB,
        via=WEB,
    )
    return MashCase.objects.get(contact_children__contact=contact)


# ----- the MASH ---------------------------------------------------------------------


def _mash_morning(world) -> dict[str, MashCase]:
    """Jack's decision is due this afternoon and is Sam's; Amir's was due yesterday;
    Lily's is due tomorrow. Tom's desk has been asked about Jack; Sam has one action."""
    cases = {
        "jack": _case_for(world, world.jack),
        "amir": _case_for(world, world.amir),
        "lily": _case_for(world, world.lily),
    }
    due = {
        "jack": WEDNESDAY.replace(hour=16),
        "amir": WEDNESDAY - timedelta(days=1),
        "lily": WEDNESDAY + timedelta(days=1),
    }
    for name, case in cases.items():
        MashCase.objects.filter(pk=case.pk).update(decision_due=due[name])
    MashCase.objects.filter(pk=cases["jack"].pk).update(allocated_to=world.sam)
    jack = MashCase.objects.get(pk=cases["jack"].pk)
    mash_services.case_screen(
        user=world.sam, case=jack, rag="amber", reason="Injury and a disclosure", via=WEB
    )
    mash_services.rfi_send(
        user=world.sam,
        case=jack,
        team=world.police_mash,
        question="Any police call-outs to Flat 3, Alder House this year, and who lives there?",
        via=WEB,
    )
    CaseAction.objects.create(
        case=jack,
        person=world.jack,
        description="Visit Jack at school today",
        owner=world.sam,
        due_on=WEDNESDAY.date(),
    )
    return cases


def _counts(page: str) -> dict[str, tuple[str, str]]:
    """Each count on the home page: its label -> (its number, where it links)."""
    found = re.findall(
        r'<dt class="govuk-summary-list__key">([^<]+)</dt> '
        r'<dd class="govuk-summary-list__value"><a class="govuk-link" href="([^"]+)">([\d,]+)<',
        page,
    )
    return {label: (number, url) for label, url, number in found}


def test_sam_sees_the_mash_in_numbers_each_leading_to_its_list(world, signed_in):
    with time_machine.travel(WEDNESDAY, tick=False):
        _mash_morning(world)
        client = signed_in(world.sam)
        counts = _counts(_text(client.get("/")))
        assert counts == {
            "Open cases": ("3", "/mash/?state=open"),
            "Decisions due today": ("1", "/mash/?state=open&due_today=on"),
            "Decisions overdue": ("1", "/mash/?state=open&overdue=on"),
            "Open cases allocated to you": ("1", "/mash/?state=open&mine=on"),
            "Requests for information to your team waiting for an answer": (
                "0",
                "/mash/requests/",
            ),
            "Your actions to do": ("1", "/mash/actions/"),
        }
        # Each link lands on the list it counts.
        every = _text(client.get("/mash/?state=open"))
        assert "3 open cases, 1 overdue" in every
        today = _text(client.get("/mash/?state=open&due_today=on"))
        assert "1 open case" in today and "Jack Taylor" in today
        assert "Amir Hassan" not in today and "Lily Taylor" not in today
        assert 'name="due_today" type="checkbox" value="on" checked' in today
        late = _text(client.get("/mash/?state=open&overdue=on"))
        assert "Amir Hassan" in late and "Jack Taylor" not in late
        mine = _text(client.get("/mash/?state=open&mine=on"))
        assert "Jack Taylor" in mine and "Amir Hassan" not in mine
        assert "Visit Jack at school today" in _text(client.get("/mash/actions/"))


def test_toms_desk_counts_the_request_waiting_for_its_answer(world, signed_in):
    with time_machine.travel(WEDNESDAY, tick=False):
        _mash_morning(world)
        client = signed_in(world.tom)
        counts = _counts(_text(client.get("/")))
        waiting = counts["Requests for information to your team waiting for an answer"]
        assert waiting == ("1", "/mash/requests/")
        assert counts["Open cases"] == ("3", "/mash/?state=open")
        assert counts["Your actions to do"] == ("0", "/mash/actions/")
        assert "Jack Taylor" in _text(client.get(waiting[1]))


def test_a_decision_due_earlier_today_and_now_late_counts_as_overdue_not_due_today(
    world, signed_in
):
    with time_machine.travel(WEDNESDAY, tick=False):
        case = _case_for(world, world.jack)
        MashCase.objects.filter(pk=case.pk).update(decision_due=WEDNESDAY.replace(hour=9))
        counts = _counts(_text(signed_in(world.maria).get("/")))
    assert counts["Decisions due today"][0] == "0"
    assert counts["Decisions overdue"][0] == "1"


def test_practitioners_outside_the_mash_see_no_mash_counts(world, signed_in, client):
    for outsider in (world.priya, world.dana, world.olly):
        client.logout()
        page = _text(signed_in(outsider).get("/"))
        assert "Your MASH's work" not in page and "/mash/?state=open" not in page


# ----- the people a team works with -------------------------------------------------


def _family_of(world, how_many: int) -> list[Person]:
    """`how_many` more children Priya's team visits, one started each day before."""
    children = []
    for n in range(how_many):
        child = Person.objects.create(
            given_name=f"Child{n:02d}",
            family_name="Moreno",
            date_of_birth=date(2025, 1, 1) + timedelta(days=n),
            source_agency=world.health,
            source_system="SystmOne",
        )
        Involvement.objects.create(
            person=child,
            team=world.health_visiting,
            capacity=Capacity.HEALTH_VISITING,
            started_on=date(2026, 6, 1) - timedelta(days=n),
            source_agency=world.health,
            source_system=TELLONCE_SYSTEM,
            confirmation=Confirmation.SYSTEM_OF_RECORD,
        )
        children.append(child)
    return children


def test_priya_sees_her_teams_people_most_recent_first_with_why(world, signed_in):
    Involvement.objects.filter(person=world.lily).update(started_on=date(2026, 10, 1))
    Involvement.objects.filter(person=world.kerry).update(started_on=date(2026, 9, 1))
    Alert.objects.create(
        kind=AlertKind.NOW_INVOLVED,
        team=world.health_visiting,
        person=world.lily,
        title="The MASH is now involved with Lily Taylor",
        body="Northbrook MASH opened an enquiry.",
        delivered_on=timezone.now(),
    )
    CaseAction.objects.create(
        person=world.kerry,
        description="Offer Kerry a new birth visit this week",
        owner=world.priya,
        due_on=timezone.localdate() + timedelta(days=10),
    )
    page = _text(signed_in(world.priya).get("/"))
    assert "2 people, the most recently involved first." in page
    assert page.index("Lily Taylor") < page.index("Kerry Taylor")
    lily = page[page.index("Lily Taylor") : page.index("Kerry Taylor")]
    assert "Health visiting (Priya Shah), since 1 Oct 2026" in lily
    assert "Unread alert" in lily and "Another agency is now involved" in lily
    kerry = page[page.index("Kerry Taylor") :]
    assert "since 1 Sep 2026" in kerry
    assert "Your action:" in kerry and "Offer Kerry a new birth visit this week" in kerry
    due = timezone.localdate() + timedelta(days=10)
    assert f'<span class="tellonce-deadline">10 days left</span>, {due:%-d %b %Y}' in kerry
    # Jack's school, not Priya's team, works with him.
    assert "Jack Taylor" not in page


def test_a_long_list_has_a_total_and_pages_and_each_page_is_audited(world, signed_in):
    Involvement.objects.filter(person__in=[world.lily, world.kerry]).update(
        started_on=date(2026, 7, 1)
    )
    children = _family_of(world, 30)
    client = signed_in(world.priya)
    first = _text(client.get("/"))
    assert "32 people, the most recently involved first (page 1 of 2)." in first
    assert first.count('<th scope="row"') == 25
    assert first.index("Kerry Taylor") < first.index("Child00 Moreno")
    assert first.index("Child00 Moreno") < first.index("Child01 Moreno")
    assert "Child22 Moreno" in first and "Child23 Moreno" not in first
    assert 'aria-label="Pages of the people your team is working with"' in first
    assert 'href="?page=2" rel="next"' in first
    second = _text(client.get("/?page=2"))
    assert "(page 2 of 2)" in second and second.count('<th scope="row"') == 7
    assert f"{children[-1].given_name} Moreno" in second and "Kerry Taylor" not in second
    assert 'href="?page=1" rel="prev"' in second
    listed = AuditEvent.objects.filter(action=Action.VIEW_LIST, detail__list="my work")
    assert [event.detail["people"] for event in listed.order_by("pk")] == [25, 7]
    # A page past the end shows the last.
    assert "(page 2 of 2)" in _text(client.get("/?page=9"))


def test_four_mash_roles_see_the_mash_enquiries_newest_first(world, signed_in, client):
    with time_machine.travel(WEDNESDAY, tick=False):
        _case_for(world, world.jack)
        Involvement.objects.filter(person=world.amir, team=world.mash).update(
            started_on=date(2026, 1, 5)
        )
        for user in (world.sam, world.maria, world.hannah, world.ed):
            client.logout()
            page = _text(signed_in(user).get("/"))
            assert page.index("Jack Taylor") < page.index("Amir Hassan"), user
            jack = page[page.index("Jack Taylor") : page.index("Amir Hassan")]
            assert "MASH enquiry, Northbrook MASH" in jack and "since 18 Nov 2026" in jack


# ----- the protocols ----------------------------------------------------------------


def test_toms_desk_sees_its_unacknowledged_missing_children_first(world, signed_in):
    from tellonce.missing import services as missing_services
    from tellonce.missing.services import EpisodeDetails
    from tellonce.missing.tests.conftest import missing_people

    missing = missing_people(world)
    episode = missing_services.episode_report(
        user=missing.eddie,
        person=world.jack,
        details=EpisodeDetails(
            last_seen_at=timezone.now() - timedelta(hours=2),
            last_seen_where="Rosewood children's home, 12 Elm Road, Northbrook",
            circumstances="Left after an argument with staff at tea time, in a red hoodie.",
            risk="high",
            reporter_name="Eddie Moss",
            reporter_role="Emergency duty social worker",
            reporter_phone="07700 900123",
        ),
        via=WEB,
    )
    page = _text(signed_in(world.tom).get("/"))
    assert '<a class="govuk-link" href="/missing/police/">Missing children</a>' in page
    assert "1 not acknowledged" in page
    assert f'href="/missing/episodes/{episode.pk}/">Jack Taylor</a>' in page
    assert "High risk, reported by Emergency duty team" in page
    missing_services.police_acknowledge(user=world.tom, episode=episode, via=WEB)
    page = _text(signed_in(world.tom).get("/"))
    assert "0 not acknowledged" in page and "Jack Taylor" not in page


def test_dana_sees_her_schools_notifications_to_acknowledge(world, signed_in):
    from tellonce.encompass.calendar import borough_calendar_ensure
    from tellonce.encompass.models import Notification, Recipient
    from tellonce.encompass.services import ChildDetails as IncidentChild
    from tellonce.encompass.services import IncidentDetails, incident_record, school_sign_up

    borough_calendar_ensure()
    school_sign_up(school=world.school)
    night = datetime(2026, 5, 5, 23, 10, tzinfo=UK)
    with time_machine.travel(night + timedelta(minutes=30), tick=False):
        incident_record(
            user=world.tom,
            details=IncidentDetails(
                police_ref="NBP/DA/1",
                occurred_at=night,
                place="Flat 3, Alder House, Northbrook NB1 4QT",
                children=[
                    IncidentChild(person_id=world.jack.pk, present=True, voice="Jack was crying.")
                ],
            ),
            via=WEB,
        )
        deliveries_send()
    notification = Notification.objects.get(recipient=Recipient.SCHOOL)
    with time_machine.travel(datetime(2026, 5, 6, 8, 0, tzinfo=UK), tick=False):
        page = _text(signed_in(world.dana).get("/"))
    assert '<a class="govuk-link" href="/encompass/">Operation Encompass notifications</a>' in page
    assert "1 to acknowledge" in page
    assert f'href="/encompass/notifications/{notification.pk}/">Jack Taylor</a>' in page
    assert "Domestic abuse incident on Tue 5 May 2026, 23:10" in page
    assert 'Jack Taylor</a>: <span class="tellonce-deadline">30 minutes left</span>' in page
    with time_machine.travel(datetime(2026, 5, 6, 10, 0, tzinfo=UK), tick=False):
        late = _text(signed_in(world.dana).get("/"))
    assert (
        'Jack Taylor</a>: <strong class="govuk-tag govuk-tag--red">Overdue</strong> by 1 hour'
        in late
    )


def test_rita_sees_her_interviews_soonest_deadline_first(world, signed_in):
    from tellonce.missing import services as missing_services
    from tellonce.missing.services import EpisodeDetails
    from tellonce.missing.tests.conftest import missing_people

    missing = missing_people(world)
    amir_care = Involvement.objects.create(
        person=world.amir,
        team=missing.in_care,
        capacity=Capacity.LOOKED_AFTER,
        source_agency=world.council,
        source_system="Mosaic",
        confirmation=Confirmation.SYSTEM_OF_RECORD,
    )
    assert amir_care.pk
    now = timezone.now()

    def missing_and_back(person, returned_hours_ago: int) -> None:
        episode = missing_services.episode_report(
            user=missing.eddie,
            person=person,
            details=EpisodeDetails(
                last_seen_at=now - timedelta(hours=returned_hours_ago + 5),
                last_seen_where="Rosewood children's home, 12 Elm Road, Northbrook",
                circumstances="Left after an argument with staff at tea time, in a red hoodie.",
                risk="medium",
                reporter_name="Eddie Moss",
                reporter_role="Emergency duty social worker",
                reporter_phone="07700 900123",
            ),
            via=WEB,
        )
        missing_services.episode_return(
            user=missing.eddie,
            episode=episode,
            returned_on=now - timedelta(hours=returned_hours_ago),
            details="Came back by himself.",
            via=WEB,
        )

    missing_and_back(world.amir, 10)  # due in 62 hours
    missing_and_back(world.jack, 80)  # due 8 hours ago
    page = _text(signed_in(missing.rita).get("/"))
    assert '<a class="govuk-link" href="/missing/interviews/">Return home interviews</a>' in page
    assert "2 to do" in page
    worklist = page[page.index("2 to do") :]
    assert worklist.index("Jack Taylor") < worklist.index("Amir Hassan")
    jack = worklist[worklist.index("Jack Taylor") : worklist.index("Amir Hassan")]
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong> by 8 hours' in jack
    amir = worklist[worklist.index("Amir Hassan") :]
    assert "left" in amir and "Overdue" not in amir[: amir.index("Due by")]


def test_the_police_officer_records_an_incident_and_analysts_see_figures(world, signed_in):
    page = _text(signed_in(world.olly).get("/"))
    assert 'href="/encompass/incidents/new/">Record a domestic abuse incident</a>' in page
    assert "Missing children" not in page


# ----- analysts and system accounts -------------------------------------------------


def test_ana_sees_figures_with_thousands_separators_and_no_names(world, signed_in):
    Person.objects.bulk_create(
        Person(
            given_name="Synthetic",
            family_name=f"Adult{n}",
            date_of_birth=date(1980, 1, 1),
            source_agency=world.council,
            source_system="Mosaic",
        )
        for n in range(1000)
    )
    page = _text(signed_in(world.ana).get("/"))
    assert "The partnership in figures" in page
    assert '<dd class="govuk-summary-list__value">1,001</dd>' in page  # Kerry and 1,000
    assert "Kerry Taylor" not in page and "People your team is working with" not in page
    assert not AuditEvent.objects.filter(action=Action.VIEW_LIST).exists()


def test_an_agency_system_account_sees_no_names(world, signed_in):
    page = _text(signed_in(world.school_system).get("/"))
    assert "Jack Taylor" not in page
    assert not AuditEvent.objects.filter(action=Action.VIEW_LIST).exists()


def test_a_break_glass_look_is_listed_last_and_an_unconfirmed_involvement_not_at_all(
    world, signed_in
):
    from tellonce.access.models import BreakGlassGrant

    BreakGlassGrant.objects.create(
        user=world.priya,
        person=world.ruby,
        reason="Ruby came to clinic with her aunt, who is not known to us",
        expires_on=timezone.now() + timedelta(hours=4),
    )
    Involvement.objects.create(
        person=world.amir,
        team=world.health_visiting,
        capacity=Capacity.HEALTH_VISITING,
        source_agency=world.health,
        source_system=TELLONCE_SYSTEM,
        confirmation=Confirmation.AWAITING,
    )
    page = _text(signed_in(world.priya).get("/"))
    assert "3 people, the most recently involved first." in page
    assert page.index("Kerry Taylor") < page.index("Ruby Green")
    assert "You broke the glass: your access ends" in page[page.index("Ruby Green") :]
    assert "Amir Hassan" not in page
