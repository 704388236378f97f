"""A year at Northbrook's MASH: a small borough is seeded once for this module with its
contacts (inside a transaction rolled back at the end), and each test says one thing
that must be true of the year Sam (social worker), Maria (manager) and Tom (police
desk) find in the MASH when they sign in.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.test import TestCase, override_settings
from pytest_django import DjangoDbBlocker

from tellonce.access.policy import Level, access_for
from tellonce.accounts.models import User
from tellonce.alerts.models import Alert, AlertKind
from tellonce.borough.demo import dsl_school
from tellonce.borough.mash import mash_history_seed
from tellonce.borough.organisations import partnership_ensure
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.core import workdays
from tellonce.involvements.models import Capacity, Involvement
from tellonce.mash.models import (
    OPEN_STATES,
    REFERRAL_OUTCOMES,
    CaseTransition,
    ClosureReason,
    Contact,
    ContactChild,
    InformationRequest,
    MashCase,
    Outcome,
    State,
)
from tellonce.mash.services import strategy_invitees_proposed
from tellonce.people.models import HouseholdMember

CHILDREN = 1_000
CONTACTS = 600
SEED = 3
#: A Wednesday: the last two working days began on Tuesday at 09:00.
AS_OF = date(2026, 3, 4)
END = datetime.combine(AS_OF, time(17, 30), tzinfo=workdays.UK)
OPEN_FROM = datetime(2026, 3, 3, 9, 0, tzinfo=workdays.UK)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def seeded(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """Northbrook with 1,000 children and 600 contacts to its MASH in the year."""
    with (
        django_db_blocker.unblock(),
        override_settings(VAR_DIR=tmp_path_factory.mktemp("var")),
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


def _historic() -> QuerySet[Contact]:
    """The contacts of the year, not the demo DSL's contact of this morning."""
    return Contact.objects.filter(referrer__isnull=True)


def _user(username: str) -> User:
    return User.objects.get(username=username)


# ----- the year's contacts


def test_a_year_of_contacts_is_about_children_of_the_borough(seeded: str) -> None:
    contacts = _historic()

    assert contacts.count() == CONTACTS
    assert not contacts.filter(received_on__lt=END - timedelta(days=366)).exists()
    assert not contacts.filter(received_on__gt=END).exists()
    for case in MashCase.objects.select_related("person"):
        born = case.person.date_of_birth
        assert born is not None and born <= case.received_on.date()
        assert case.person.age_on(case.received_on.date()) < 18  # type: ignore[operator]
    assert f"MASH history: {CONTACTS:,} contacts" in seeded


def test_who_makes_contacts_is_englands_mix_of_referral_sources() -> None:
    sources = Counter(_historic().values_list("source", flat=True))

    def share(*prefixes: str) -> float:
        return sum(n for code, n in sources.items() if code.startswith(prefixes)) / CONTACTS

    assert 0.22 < share("6") < 0.38  # police
    assert 0.13 < share("2") < 0.27  # schools and education
    assert 0.09 < share("3") < 0.21  # health
    assert 0.05 < share("5") < 0.15  # the council


def test_every_case_is_due_for_decision_within_one_working_day() -> None:
    for received, due in MashCase.objects.values_list("received_on", "decision_due"):
        assert due == workdays.due_by_working_days(received, 1)


def test_older_cases_were_proposed_by_sam_and_signed_off_by_maria() -> None:
    decided = MashCase.objects.filter(state=State.OUTCOME)
    outcomes = Counter(decided.values_list("outcome", flat=True))

    assert decided.count() > 0.9 * MashCase.objects.count()
    assert set(decided.values_list("decided_by__username", "signed_off_by__username")) == {
        ("sam.mash", "maria.manager")
    }
    assert 0.25 < outcomes[Outcome.NFA_ADVICE] / decided.count() < 0.45
    assert not decided.filter(is_referral=True).exclude(outcome__in=REFERRAL_OUTCOMES).exists()
    assert not decided.filter(outcome__in=REFERRAL_OUTCOMES, is_referral=False).exists()
    assert not decided.filter(decided_on__gt=F("signed_off_on")).exists()


def test_early_help_names_erin_as_the_lead_professional() -> None:
    early_help = MashCase.objects.filter(outcome=Outcome.EARLY_HELP)

    assert early_help.exists()
    assert set(early_help.values_list("lead_professional__username", flat=True)) == {
        "erin.earlyhelp"
    }


def test_referrals_close_with_a_dfe_reason_and_other_outcomes_close_at_sign_off() -> None:
    closed = MashCase.objects.filter(is_referral=True, closed_on__isnull=False)

    assert closed.exists()
    assert set(closed.values_list("closure_reason", flat=True)) <= set(ClosureReason.values)
    assert not closed.filter(closed_on__lte=F("signed_off_on")).exists()
    others = MashCase.objects.filter(state=State.OUTCOME, is_referral=False)
    assert not others.exclude(closed_on=F("signed_off_on")).exists()
    assert not others.exclude(closure_reason="").exists()


