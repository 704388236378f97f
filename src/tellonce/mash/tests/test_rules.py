"""The case page offers exactly what the services accept: for each role in the MASH, in
each state a case passes through, the buttons on Jack's case page are compared with the
steps the services would take with good answers (each tried, then undone)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client
from django.utils import timezone

from tellonce.audit.models import Channel
from tellonce.audit.services import Via
from tellonce.conftest import sign_in_fully
from tellonce.mash import rules, services
from tellonce.mash.models import ClosureReason, MashCase, Outcome, StrategyOutcome
from tellonce.mash.rules import Step
from tellonce.mash.services import ChildDetails
from tellonce.mash.tests.test_workflow import dana_tells_the_mash_about_jack, details
from tellonce.organisations.models import Role
from tellonce.testing.world import practitioner_make

pytestmark = pytest.mark.django_db

WEB = Via(channel=Channel.WEB)
PEOPLE = ("sam", "maria", "nina", "tom", "hannah", "ed")


class Undone(Exception):
    pass


def _accepted(attempt: Callable[[object, MashCase], object], user, case_id: int) -> bool:
    """Whether the service takes the step from `user` on the case as it is; nothing it
    did is kept."""
    try:
        with transaction.atomic():
            attempt(user, MashCase.objects.get(pk=case_id))
            raise Undone
    except Undone:
        return True
    except (PermissionDenied, ValidationError):
        return False


def _tries(world, case: MashCase) -> dict[str, Callable[[object, MashCase], object]]:
    """Each step of the case page with good answers, by the link the page shows for it;
    each is given the case as it is now (a step undone may have changed it in memory)."""
    case.refresh_from_db()
    now = timezone.now()
    waiting = set(case.requests.filter(answered_on__isnull=True).values_list("team", flat=True))
    partner = next(p.team for p in services.rfi_teams_proposed(case) if p.team.pk not in waiting)
    invitees = [p.team.pk for p in services.strategy_invitees_proposed(case)]
    tries: dict[str, Callable[[object, MashCase], object]] = {
        f"/mash/cases/{case.pk}/screen/": lambda user, case: services.case_screen(
            user=user, case=case, rag="red", reason="A disclosure of physical harm today", via=WEB
        ),
        f"/mash/cases/{case.pk}/requests/": lambda user, case: services.rfi_send(
            user=user,
            case=case,
            team=partner,
            question="What do you know of the family, and of any adults at the address?",
            via=WEB,
        ),
        f"/mash/cases/{case.pk}/decision/": lambda user, case: services.decision_propose(
            user=user,
            case=case,
            outcome=Outcome.STRATEGY_DISCUSSION,
            reason="Disclosure of physical harm, and police history of domestic abuse at home.",
            via=WEB,
        ),
        f"/mash/cases/{case.pk}/sign-off/": lambda user, case: services.decision_sign_off(
            user=user, case=case, agree=True, note="", via=WEB
        ),
        f"/mash/cases/{case.pk}/actions/": lambda user, case: services.action_add(
            user=user,
            case=case,
            description="See Jack at school and hear from him directly",
            owner=world.sam,
            due_on=timezone.localdate() + timedelta(days=1),
            via=WEB,
        ),
        f"/mash/cases/{case.pk}/close/": lambda user, case: services.referral_close(
            user=user,
            case=case,
            closure_reason=ClosureReason.RC8,
            note="The assessment is complete and the family accept early help.",
            via=WEB,
        ),
        f"/mash/cases/{case.pk}/strategy/": lambda user, case: services.strategy_discussion_plan(
            user=user, case=case, team_ids=invitees, via=WEB
        ),
    }
    tries[f"/mash/contacts/{case.contact_id}/withdraw/"] = lambda user, case: (
        services.contact_withdraw(
            user=user,
            contact=case.contact,
            reason="Recorded in error: Dana meant another child at the school.",
            via=WEB,
        )
    )
    for discussion in case.strategy_discussions.all():
        came = [i.team_id for i in discussion.invitees.all()]
        tries[f"/mash/strategy/{discussion.pk}/record/"] = (
            lambda user, case, d=discussion.pk, came=came: services.strategy_discussion_record(
                user=user,
                discussion=case.strategy_discussions.get(pk=d),
                held_on=now - timedelta(hours=1),
                attended_team_ids=came,
                information_shared="Each agency shared what it knows of Jack and the household.",
                outcome=StrategyOutcome.JOINT_S47,
                rationale="Jack's account and the police history meet the threshold for s47.",
                via=WEB,
            )
        )
        tries[f"/mash/strategy/{discussion.pk}/conference/"] = lambda user, case, d=discussion.pk: (
            services.conference_held_record(
                user=user,
                discussion=case.strategy_discussions.get(pk=d),
                held_on=timezone.localdate(),
                via=WEB,
            )
        )
    return tries


def _offered(user, case: MashCase, tries: dict[str, object]) -> set[str]:
    page = sign_in_fully(Client(), user).get(f"/mash/cases/{case.pk}/").content.decode()
    links = set(re.findall(r'href="(/mash/(?:cases|strategy|contacts)/\d+/[a-z-]+/)"', page))
    return links & set(tries)


def _compare(world, case: MashCase, people: dict[str, object]) -> dict[str, set[str]]:
    """For each person: the steps offered but refused, and accepted but not offered."""
    tries = _tries(world, case)
    wrong = {}
    for name, user in people.items():
        offered = _offered(user, case, tries)
        accepted = {link for link, attempt in tries.items() if _accepted(attempt, user, case.pk)}
        if offered != accepted:
            wrong[name] = {f"offered, refused: {link}" for link in offered - accepted} | {
                f"accepted, not offered: {link}" for link in accepted - offered
            }
    return wrong


@pytest.fixture
def people(world):
    nina = practitioner_make("nina", "Nina", "Shah", world.mash, Role.MASH_MANAGER, is_manager=True)
    return {name: getattr(world, name, None) or nina for name in PEOPLE}


def test_in_every_state_each_role_is_offered_just_what_the_services_accept(world, people):
    case = dana_tells_the_mash_about_jack(world)
    seen = []

    def check(label: str) -> None:
        case.refresh_from_db()
        assert _compare(world, case, people) == {}, label
        seen.append(label)

    check("received")
    services.case_screen(
        user=world.sam, case=case, rag="amber", reason="A disclosure of physical harm", via=WEB
    )
    check("screening")
    services.rfi_send(
        user=world.sam,
        case=case,
        team=services.rfi_teams_proposed(case)[0].team,
        question="What do you know of the family's recent history?",
        via=WEB,
    )
    check("information gathering")
    services.decision_propose(
        user=world.maria,
        case=case,
        outcome=Outcome.STRATEGY_DISCUSSION,
        reason="Disclosure of physical harm, and police history of domestic abuse at home.",
        via=WEB,
    )
    # Maria proposed it: Nina, the other manager, may sign it off, and Maria may not.
    check("decision proposed by a manager")
    services.decision_sign_off(user=people["nina"], case=case, agree=True, note="", via=WEB)
    check("outcome: a strategy discussion to plan")
    invitees = [p.team.pk for p in services.strategy_invitees_proposed(case)]
    discussion = services.strategy_discussion_plan(
        user=world.sam, case=case, team_ids=invitees, via=WEB
    )
    check("a strategy discussion waiting")
    services.strategy_discussion_record(
        user=world.sam,
        discussion=discussion,
        held_on=timezone.now() - timedelta(hours=2),
        attended_team_ids=[i.team_id for i in discussion.invitees.all()],
        information_shared="Each agency shared what it knows of Jack and the household.",
        outcome=StrategyOutcome.JOINT_S47,
        rationale="Jack's account and the police history meet the threshold for s47.",
        via=WEB,
    )
    check("an s47 enquiry, its conference due")
    services.referral_close(
        user=world.sam,
        case=case,
        closure_reason=ClosureReason.RC8,
        note="The assessment is complete and the family accept early help.",
        via=WEB,
    )
    check("the referral closed")
    assert len(seen) == 8


def test_a_case_closed_at_sign_off_takes_no_more_steps_from_anyone(world, people):
    contact = services.contact_make(
        user=world.dana,
        details=details(ChildDetails(person_id=world.jack.pk)),
        channel="web",
        via=WEB,
    )
    case = contact.children.get().case
    services.case_screen(
        user=world.sam, case=case, rag="green", reason="Low risk to Jack at the moment", via=WEB
    )
    services.decision_propose(
        user=world.sam,
        case=case,
        outcome=Outcome.NFA_ADVICE,
        reason="No role for the MASH: the school's support is what Jack needs now.",
        advice="The school to keep supporting Jack and tell the MASH of any change.",
        via=WEB,
    )
    services.decision_sign_off(user=world.maria, case=case, agree=True, note="", via=WEB)
    case.refresh_from_db()
    assert case.closed_on is not None
    assert _compare(world, case, people) == {}
    for step in Step:
        assert not rules.may(step, user=world.maria, case=case)
