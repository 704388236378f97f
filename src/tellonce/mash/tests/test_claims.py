"""Two people at the same MASH step at the same moment (issue 13): Maria and Mo, both
MASH managers, open Jack's case and sign off its decision together; one signs it off
and the other is told someone got there first, and Jack has one decision on his
chronology and one lead professional. The same for a sign-off against a send-back, a
referral closed twice, the daily meeting closed twice, a strategy discussion planned
twice, the police asked twice, and two contacts about Jack arriving together.

Each race runs in turn on any database, and for real (two connections, released
together) on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.conftest import sign_in_fully
from tellonce.earlyhelp.models import Episode
from tellonce.mash import services
from tellonce.mash.models import (
    CaseTransition,
    ContactChild,
    InformationRequest,
    MashCase,
    Meeting,
    Outcome,
    State,
    StrategyDiscussion,
)
from tellonce.mash.models import Channel as ContactChannel
from tellonce.mash.services import ChildDetails
from tellonce.mash.tests.test_workflow import (
    WEB,
    dana_tells_the_mash_about_jack,
    details,
    screened,
)
from tellonce.organisations.models import Role
from tellonce.testing.races import (
    Race,
    at_once,
    one_refused_after_the_other,
    one_wins_at_once,
    postgres_only,
)
from tellonce.testing.world import World, practitioner_make


def mo(world: World) -> Any:
    """Mo Khan, the MASH's other manager."""
    from tellonce.accounts.models import User

    found = User.objects.filter(username="mo").first()
    return found or practitioner_make(
        "mo", "Mo", "Khan", world.mash, Role.MASH_MANAGER, is_manager=True
    )


def proposed(world: World, outcome: str = Outcome.STRATEGY_DISCUSSION, **extra: Any) -> int:
    case = screened(world, dana_tells_the_mash_about_jack(world))
    services.decision_propose(
        user=world.sam,
        case=case,
        outcome=outcome,
        reason="Disclosure of physical harm, and police history of domestic abuse at home.",
        via=WEB,
        **extra,
    )
    mo(world)
    return case.pk


def signed_off_referral(world: World) -> int:
    pk = proposed(world)
    services.decision_sign_off(user=world.maria, case=load_case(pk), agree=True, note="", via=WEB)
    return pk


def early_help_proposed(world: World) -> int:
    return proposed(world, Outcome.EARLY_HELP, lead_professional_user=world.erin)


def signed_off(world: World, case: MashCase, manager: Any) -> MashCase:
    return services.decision_sign_off(user=manager, case=case, agree=True, note="", via=WEB)


def closed(world: World, case: MashCase, user: Any) -> MashCase:
    return services.referral_close(
        user=user,
        case=case,
        closure_reason="RC8",
        note="Assessment found no continuing need; family engaged with school support.",
        via=WEB,
    )


def minuted_meeting(world: World) -> int:
    case = screened(world, dana_tells_the_mash_about_jack(world))
    meeting = services.meeting_open(user=world.maria, via=WEB)
    services.meeting_minute(
        user=world.tom,
        item=meeting.items.get(case=case),
        minutes="Police shared two call-outs; school says Jack is often hungry.",
        decisions="Strategy discussion today at 14:00.",
        via=WEB,
    )
    return meeting.pk


def meeting_closed(world: World, meeting: Meeting, user: Any) -> Meeting:
    attendees = "Maria Lopez (MASH), Tom Price (police), Hannah Reid (health)"
    return services.meeting_close(user=user, meeting=meeting, attendees=attendees, via=WEB)


def strategy_planned(world: World, case: MashCase, user: Any) -> StrategyDiscussion:
    teams = [p.team.pk for p in services.strategy_invitees_proposed(case)]
    return services.strategy_discussion_plan(user=user, case=case, team_ids=teams, via=WEB)


def asked_the_police(world: World, case: MashCase, user: Any) -> InformationRequest:
    return services.rfi_send(
        user=user,
        case=case,
        team=world.police_mash,
        question="Any call-outs to the address, and who lives there?",
        via=WEB,
    )


def decisions_and_leads(world: World) -> tuple[int, ...]:
    return (
        ChronologyEvent.objects.filter(person=world.jack, kind=EventKind.DECISION).count(),
        # Early help asked for once, waiting for its lead (tellonce.earlyhelp).
        Episode.objects.filter(person=world.jack).count(),
        CaseTransition.objects.filter(from_state=State.DECISION).count(),
    )


def load_case(pk: int) -> MashCase:
    return MashCase.objects.get(pk=pk)