# ----- re-referrals, siblings and second contacts


def test_about_one_referral_in_five_follows_another_within_twelve_months() -> None:
    referrals = MashCase.objects.filter(is_referral=True)
    again = referrals.filter(previous_referral__isnull=False).select_related("previous_referral")

    assert 0.12 < again.count() / referrals.count() < 0.32
    for case in again:
        earlier = case.previous_referral
        assert earlier is not None and earlier.is_referral
        assert earlier.person_id == case.person_id
        assert earlier.signed_off_on is not None
        assert case.received_on - timedelta(days=365) <= earlier.signed_off_on < case.received_on


def test_no_re_referral_goes_unmarked() -> None:
    for case in MashCase.objects.filter(is_referral=True, previous_referral__isnull=True):
        assert not MashCase.objects.filter(
            person=case.person_id,
            is_referral=True,
            signed_off_on__lt=case.received_on,
            signed_off_on__gte=case.received_on - timedelta(days=365),
        ).exists()


def test_brothers_and_sisters_in_one_contact_live_together() -> None:
    shared = 0
    for contact in _historic().filter(children__duplicate=False).distinct():
        people = [c.person_id for c in contact.children.all()]
        if len(people) > 1:
            homes = HouseholdMember.objects.filter(person__in=people, left_on__isnull=True)
            assert homes.values("household").distinct().count() < len(people)
            shared += 1
    assert shared > 0


def test_a_second_contact_joins_the_case_still_open_for_the_child() -> None:
    joined = ContactChild.objects.filter(duplicate=True).select_related("case", "contact")

    assert joined.exists()
    for child in joined:
        case, received = child.case, child.contact.received_on
        assert case.received_on < received
        assert case.signed_off_on is None or received < case.signed_off_on
        assert case.transitions.filter(reason__startswith="Another contact").exists()


# ----- the work on each case


def test_each_step_of_a_case_is_a_transition_by_someone_in_the_mash() -> None:
    year = CaseTransition.objects.filter(case__contact__referrer__isnull=True)

    assert set(year.values_list("by__username", flat=True)) == {"sam.mash", "maria.manager"}
    for case in MashCase.objects.filter(contact__referrer__isnull=True).prefetch_related(
        "transitions"
    ):
        steps = list(case.transitions.all())
        assert (steps[0].from_state, steps[0].to_state) == ("", State.RECEIVED)
        for before, after in pairwise(steps):
            assert after.from_state == before.to_state, case.pk
        assert steps[-1].to_state == case.state


def test_partner_desks_answer_in_working_hours_and_some_answer_late() -> None:
    answered = InformationRequest.objects.filter(answered_on__isnull=False)
    late = answered.filter(answered_on__gt=F("due_on"))

    assert answered.count() > 100
    assert 0.05 < late.count() / answered.count() < 0.35
    for request in answered[:200]:
        assert request.answered_on is not None
        hours = workdays.working_hours_between(request.sent_on, request.answered_on)
        assert request.response_hours == round(hours, 2)
    desks = set(answered.values_list("team__service", "answered_by__username"))
    assert ("police_mash", "tom.police") in desks


def test_the_year_is_on_the_childrens_chronologies_and_told_no_one_else() -> None:
    from tellonce.involvements.models import Confirmation, Involvement

    # Every child of every contact has the contact on their chronology, and every case
    # signed off its decision, as the MASH's own services write them.
    contacts = ChronologyEvent.objects.filter(kind=EventKind.CONTACT)
    assert contacts.count() == ContactChild.objects.count()
    assert set(contacts.values_list("person", "external_ref")) == {
        (person, f"mash-contact-{contact}")
        for person, contact in ContactChild.objects.values_list("person", "contact")
    }
    decisions = ChronologyEvent.objects.filter(kind=EventKind.DECISION)
    signed_off = MashCase.objects.filter(signed_off_on__isnull=False)
    assert decisions.count() == signed_off.count()
    case = signed_off.select_related("signed_off_by").first()
    assert case is not None
    (decision,) = decisions.filter(external_ref=f"mash-decision-{case.pk}")
    assert decision.person_id == case.person_id
    assert decision.summary.startswith(f"MASH decision: {case.get_outcome_display()}.")
    assert decision.recorded_by == case.signed_off_by
    demo_case = ContactChild.objects.get(contact__referrer__username="dana.dsl").case
    # Erin's word that early help works with a pupil, waiting for a manager.
    (said,) = Involvement.objects.filter(confirmation=Confirmation.AWAITING)
    assert said.recorded_by.username == "erin.earlyhelp"
    # The demo's contact recorded in error, and withdrawn (`demo.demo_withdrawals`).
    (withdrawn,) = ContactChild.all_objects.filter(archived_on__isnull=False)
    # Operation Encompass's history (`borough.protocols`) is delivered alerts by nature,
    # and the CP-IS alerts of the year's attendances were read (`borough.chronologies`);
    # the year's early help (`borough.earlyhelp`) tells its leads and managers, as its
    # services do.
    assert (
        not Alert.objects.exclude(person=None)
        .exclude(kind__in=(AlertKind.ENCOMPASS, AlertKind.ENCOMPASS_COUNCIL))
        .exclude(
            kind__in=(
                AlertKind.EARLY_HELP_LEAD_ASKED,
                AlertKind.EARLY_HELP_LEAD_ANSWERED,
                AlertKind.EARLY_HELP_NO_LEAD,
            )
        )
        .exclude(kind=AlertKind.CP_IS, read_on__isnull=False)
        .exclude(
            kind=AlertKind.CP_IS,
            chronology_event__occurred_on__gte=AS_OF - timedelta(days=2),
        )
        .exclude(Q(person=demo_case.person) | Q(person__in=_household_of(demo_case.person_id)))
        .exclude(Q(person=withdrawn.person) | Q(person__in=_household_of(withdrawn.person_id)))
        .exclude(person=said.person_id)
        .exists()
    )


