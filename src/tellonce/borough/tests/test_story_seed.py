"""The demo tells the true story: a small Northbrook is seeded once for this module
(inside a transaction rolled back at the end), with the year's missing children and
domestic abuse incidents raised so that a thousand children give enough to count, and
each test says one thing a practitioner opening the demo would notice if it were not
true: a chronology with every agency's events on it, referrers who would know a child
of that age, work done in working hours, old work finished, and each child's own words.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from tellonce.accounts.models import User
from tellonce.alerts.models import Alert, AlertKind
from tellonce.borough import demo, protocols
from tellonce.borough.chronologies import chronology_history_seed
from tellonce.borough.mash import working_moment
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.conftest import sign_in_fully
from tellonce.core import workdays
from tellonce.encompass.models import IncidentChild, Notification
from tellonce.involvements.models import Capacity, Confirmation, Involvement
from tellonce.mash.models import Contact, ContactChild, ReferralSource
from tellonce.missing.models import InterviewState, ReturnHomeInterview
from tellonce.organisations.models import AgencyKind
from tellonce.people.models import Person

CHILDREN = 1_000
CONTACTS = 200
SEED = 11
#: A Thursday.
AS_OF = date(2026, 11, 26)
END = datetime.combine(AS_OF, time(17, 30), tzinfo=workdays.UK)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def seeded(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    with (
        django_db_blocker.unblock(),
        override_settings(VAR_DIR=tmp_path_factory.mktemp("var")),
        mock.patch.object(protocols, "EPISODES_PER_CHILD", 60 / CHILDREN),
        mock.patch.object(protocols, "INCIDENTS_PER_CHILD", 120 / CHILDREN),
        transaction.atomic(),
    ):
        out = io.StringIO()
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command(
                "seed",
                children=CHILDREN,
                seed=SEED,
                as_of=AS_OF,
                mash_contacts=CONTACTS,
                stdout=out,
            )
        yield out.getvalue()
        transaction.set_rollback(True)


def _age(person: Person, on: date) -> int:
    age = person.age_on(on)
    assert age is not None
    return age


def _local(moment: datetime) -> datetime:
    return moment.astimezone(workdays.UK)


def _in_office_hours(moment: datetime) -> bool:
    local = _local(moment)
    return workdays.is_working_day(local.date()) and time(8, 30) <= local.time() <= time(17, 30)


# ----- every agency's significant events on the chronology


def test_every_agency_puts_its_significant_events_on_the_chronologies(seeded: str) -> None:
    events = ChronologyEvent.objects.all()
    kinds = Counter(events.values_list("kind", flat=True))
    by_agency = set(events.values_list("kind", "source_agency__kind"))

    for kind in (
        EventKind.CONTACT,
        EventKind.DECISION,
        EventKind.INCIDENT,
        EventKind.DOMESTIC_ABUSE,
        EventKind.ENCOMPASS,
        EventKind.MISSING,
        EventKind.MISSING_RETURN,
        EventKind.RETURN_INTERVIEW,
        EventKind.HEALTH_ATTENDANCE,
        EventKind.EXCLUSION,
        EventKind.ATTENDANCE,
        EventKind.INVOLVEMENT_STARTED,
        EventKind.INVOLVEMENT_ENDED,
        EventKind.OTHER,
    ):
        assert kinds[kind] > 0, kind
    assert (EventKind.EXCLUSION, AgencyKind.SCHOOL) in by_agency
    assert (EventKind.ATTENDANCE, AgencyKind.SCHOOL) in by_agency
    assert (EventKind.INCIDENT, AgencyKind.POLICE) in by_agency
    assert (EventKind.DOMESTIC_ABUSE, AgencyKind.POLICE) in by_agency
    assert events.filter(kind=EventKind.HEALTH_ATTENDANCE, unscheduled=True).exists()
    assert events.filter(kind=EventKind.HEALTH_ATTENDANCE, summary__contains="not brought")
    assert events.filter(kind=EventKind.OTHER, summary__startswith="Moved home").exists()
    assert events.filter(kind=EventKind.OTHER, summary__contains="temporary accommodation")
    # Nothing happened before the child was born, or after the seed's day (but Erin's
    # word that early help works with a pupil, recorded two days before today's date).
    assert not events.filter(occurred_on__gt=AS_OF).exclude(
        involvement__confirmation=Confirmation.AWAITING
    )
    for event in events.select_related("person").iterator():
        born = event.person.date_of_birth
        assert born is None or born <= event.occurred_on, event.kind
    assert "significant events from every agency" in seeded


def test_missing_and_encompass_work_is_on_the_chronology_as_their_services_write_it() -> None:
    events = ChronologyEvent.objects.all()
    acknowledged = Notification.objects.filter(acknowledged_on__isnull=False)

    acks = events.filter(kind=EventKind.ENCOMPASS, external_ref__endswith="-acknowledged")
    assert acks.count() == acknowledged.count()
    live = IncidentChild.objects.filter(incident__archived_on__isnull=True)
    assert events.filter(kind=EventKind.DOMESTIC_ABUSE).count() == live.count()
    assert events.filter(external_ref__endswith="-police-notified").exists()
    assert events.filter(external_ref__endswith="-police-acknowledged").exists()
    # The incident the demo withdrew (recorded in error) took its entries with it.
    assert ChronologyEvent.all_objects.filter(external_ref__contains="-withdrawn-").exists()
    assert not events.filter(external_ref__contains="-withdrawn-").exists()


def test_seeding_the_chronologies_again_adds_nothing() -> None:
    before = ChronologyEvent.all_objects.count()

    counts = chronology_history_seed(as_of=AS_OF, seed=SEED)

    assert set(counts.values()) == {0}
    assert ChronologyEvent.all_objects.count() == before


def test_a_child_with_four_mash_involvements_sees_them_all_on_the_chronology(
    client: Client,
) -> None:
    enquiries = (
        Involvement.objects.filter(capacity=Capacity.MASH_ENQUIRY)
        .values("person")
        .annotate(n=Count("pk"))
        .filter(n__gte=4)
        .order_by("person")
    )
    assert enquiries.exists()
    person_id = enquiries[0]["person"]
    sam = User.objects.get(username="sam.mash")

    page = sign_in_fully(client, sam).get(reverse("chronology:chronology", args=[person_id]))

    text = page.content.decode()
    assert page.status_code == 200
    shown = ChronologyEvent.objects.filter(person=person_id)
    assert shown.filter(kind=EventKind.INVOLVEMENT_STARTED).count() >= 4
    assert f"<strong>{shown.count()}</strong> event" in text
    assert "started working with them in MASH enquiry" in text
    assert ">0</strong> events" not in text


def test_every_child_the_services_work_with_has_a_chronology() -> None:
    targeted = Involvement.objects.filter(
        capacity__in=(
            Capacity.EARLY_HELP,
            Capacity.CHILD_IN_NEED,
            Capacity.CHILD_PROTECTION,
            Capacity.LOOKED_AFTER,
            Capacity.MASH_ENQUIRY,
        )
    )
    with_events = set(ChronologyEvent.objects.values_list("person", flat=True))

    assert set(targeted.values_list("person", flat=True)) <= with_events
    for involvement in targeted.filter(ended_on__isnull=False)[:50]:
        assert ChronologyEvent.objects.filter(
            involvement=involvement, kind=EventKind.INVOLVEMENT_ENDED
        ).exists()
    # A child the services work with has far more on the chronology than one known
    # only to their school and GP.
    counts = Counter(ChronologyEvent.objects.values_list("person", flat=True))
    children = Person.objects.filter(date_of_birth__gt=AS_OF - timedelta(days=18 * 365))
    known = set(targeted.values_list("person", flat=True))
    others = [counts[p] for p in children.values_list("pk", flat=True) if p not in known]
    assert sum(counts[p] for p in known) / len(known) > 2 * sum(others) / len(others)


def test_schools_and_health_record_what_fits_the_child_at_the_hours_they_work() -> None:
    events = ChronologyEvent.objects.select_related("person", "source_agency")
    pupils = dict(
        Involvement.objects.current()
        .filter(capacity=Capacity.SCHOOL)
        .values_list("person", "team__agency")
    )

    for event in events.filter(kind__in=(EventKind.EXCLUSION, EventKind.ATTENDANCE)):
        assert pupils[event.person_id] == event.source_agency_id
        assert _age(event.person, event.occurred_on) >= 4
        assert event.occurred_at is not None
        assert workdays.is_working_day(event.occurred_on)
        assert time(8, 30) <= event.occurred_at <= time(16, 30)
    for event in events.filter(summary__contains="(health visiting)"):
        assert _age(event.person, event.occurred_on) < 5
        assert workdays.is_working_day(event.occurred_on)
    # The police work at night; the attendances at A&E come at any hour.
    police = events.filter(kind=EventKind.INCIDENT)
    late = [e for e in police if e.occurred_at and not time(9) <= e.occurred_at <= time(17)]
    assert len(late) > police.count() / 2


# ----- histories that make sense


def test_referrers_and_concerns_fit_the_childs_age() -> None:
    children = ContactChild.objects.filter(contact__referrer__isnull=True, duplicate=False)
    pupils = set(
        Involvement.objects.filter(capacity=Capacity.SCHOOL).values_list("person", flat=True)
    )

    for child in children.select_related("contact", "person"):
        contact, person = child.contact, child.person
        first = contact.children.order_by("pk").first()
        assert first is not None
        if person.pk != first.person_id:
            continue  # a brother or sister the referrer mentioned with the child
        age = _age(person, contact.received_on.date())
        if contact.source in (ReferralSource.SCHOOLS, ReferralSource.SCHOOL_NURSE):
            assert person.pk in pupils and age >= 4, contact.concern
        if contact.source == ReferralSource.HEALTH_VISITOR:
            assert age < 5
        if contact.source in (ReferralSource.SELF, ReferralSource.LA_INTERNAL):
            assert age >= 11
        if "lessons" in contact.concern or "school nurse" in contact.concern:
            assert age >= 4
        if "nappy" in contact.concern or "not yet crawling" in contact.concern:
            assert age < 2
        if "baby" in contact.child_voice:
            assert age < 2


def test_professionals_make_contacts_in_office_hours_the_police_at_any_hour() -> None:
    historic = Contact.objects.filter(referrer__isnull=True)
    office = historic.exclude(
        source__in=(
            ReferralSource.POLICE,
            ReferralSource.EMERGENCY_DEPARTMENT,
            ReferralSource.FAMILY,
            ReferralSource.ACQUAINTANCE,
            ReferralSource.SELF,
            ReferralSource.INDIVIDUAL_OTHER,
            ReferralSource.ANONYMOUS,
            ReferralSource.UNKNOWN,
        )
    )

    assert office.count() > CONTACTS / 3
    for received in office.values_list("received_on", flat=True):
        assert _in_office_hours(received), received
    police = historic.filter(source=ReferralSource.POLICE).values_list("received_on", flat=True)
    assert any(not _in_office_hours(r) for r in police)


def test_the_dsls_contact_this_morning_is_in_the_morning_whenever_the_seed_runs() -> None:
    dana = Contact.objects.get(referrer__username="dana.dsl")
    # A seed run at 00:51 on a Monday: "this morning" was Friday's.
    monday_night = datetime(2026, 11, 30, 0, 51, tzinfo=workdays.UK)

    assert "this morning" in dana.concern
    assert _local(dana.received_on).time() == time(9, 40)
    assert workdays.is_working_day(_local(dana.received_on).date())
    assert working_moment(time(9, 40), not_after=monday_night) == datetime(
        2026, 11, 27, 9, 40, tzinfo=workdays.UK
    )


def test_old_work_is_done_only_recent_work_is_still_to_do() -> None:
    long_ago = END - timedelta(days=14)
    open_interviews = ReturnHomeInterview.objects.filter(state=InterviewState.ASSIGNED)

    assert not open_interviews.filter(due_on__lt=long_ago).exists()
    assert ReturnHomeInterview.objects.filter(
        state=InterviewState.COMPLETED, due_on__lt=long_ago
    ).exists()
    assert not Notification.objects.filter(
        acknowledged_on__isnull=True, due_by__lt=long_ago
    ).exists()
    # The CP-IS alerts of last year's attendances were read by the child's social worker.
    cp_is = Alert.objects.filter(kind=AlertKind.CP_IS)
    assert not cp_is.filter(
        read_on__isnull=True, chronology_event__occurred_on__lt=AS_OF - timedelta(days=2)
    ).exists()


def test_each_child_is_heard_in_their_own_words() -> None:
    present = IncidentChild.objects.filter(present=True).select_related("person", "incident")
    voices = Counter(present.values_list("voice", flat=True))
    said = Counter(
        ReturnHomeInterview.objects.filter(state=InterviewState.COMPLETED).values_list(
            "child_said", flat=True
        )
    )

    assert present.count() > 50
    # What older children told officers, in their own words: hardly two the same.
    quotes = Counter(v.partition("Told officers: ")[2] for v in voices.elements() if "Told" in v)
    assert sum(quotes.values()) > 20
    assert quotes.most_common(1)[0][1] <= 3
    assert voices.most_common(1)[0][1] <= present.count() // 8
    assert said.most_common(1)[0][1] <= max(3, sum(said.values()) // 5)
    for child in present:
        if _age(child.person, child.incident.occurred_at.date()) < 5:
            assert "Told officers" not in child.voice
    contact_voices = Counter(
        Contact.objects.filter(referrer__isnull=True).values_list("child_voice", flat=True)
    )
    assert contact_voices.most_common(1)[0][1] < CONTACTS / 10


# ----- the sign-in page


@override_settings(TELLONCE_ENV="demo")
def test_the_demo_sign_in_page_lists_every_demo_login(client: Client) -> None:
    text = client.get(reverse("accounts:sign-in")).content.decode()

    assert "Demo logins" in text
    assert demo.DEMO_PASSWORD in text
    for username, role, team in demo.demo_logins():
        assert f"<code>{username}</code>" in text
        assert role in text
        assert team in text
    assert "Health visitor" in text
    assert "Practitioner (health visitor" not in text


@pytest.mark.parametrize("env", ["production", "development", "test"])
def test_no_other_sign_in_page_lists_a_login(client: Client, env: str) -> None:
    with override_settings(TELLONCE_ENV=env):
        text = client.get(reverse("accounts:sign-in")).content.decode()

    assert "Demo logins" not in text
    assert demo.DEMO_PASSWORD not in text
    assert "sam.mash" not in text
