"""Who may do what to a MASH case, and when; and the MASH's deadlines. The one table the
services enforce, the case page's buttons follow and the API answers by (a test renders
the case page for each role in each state and compares its buttons with what the
services accept).

Everyone in the MASH that holds the case (every role in it: social workers, managers,
and the police, health and education staff) may look at it; each step needs more:

- screen (or re-rate): a MASH social worker or manager, while the case is received,
  screening or information gathering;
- ask a partner for information: anyone in the MASH, while screening or information
  gathering, once the case is rated;
- propose a decision: a MASH social worker or manager, while screening or information
  gathering, once rated;
- sign off (or send back) a decision: a MASH manager, while it awaits sign-off, and not
  the manager who proposed it;
- add an action: anyone in the MASH, until the case is closed;
- close a referral: a MASH social worker or manager, once its decision is signed off,
  and only once;
- plan a strategy discussion: a MASH social worker or manager, once the decision to hold
  one (or immediate protection) is signed off, and none is already waiting;
- record a strategy discussion: a MASH social worker or manager, once;
- record the initial child protection conference: a MASH social worker or manager,
  where one is due, once.

Deadlines, in working days and hours (`tellonce.core.workdays`: 09:00-17:00, England
and Wales bank holidays):

- the decision: 17:00 on the next working day after the contact (`decision_due`);
- a request for information: by the case's rating, `MASH_RFI_DUE_HOURS` working hours,
  escalated `MASH_RFI_ESCALATE_HOURS` after that (`rfi_deadlines`);
- the initial child protection conference: 15 working days after the strategy
  discussion that started the s47 enquiry (`conference_due`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from tellonce.core import workdays
from tellonce.core.dates import when_said
from tellonce.mash.models import Contact, MashCase, Outcome, State, StrategyDiscussion
from tellonce.organisations.models import Role

if TYPE_CHECKING:
    from tellonce.accounts.models import User


class Step(enum.StrEnum):
    SCREEN = "screen"
    ASK = "ask"
    DECIDE = "decide"
    SIGN_OFF = "sign_off"
    ADD_ACTION = "add_action"
    CLOSE = "close"
    PLAN_STRATEGY = "plan_strategy"
    RECORD_STRATEGY = "record_strategy"
    RECORD_CONFERENCE = "record_conference"


#: A condition on the case (and the discussion, for the steps about one): None when it
#: holds, else the field a refusal is reported on and its words.
Problem = tuple[str, str] | None
Condition = Callable[["User", MashCase, StrategyDiscussion | None], Problem]

SOCIAL_WORK = frozenset({Role.MASH_SOCIAL_WORKER, Role.MASH_MANAGER})
SOCIAL_WORK_ONLY = "Screening and decisions are for MASH social workers and managers"
WORKING = (State.SCREENING, State.INFORMATION_GATHERING)
STRATEGY_OUTCOMES = (Outcome.STRATEGY_DISCUSSION, Outcome.IMMEDIATE_PROTECTION)


@dataclass(frozen=True)
class Rule:
    #: Who may take the step (empty: anyone in the MASH), and what anyone else is told.
    roles: frozenset[str] = frozenset()
    refused: str = ""
    #: The states it may be taken in (empty: any); outside them it is refused at once.
    states: tuple[str, ...] = ()
    #: Further conditions, reported with the service's own problems (later ones win).
    conditions: tuple[Condition, ...] = field(default_factory=tuple)


def _rated(why: str) -> Condition:
    return lambda user, case, d: None if case.rag else ("rag", why)


def _not_the_proposer(user: User, case: MashCase, d: StrategyDiscussion | None) -> Problem:
    if case.decided_by_id == user.pk:
        return "agree", "You proposed this decision: another manager must sign it off"
    return None


def _open(user: User, case: MashCase, d: StrategyDiscussion | None) -> Problem:
    if case.closed_on is not None:
        return "case", f"This case closed on {when_said(case.closed_on)}: it takes no more actions"
    return None


def _a_signed_off_referral(user: User, case: MashCase, d: StrategyDiscussion | None) -> Problem:
    if case.state != State.OUTCOME or not case.is_referral:
        return "closure_reason", "Only a referral whose decision is signed off can be closed"
    return None


def _not_yet_closed(user: User, case: MashCase, d: StrategyDiscussion | None) -> Problem:
    if case.state == State.OUTCOME and case.is_referral and case.closed_on is not None:
        return "closure_reason", f"This referral was closed on {when_said(case.closed_on)}"
    return None


def _decided_on_a_strategy_discussion(
    user: User, case: MashCase, d: StrategyDiscussion | None
) -> Problem:
    if case.state != State.OUTCOME or case.outcome not in STRATEGY_OUTCOMES:
        return "outcome", (
            "A strategy discussion follows a signed-off decision to hold one (or immediate"
            " protection)"
        )
    return None


def _none_waiting(user: User, case: MashCase, d: StrategyDiscussion | None) -> Problem:
    if case.strategy_discussions.filter(held_on__isnull=True).exists():
        return "outcome", "A strategy discussion is already planned for this child"
    return None


def _not_yet_held(user: User, case: MashCase, d: StrategyDiscussion | None) -> Problem:
    if d is None:
        return "held_on", "No strategy discussion is planned for this child"
    if d.held_on is not None:
        return "held_on", "This strategy discussion has already been recorded"
    return None


def _conference_waiting(user: User, case: MashCase, d: StrategyDiscussion | None) -> Problem:
    if d is None or d.conference_due is None:
        return "conference_held_on", "No conference follows this strategy discussion"
    if d.conference_held_on is not None:
        return "conference_held_on", (
            f"The conference was recorded as held on {d.conference_held_on:%-d %B %Y}"
        )
    return None


RULES: dict[Step, Rule] = {
    Step.SCREEN: Rule(
        SOCIAL_WORK,
        SOCIAL_WORK_ONLY,
        (State.RECEIVED, State.SCREENING, State.INFORMATION_GATHERING),
    ),
    Step.ASK: Rule(
        states=WORKING,
        conditions=(_rated("Rate the case red, amber or green before asking for information"),),
    ),
    Step.DECIDE: Rule(
        SOCIAL_WORK,
        SOCIAL_WORK_ONLY,
        WORKING,
        (_rated("Rate the case red, amber or green before deciding"),),
    ),
    Step.SIGN_OFF: Rule(
        frozenset({Role.MASH_MANAGER}),
        "Only a MASH manager signs off decisions",
        (State.DECISION,),
        (_not_the_proposer,),
    ),
    Step.ADD_ACTION: Rule(conditions=(_open,)),
    Step.CLOSE: Rule(
        SOCIAL_WORK, SOCIAL_WORK_ONLY, conditions=(_a_signed_off_referral, _not_yet_closed)
    ),
    Step.PLAN_STRATEGY: Rule(
        SOCIAL_WORK,
        SOCIAL_WORK_ONLY,
        conditions=(_decided_on_a_strategy_discussion, _none_waiting),
    ),
    Step.RECORD_STRATEGY: Rule(SOCIAL_WORK, SOCIAL_WORK_ONLY, conditions=(_not_yet_held,)),
    Step.RECORD_CONFERENCE: Rule(SOCIAL_WORK, SOCIAL_WORK_ONLY, conditions=(_conference_waiting,)),
}


def require_mash(user: User, case: MashCase) -> None:
    """Refused unless the user works in the MASH that holds the case."""
    team = user.team
    if not user.works_in_mash or team is None or team.hub is None or team.hub.pk != case.hub_id:
        raise PermissionDenied("Only the MASH working on this case can do that")


def may_withdraw_contact(user: User, contact: Contact) -> bool:
    """Withdrawing a contact recorded in error: a MASH manager of the MASH that received
    it (whether it still may be, the service decides: `contact_withdraw`)."""
    team = user.team
    return bool(
        user.has_role(Role.MASH_MANAGER)
        and user.works_in_mash
        and team is not None
        and team.hub is not None
        and team.hub.pk == contact.hub_id
    )


def step_problems(
    step: Step, *, user: User, case: MashCase, discussion: StrategyDiscussion | None = None
) -> dict[str, str]:
    """Whether `user` may take `step` on `case` now: raises `PermissionDenied` (not this
    MASH, or not their role) and `ValidationError` (not in a state for it) at once, and
    returns the step's other problems by field, for the service to report with its own."""
    rule = RULES[step]
    require_mash(user, case)
    if rule.roles and not user.has_role(*rule.roles):
        raise PermissionDenied(rule.refused)
    if rule.states and case.state not in rule.states:
        allowed = " or ".join(State(s).label.lower() for s in rule.states)
        raise ValidationError(
            {"state": f"This case is {case.get_state_display().lower()}: it must be {allowed}"}
        )
    problems: dict[str, str] = {}
    for condition in rule.conditions:
        problem = condition(user, case, discussion)
        if problem is not None:
            problems[problem[0]] = problem[1]
    return problems


def may(
    step: Step, *, user: User, case: MashCase, discussion: StrategyDiscussion | None = None
) -> bool:
    """Whether the step would be accepted now (given good answers): what the page offers."""
    try:
        return not step_problems(step, user=user, case=case, discussion=discussion)
    except (PermissionDenied, ValidationError):
        return False


# ----- deadlines ---------------------------------------------------------------------


def decision_due(received_on: datetime) -> datetime:
    """A contact's decision is due by the end of the next working day."""
    return workdays.due_by_working_days(received_on, 1)


def rfi_deadlines(sent_on: datetime, rag: str) -> tuple[datetime, datetime]:
    """When a request for information is due, and when it is escalated, by the case's
    rating (working hours)."""
    due = workdays.due_by_working_hours(sent_on, settings.MASH_RFI_DUE_HOURS[rag])
    escalate = workdays.due_by_working_hours(due, settings.MASH_RFI_ESCALATE_HOURS[rag])
    return due, escalate


def conference_due(discussion_held_on: datetime) -> date:
    """The initial child protection conference: 15 working days after the strategy
    discussion that started the s47 enquiry."""
    return workdays.due_by_working_days(discussion_held_on, 15).date()