# ----- the last two working days


def test_the_last_two_working_days_contacts_are_still_being_worked_on() -> None:
    recent = MashCase.objects.filter(received_on__gte=OPEN_FROM)
    still_open = MashCase.objects.filter(state__in=OPEN_STATES)

    assert recent.exists()
    assert not recent.exclude(state__in=OPEN_STATES).exists()
    assert set(still_open.values_list("state", flat=True)) <= {
        State.RECEIVED,
        State.SCREENING,
        State.INFORMATION_GATHERING,
        State.DECISION,
    }
    assert not still_open.filter(state=State.RECEIVED).exclude(rag="").exists()
    assert not still_open.exclude(state=State.RECEIVED).filter(rag="").exists()


def test_tom_on_the_police_desk_can_open_every_child_whose_case_is_open() -> None:
    tom = _user("tom.police")

    for case in MashCase.objects.filter(state__in=OPEN_STATES).select_related("person"):
        assert case.involvement is not None
        assert case.involvement.capacity == Capacity.MASH_ENQUIRY
        assert case.involvement.ended_on is None
        assert access_for(tom, case.person).level == Level.FULL


def test_closed_cases_put_nothing_on_the_involvement_register() -> None:
    assert not MashCase.objects.filter(state=State.OUTCOME, involvement__isnull=False).exists()
    mine = Involvement.objects.filter(source_system="TellOnce")
    assert mine.filter(capacity=Capacity.MASH_ENQUIRY).count() == (
        MashCase.objects.filter(state__in=OPEN_STATES).values("person").distinct().count()
    )
    # Everything else TellOnce itself put on the register is the demo's early help: the
    # year's early help leads (`borough.earlyhelp`), and Erin's word about a pupil; and
    # the housing team's work with a pupil whom nobody leads (`demo.demo_nobody_leads`).
    others = (
        Involvement.objects.filter(source_system="TellOnce")
        .exclude(capacity__in=(Capacity.MASH_ENQUIRY, Capacity.HOUSING))
        .exclude(early_help_lead__isnull=False)
    )
    assert [i.recorded_by.username for i in others] == ["erin.earlyhelp"]


# ----- the demo's story, and seeding again


def test_dana_told_the_mash_about_a_pupil_whose_little_sibling_has_a_health_visitor() -> None:
    contact = Contact.objects.get(referrer__username="dana.dsl")
    case = contact.children.get().case
    school = dsl_school(partnership_ensure())

    assert case.state == State.RECEIVED
    assert Involvement.objects.current().filter(
        person=case.person, team=school, capacity=Capacity.SCHOOL
    )
    proposed = {p.team.pk: p for p in strategy_invitees_proposed(case)}
    assert school.pk in proposed
    visiting = [p for p in proposed.values() if p.team.service == "health_visiting"]
    assert visiting and "who lives with" in visiting[0].reason


def test_seeding_the_history_again_does_nothing() -> None:
    before = MashCase.objects.count()

    counts = mash_history_seed(contacts=CONTACTS, as_of=AS_OF, seed=SEED)

    assert set(counts.values()) == {0}
    assert MashCase.objects.count() == before


def _household_of(person_id: object) -> list[object]:
    homes = HouseholdMember.objects.filter(person=person_id, left_on__isnull=True)
    return list(
        HouseholdMember.objects.filter(household__in=homes.values("household")).values_list(
            "person", flat=True
        )
    )