RACES = {
    "a decision signed off by two managers": Race(
        prepare=early_help_proposed,
        load=load_case,
        first=lambda world, case: signed_off(world, case, world.maria),
        second=lambda world, case: signed_off(world, case, mo(world)),
        written=decisions_and_leads,
    ),
    "a decision signed off and sent back": Race(
        prepare=proposed,
        load=load_case,
        first=lambda world, case: signed_off(world, case, world.maria),
        second=lambda world, case: services.decision_sign_off(
            user=mo(world), case=case, agree=False, note="Speak to Jack's school first.", via=WEB
        ),
        written=lambda world: (CaseTransition.objects.filter(from_state=State.DECISION).count(),),
    ),
    "a referral closed twice": Race(
        prepare=lambda world: signed_off_referral(world),
        load=load_case,
        first=lambda world, case: closed(world, case, world.sam),
        second=lambda world, case: closed(world, case, world.maria),
        written=lambda world: (
            CaseTransition.objects.filter(reason__startswith="Closed:").count(),
        ),
    ),
    "the daily meeting closed twice": Race(
        prepare=minuted_meeting,
        load=lambda pk: Meeting.objects.get(pk=pk),
        first=lambda world, meeting: meeting_closed(world, meeting, world.sam),
        second=lambda world, meeting: meeting_closed(world, meeting, world.maria),
        written=lambda world: (
            ChronologyEvent.objects.filter(person=world.jack, kind=EventKind.MEETING).count(),
        ),
    ),
}

#: Steps whose own check reads the database: in turn, the second is refused by it; only
#: at the same moment does the claim decide.
AT_ONCE = {
    **RACES,
    "the police asked twice": Race(
        prepare=lambda world: screened(world, dana_tells_the_mash_about_jack(world)).pk,
        load=load_case,
        first=lambda world, case: asked_the_police(world, case, world.sam),
        second=lambda world, case: asked_the_police(world, case, world.maria),
        written=lambda world: (InformationRequest.objects.count(),),
    ),
    "a strategy discussion planned twice": Race(
        prepare=lambda world: signed_off_referral(world),
        load=load_case,
        first=lambda world, case: strategy_planned(world, case, world.sam),
        second=lambda world, case: strategy_planned(world, case, world.maria),
        written=lambda world: (StrategyDiscussion.objects.count(),),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("race", RACES.values(), ids=RACES.keys())
def test_the_second_of_two_at_the_same_step_is_refused_and_writes_nothing(world, race):
    refused = one_refused_after_the_other(world, race)
    (message,) = [m for messages in refused.message_dict.values() for m in messages]
    assert message.startswith("Someone else has just") or "by someone else" in message


@postgres_only
@pytest.mark.parametrize("race", AT_ONCE.values(), ids=AT_ONCE.keys())
def test_two_at_the_same_step_at_the_same_moment_do_it_once(committed_world, race):
    one_wins_at_once(committed_world, race)


def test_the_manager_who_signs_off_second_is_told_who_got_there_first(world):
    race = RACES["a decision signed off by two managers"]
    refused = one_refused_after_the_other(world, race)
    assert refused.message_dict == {
        "agree": [
            "This decision was already signed off or sent back by someone else: reload the"
            " case to see it"
        ]
    }
    case = MashCase.objects.get(person=world.jack)
    assert (case.state, case.signed_off_by) == (State.OUTCOME, world.maria)


@postgres_only
def test_two_contacts_about_jack_at_once_open_one_case(committed_world):
    world = committed_world

    def contact_from(referrer: Any) -> Any:
        return lambda: services.contact_make(
            user=referrer,
            details=details(ChildDetails(person_id=world.jack.pk), referrer_name=str(referrer)),
            channel=ContactChannel.WEB,
            via=WEB,
        )

    results = at_once(contact_from(world.dana), contact_from(world.priya))
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert MashCase.objects.filter(person=world.jack).count() == 1
    assert sorted(ContactChild.objects.values_list("duplicate", flat=True)) == [False, True]


#: The sign-off through each door: where to post, what, the answer of the one who signs
#: it off, and what the other is told (someone got there first; or, had they arrived
#: after it was done, that the case is no longer waiting).
DOORS = {
    "the page": (
        "/mash/cases/{}/sign-off/",
        {"agree": "yes", "note": ""},
        {},
        302,
        {200: ("by someone else", "This case is outcome")},
    ),
    "the API": (
        "/api/v1/mash/cases/{}/sign-off/",
        '{"agree": true, "note": ""}',
        {"content_type": "application/json"},
        200,
        {409: ("by someone else",), 400: ("This case is outcome",)},
    ),
}


@postgres_only
@pytest.mark.parametrize("door", DOORS.values(), ids=DOORS.keys())
def test_maria_and_mo_posting_the_sign_off_together_sign_it_off_once(committed_world, door):
    path, body, options, signed, refusals = door
    world = committed_world
    pk = proposed(world)
    clients = [sign_in_fully(Client(), manager) for manager in (world.maria, mo(world))]
    answers = at_once(
        *(lambda c=client: c.post(path.format(pk), body, **options) for client in clients)
    )
    (refused,) = [a for a in answers if a.status_code != signed]
    assert sorted(a.status_code for a in answers) == sorted([signed, refused.status_code])
    told = refused.content.decode()
    assert any(words in told for words in refusals[refused.status_code]), told
    assert ChronologyEvent.objects.filter(person=world.jack, kind=EventKind.DECISION).count() == 1
