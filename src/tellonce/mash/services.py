"""The MASH's work, written: contacts, screening, requests for information, decisions
and their sign-off, actions, the daily meeting and strategy discussions.

Every service checks who may do it and when (the table in `rules`, which the case page
reads too), validates everything at once (a `ValidationError`
naming each field and its problem), writes in one transaction with its audit entry,
chronology events and alerts (the outbox), and records each change of a case's state
as a `CaseTransition`. Each step claims its row before anything else is written
(`tellonce.core.claims`): a case changes state only from the state its check saw, and a
closure, a meeting's close, an answer or a strategy discussion's record lands once; two
managers signing off (or one signing off as another sends back) at the same moment
make one decision, and the second is refused with `AlreadyDone`. The worker's side
(chasing and escalating) is `mash_clock_tick`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone

from tellonce.accounts.selectors import managers_of
from tellonce.alerts.models import Alert, AlertKind
from tellonce.alerts.services import alerts_write
from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.chronology.services import chronology_entry_write
from tellonce.core import workdays
from tellonce.core.claims import AlreadyDone, claim
from tellonce.core.dates import date_problem, when_said
from tellonce.core.models import TELLONCE_SYSTEM
from tellonce.earlyhelp.services import episode_from_mash, lead_problem
from tellonce.involvements.models import Capacity, Confirmation, Involvement
from tellonce.involvements.services import (
    involvement_close,
    involvement_start,
    lead_professional,
    person_hold,
)
from tellonce.mash import rules
from tellonce.mash.models import (
    OPEN_STATES,
    REFERRAL_OUTCOMES,
    CaseAction,
    CaseTransition,
    ClosureReason,
    Consent,
    Contact,
    ContactChild,
    InformationRequest,
    MashCase,
    Meeting,
    MeetingItem,
    Outcome,
    Rag,
    ReferralSource,
    State,
    StrategyDiscussion,
    StrategyOutcome,
)
from tellonce.mash.rules import Step
from tellonce.organisations.models import Agency, AgencyKind, Role, Service, Team
from tellonce.people.models import Person
from tellonce.people.selectors import household_of
from tellonce.people.services import child_details_problems

if TYPE_CHECKING:
    from tellonce.accounts.models import User

CONTACT_SYSTEM = "TellOnce contact"
RE_REFERRAL_DAYS = 365
#: The reason for withdrawing a contact recorded in error, at least.
WITHDRAW_REASON_AT_LEAST = 15

# Answers that tell the MASH nothing.
_VAGUE = re.compile(
    r"^(n/?a|none|nil|no|nothing|unknown|not known|don'?t know|see above|as above|"
    r"tbc|tba|various|concerns?|same|\W*)\.?$",
    re.IGNORECASE,
)


def _vague(text: str, shortest: int) -> bool:
    text = " ".join((text or "").split())
    return len(text) < shortest or bool(_VAGUE.match(text))


def _hub_for(user: User | None) -> Team:
    """The MASH a contact goes to: the user's own, or the partnership's."""
    team = user.team if user is not None else None
    if team is not None and team.hub is not None:
        return team.hub
    hub = Team.objects.filter(service=Service.MASH).order_by("pk").first()
    if hub is None:
        raise ValidationError({"hub": "No MASH is set up in this partnership"})
    return hub


def source_for(agency: Agency | None, team: Team | None) -> str:
    """The DfE referral source a contact from this team most likely has."""
    by_service = {
        Service.HEALTH_VISITING: ReferralSource.HEALTH_VISITOR,
        Service.SCHOOL_NURSING: ReferralSource.SCHOOL_NURSE,
        Service.GP: ReferralSource.GP,
        Service.EMERGENCY_DEPARTMENT: ReferralSource.EMERGENCY_DEPARTMENT,
        Service.EARLY_HELP: ReferralSource.EARLY_HELP,
        Service.EDUCATION_MASH: ReferralSource.EDUCATION,
    }
    if team is not None and team.service in by_service:
        return by_service[Service(team.service)]
    by_kind = {
        AgencyKind.SCHOOL: ReferralSource.SCHOOLS,
        AgencyKind.POLICE: ReferralSource.POLICE,
        AgencyKind.GP_PRACTICE: ReferralSource.GP,
        AgencyKind.NHS_TRUST: ReferralSource.HEALTH_OTHER,
        AgencyKind.INTEGRATED_CARE_BOARD: ReferralSource.HEALTH_OTHER,
        AgencyKind.HOUSING: ReferralSource.HOUSING,
        AgencyKind.LOCAL_AUTHORITY: ReferralSource.LA_INTERNAL,
        AgencyKind.VOLUNTARY: ReferralSource.OTHER,
    }
    return by_kind.get(agency.kind, "") if agency is not None else ""  # type: ignore[call-overload]


def _audit(
    via: Via, user: User, obj: Any, change: str, *, person: Person | None = None, **detail: Any
) -> None:
    """Audit a change the MASH's work made: what changed, on whose record."""
    audit_via(
        via,
        user=user,
        action=Action.CHANGE,
        person=person,
        obj=obj,
        detail={"change": change, **detail},
    )


# ----- contacts -------------------------------------------------------------------


@dataclass
class ChildDetails:
    """A child named in a contact: a person already in TellOnce, or their details."""

    person_id: Any = None
    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    sex: str = ""
    postcode: str = ""
    nhs_number: str = ""


@dataclass
class ContactDetails:
    children: list[ChildDetails]
    source: str
    referrer_name: str
    referrer_role: str
    referrer_phone: str
    referrer_email: str
    concern: str
    help_so_far: str
    child_needs: str
    child_voice: str
    household: str
    family_knows: bool | None
    consent: str
    sharing_reason: str = ""
    external_ref: str = ""


def contact_check(details: ContactDetails) -> dict[str, str]:
    """Every problem with a contact, by field, in words the referrer can act on."""
    problems: dict[str, str] = {}
    if not details.children:
        problems["children"] = "Name at least one child the contact is about"
    for n, child in enumerate(details.children):
        if child.person_id:
            continue
        problems |= child_details_problems(
            child,
            f"children-{n}-",
            today=timezone.localdate(),
            oldest_years=26,
            too_old="The date of birth makes them over 25: contacts to the MASH are about children",
            no_birth="Enter the child's date of birth (your best estimate if you are not sure)",
        )
    if details.source not in ReferralSource.values:
        problems["source"] = "Choose who the contact comes from (the referral source)"
    if not details.referrer_name.strip():
        problems["referrer_name"] = "Enter the name of the person making the contact"
    if details.source not in (ReferralSource.ANONYMOUS, ReferralSource.UNKNOWN) and not (
        details.referrer_phone.strip() or details.referrer_email.strip()
    ):
        problems["referrer_phone"] = "Enter a phone number or email so the MASH can reach you"
    if _vague(details.concern, 40):
        problems["concern"] = (
            "Describe the concern in your own words: what happened or what you saw, when,"
            " and how it affects the child (at least a few sentences)"
        )
    if _vague(details.help_so_far, 20):
        problems["help_so_far"] = (
            "Say what has already been done to help the child and family, and by whom;"
            " if nothing has, say why"
        )
    if _vague(details.child_needs, 20):
        problems["child_needs"] = (
            "Describe the child's own needs (health, development, education, safety),"
            " not only the parents' difficulties"
        )
    if _vague(details.child_voice, 10):
        problems["child_voice"] = (
            "Say what the child has said or how they seem, or why their views are not"
            " known (for example, a baby, or not yet spoken to)"
        )
    if _vague(details.household, 10):
        problems["household"] = (
            "Say who lives with the child: adults and other children, and their"
            " relationship to the child"
        )
    if details.family_knows is None:
        problems["family_knows"] = "Say whether the family knows about this contact"
    if details.consent not in Consent.values:
        problems["consent"] = "Say whether the family agrees to the contact"
    elif details.consent != Consent.GIVEN and _vague(details.sharing_reason, 20):
        problems["sharing_reason"] = (
            "Without the family's agreement, say why you are sharing: what harm to the child"
            " you fear if you wait or ask (Data Protection Act 2018, Schedule 8)"
        )
    return problems


def contact_make(
    *,
    user: User,
    details: ContactDetails,
    channel: str,
    via: Via,
    received_on: datetime | None = None,
) -> Contact:
    """Receive a contact: each child matched to a person, a MASH case opened for each
    child (or the contact joined to a case opened for them in the last few days), the
    MASH enquiry on the involvement register, the contact on each child's chronology."""
    if not user.does_casework or user.team is None:
        raise PermissionDenied("Making a contact is for practitioners and agency systems")
    problems = contact_check(details)
    chosen = _chosen_persons(user, details.children, problems)
    agency = user.team.agency
    if (
        details.external_ref
        and Contact.objects.filter(
            referring_agency=agency, external_ref=details.external_ref
        ).exists()
    ):
        problems["external_ref"] = "Your agency has already sent a contact with this reference"
    if received_on is not None and (when := date_problem(received_on)):
        problems["received_on"] = f"The time the contact was received {when}"
    if problems:
        raise ValidationError(problems)
    hub = _hub_for(user)
    received_on = received_on or timezone.now()
    try:
        return _contact_store(user, details, chosen, hub, agency, channel, via, received_on)
    except IntegrityError as exc:
        # The same contact sent twice at once: the other request stored it first.
        if (
            details.external_ref
            and Contact.objects.filter(
                referring_agency=agency, external_ref=details.external_ref.strip()
            ).exists()
        ):
            raise ValidationError(
                {"external_ref": "Your agency has already sent a contact with this reference"}
            ) from exc
        raise


def _contact_store(
    user: User,
    details: ContactDetails,
    chosen: dict[int, tuple[Person, str]],
    hub: Team,
    agency: Agency,
    channel: str,
    via: Via,
    received_on: datetime,
) -> Contact:
    with transaction.atomic():
        contact = Contact.objects.create(
            hub=hub,
            received_on=received_on,
            channel=channel,
            referrer=user,
            referrer_name=details.referrer_name.strip(),
            referrer_role=details.referrer_role.strip(),
            referrer_phone=details.referrer_phone.strip(),
            referrer_email=details.referrer_email.strip(),
            referring_agency=agency,
            source=details.source,
            concern=details.concern.strip(),
            help_so_far=details.help_so_far.strip(),
            child_needs=details.child_needs.strip(),
            child_voice=details.child_voice.strip(),
            household=details.household.strip(),
            family_knows=bool(details.family_knows),
            consent=details.consent,
            # With the family's agreement no other basis is needed, or kept.
            sharing_reason=""
            if details.consent == Consent.GIVEN
            else details.sharing_reason.strip(),
            external_ref=details.external_ref.strip(),
            created_by=user,
        )
        for n, child in enumerate(details.children):
            person, match = chosen.get(n) or _child_matched(contact, n, child)
            _contact_child_add(contact, person, match, user)
        _audit(via, user, contact, "contact made", children=len(details.children))
    return contact


def _chosen_persons(
    user: User, children: Sequence[ChildDetails], problems: dict[str, str]
) -> dict[int, tuple[Person, str]]:
    from tellonce.access.policy import Level, access_for

    chosen: dict[int, tuple[Person, str]] = {}
    for n, child in enumerate(children):
        if not child.person_id:
            continue
        person = Person.objects.filter(pk=child.person_id).first()
        if person is None or access_for(user, person).level < Level.FLAG:
            problems[f"children-{n}-person"] = "TellOnce has no such child: check the link"
        else:
            chosen[n] = (person, ContactChild.Match.CHOSEN)
    return chosen


def _child_matched(contact: Contact, n: int, child: ChildDetails) -> tuple[Person, str]:
    """Match a child given by their details through the linkage engine, as an agency
    record of the referrer's agency."""
    from tellonce.linkage.arrivals import Outcome as Arrived
    from tellonce.linkage.arrivals import person_for_details

    assert contact.referring_agency is not None
    person, outcome = person_for_details(
        agency=contact.referring_agency,
        system=CONTACT_SYSTEM,
        local_id=f"contact-{contact.pk}-{n + 1}",
        given_name=child.given_name,
        family_name=child.family_name,
        date_of_birth=child.date_of_birth,
        sex=child.sex,
        postcode=child.postcode,
        nhs_number=child.nhs_number,
        received_on=contact.received_on,
    )
    match = {
        Arrived.LINKED: ContactChild.Match.LINKED,
        Arrived.ALREADY_LINKED: ContactChild.Match.LINKED,
        Arrived.REVIEW: ContactChild.Match.REVIEW,
    }.get(outcome, ContactChild.Match.NEW)
    return person, match


def _contact_child_add(contact: Contact, person: Person, match: str, user: User) -> ContactChild:
    # Two contacts about the child at once: the second waits, then joins the first's case.
    person_hold(person.pk)
    since = contact.received_on - timedelta(days=settings.MASH_DUPLICATE_DAYS)
    open_case = (
        MashCase.objects.filter(
            hub=contact.hub, person=person, state__in=OPEN_STATES, received_on__gte=since
        )
        .order_by("-received_on")
        .first()
    )
    if open_case is not None:
        _transition(
            open_case,
            open_case.state,
            user,
            f"Another contact about the child joined this case (contact {contact.pk},"
            f" from {contact.referrer_name})",
        )
        case, duplicate = open_case, True
    else:
        case = MashCase.objects.create(
            hub=contact.hub,
            person=person,
            contact=contact,
            received_on=contact.received_on,
            decision_due=rules.decision_due(contact.received_on),
            involvement=_mash_enquiry(contact.hub, person, contact),
            created_by=user,
        )
        _transition(
            case, "", user, f"Contact received from {referrer_described(contact)}", first=True
        )
        duplicate = False
    chronology_entry_write(
        kind=EventKind.CONTACT,
        person=person,
        moment=contact.received_on,
        summary=(
            f"Contact to {contact.hub.name} from {referrer_described(contact)}"
            f" ({contact.get_source_display()}).\nConcern: {contact.concern}"
            + ("\nJoined the MASH case already open for the child." if duplicate else "")
        ),
        agency=contact.referring_agency or contact.hub.agency,
        recorder=user,
        reference=f"mash-contact-{contact.pk}",
    )
    return ContactChild.objects.create(
        contact=contact, person=person, case=case, match=match, duplicate=duplicate
    )


def referrer_described(contact: Contact) -> str:
    """Who made the contact, as the MASH says it: "Dana Lee, designated safeguarding
    lead (Oakfield Primary School)"."""
    agency = contact.referring_agency.name if contact.referring_agency else ""
    role = f", {contact.referrer_role}" if contact.referrer_role else ""
    return f"{contact.referrer_name}{role}" + (f" ({agency})" if agency else "")


def _mash_enquiry(hub: Team, person: Person, contact: Contact) -> Involvement:
    current = (
        Involvement.objects.current()
        .filter(person=person, team=hub, capacity=Capacity.MASH_ENQUIRY)
        .first()
    )
    if current is not None:
        return current
    return involvement_start(
        person=person,
        team=hub,
        capacity=Capacity.MASH_ENQUIRY,
        started_on=timezone.localdate(contact.received_on),
        source_agency=hub.agency,
        source_system=TELLONCE_SYSTEM,
        recorded_by=contact.referrer,
        created_by=contact.referrer,
        confirmation=Confirmation.TELLONCE,
    )


def _transition(
    case: MashCase,
    to_state: str,
    user: User,
    reason: str,
    *,
    first: bool = False,
    claimed: tuple[str, str] = ("case", "Someone else has just changed this case"),
    expected: dict[str, Any] | None = None,
) -> CaseTransition:
    """Record a change of state (or, with no new state, something done within it).

    A new state is claimed (`tellonce.core.claims`): the case changes only if it is
    still as the step's check saw it (`expected`, by default its state), else the step
    is refused with `claimed` (a field and what happened). Steps call this before any
    other write, so the one refused writes nothing."""
    from_state = "" if first else case.state
    if to_state and to_state != case.state:
        now = timezone.now()
        claim(
            MashCase,
            case.pk,
            expected=expected if expected is not None else {"state": case.state},
            changes={"state": to_state, "modified_by": user, "modified_on": now},
            field=claimed[0],
            refused=claimed[1],
        )
        case.state, case.modified_by, case.modified_on = to_state, user, now
    return CaseTransition.objects.create(
        case=case,
        from_state=from_state,
        to_state=to_state or case.state,
        by=user,
        reason=reason,
    )


# ----- screening --------------------------------------------------------------------


def case_screen(*, user: User, case: MashCase, rag: str, reason: str, via: Via) -> MashCase:
    """Screen a case (or change its rating while the MASH works on it): red, amber or
    green, and why."""
    problems = rules.step_problems(Step.SCREEN, user=user, case=case)
    if rag not in Rag.values:
        problems["rag"] = "Choose a rating: red, amber or green"
    if _vague(reason, 15):
        problems["rag_reason"] = "Say why you chose this rating: the risk to the child now"
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        before = case.get_rag_display() if case.rag else ""
        case.rag, case.rag_reason = rag, reason.strip()
        change = f"Rated {case.get_rag_display().lower()}" + (
            f" (was {before.lower()})" if before and before != case.get_rag_display() else ""
        )
        to = State.SCREENING if case.state == State.RECEIVED else ""
        _transition(
            case,
            to,
            user,
            f"{change}: {case.rag_reason}",
            claimed=(
                "rag",
                "Someone else has just screened this case: reload it to see their rating",
            ),
        )
        case.allocated_to = case.allocated_to or user
        case.save(update_fields=["rag", "rag_reason", "allocated_to", "modified_on"])
        _audit(via, user, case, "screened", person=case.person, rag=rag)
    return case


# ----- requests for information -----------------------------------------------------


@dataclass
class ProposedTeam:
    team: Team
    reasons: list[str] = field(default_factory=list)
    user: Any = None
    always: bool = False

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def _involved_teams(case: MashCase, proposed: dict[int, ProposedTeam]) -> None:
    child = case.person
    circle = [child, *household_of(child)]
    involvements = (
        Involvement.objects.current()
        .filter(person__in=circle)
        .exclude(team=case.hub_id)
        .select_related("team__agency", "practitioner", "person")
        .order_by("started_on", "pk")
    )
    for involvement in involvements:
        whom = (
            child.given_name
            if involvement.person_id == child.pk
            else f"{involvement.person.full_name}, who lives with {child.given_name}"
        )
        entry = proposed.setdefault(involvement.team_id, ProposedTeam(involvement.team))
        entry.reasons.append(f"works with {whom} ({involvement.capacity_in_sentence})")
        entry.user = entry.user or involvement.practitioner


def rfi_teams_proposed(case: MashCase) -> list[ProposedTeam]:
    """Who the MASH may ask: the police, health and education desks in the MASH, the
    borough's housing service, and every team working with the child or their
    household, each with why."""
    proposed: dict[int, ProposedTeam] = {}
    desks = {
        Service.POLICE_MASH: "police checks",
        Service.HEALTH_MASH: "health records (GP, health visiting, school nursing, hospital)",
        Service.EDUCATION_MASH: "education: attendance, exclusions, the school's view",
    }
    for team in Team.objects.filter(mash=case.hub_id, service__in=desks).select_related("agency"):
        proposed[team.pk] = ProposedTeam(team, [desks[team.service]])  # type: ignore[index]
    for team in Team.objects.filter(service=Service.HOUSING).select_related("agency")[:3]:
        proposed.setdefault(team.pk, ProposedTeam(team, ["housing"]))
    _involved_teams(case, proposed)
    return list(proposed.values())


def rfi_send(
    *, user: User, case: MashCase, team: Team, question: str, via: Via
) -> InformationRequest:
    """Ask a partner team for what it knows, with a deadline set by the case's rating;
    the team is told at once."""
    problems = rules.step_problems(Step.ASK, user=user, case=case)
    if team.pk == case.hub_id:
        problems["team"] = "Ask a partner team, not the MASH itself"
    if _vague(question, 15):
        problems["question"] = "Say what you need to know from this team, and why"
    waiting = case.requests.filter(team=team, answered_on__isnull=True)
    if waiting.exists():
        problems["team"] = f"{team.name} has not yet answered this case's request to them"
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    due, escalate = rules.rfi_deadlines(now, case.rag)
    with transaction.atomic():
        # The case is held while the request is sent: two asking the same team at once
        # send one request.
        MashCase.objects.select_for_update().filter(pk=case.pk).first()
        if waiting.exists():
            raise AlreadyDone(
                "team", f"Someone else has just asked {team.name}: reload the case to see it"
            )
        request = InformationRequest.objects.create(
            case=case,
            team=team,
            asked_by=user,
            question=question.strip(),
            rag=case.rag,
            sent_on=now,
            due_on=due,
            escalate_on=escalate,
            created_by=user,
        )
        to = State.INFORMATION_GATHERING if case.state == State.SCREENING else ""
        _transition(
            case,
            to,
            user,
            f"Information requested from {team.named}",
            # Requests to several teams at once are all sent; a decision proposed
            # meanwhile is not undone.
            expected={"state__in": rules.WORKING},
            claimed=("team", "A decision has just been proposed on this case: reload it"),
        )
        child = case.person
        alerts_write(
            [
                Alert(
                    kind=AlertKind.RFI_RECEIVED,
                    key=f"rfi:{request.pk}",
                    team=team,
                    person=child,
                    link=f"/mash/requests/{request.pk}/",
                    title=(
                        f"The MASH asks what you know about {child.full_name}"
                        f" ({case.get_rag_display().lower()}, due {when_said(due)})"
                    ),
                    body=(
                        f"{case.hub.name} is looking at a concern about {child.name_and_birth} and"
                        f" asks {team.name} for information by {when_said(due)}.\n"
                        f"Asked by {user.get_full_name()}, {case.hub.name}"
                        f" ({case.hub.contact_line})."
                    ),
                )
            ]
        )
        _audit(via, user, request, "information requested", person=child, team=team.pk)
    return request


def rfi_answer(
    *, user: User, request: InformationRequest, answer: str, via: Via
) -> InformationRequest:
    """The asked team answers: the MASH is told, and the time it took is recorded."""
    if user.team_id is None or user.team_id != request.team_id or not user.does_casework:
        raise PermissionDenied("Only the team that was asked can answer")
    problems = {}
    if request.answered_on is not None:
        problems["answer"] = (
            f"{request.answered_by} answered this request on {when_said(request.answered_on)}"
        )
    elif _vague(answer, 15):
        problems["answer"] = (
            "Write what your agency knows about the child and family; if you hold nothing,"
            " say so and what you checked"
        )
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    with transaction.atomic():
        claim(
            InformationRequest,
            request.pk,
            expected={"answered_on__isnull": True},
            changes={
                "answer": answer.strip(),
                "answered_by": user,
                "answered_on": now,
                "response_hours": round(workdays.working_hours_between(request.sent_on, now), 2),
                "modified_by": user,
                "modified_on": now,
            },
            field="answer",
            refused="Someone else has just answered this request: reload it to see their answer",
        )
        request.refresh_from_db()
        case = request.case
        alerts_write(
            [
                Alert(
                    kind=AlertKind.RFI_ANSWERED,
                    key=f"rfi:{request.pk}",
                    team=case.hub,
                    user=request.asked_by,
                    person=case.person,
                    link=f"/mash/cases/{case.pk}/",
                    title=f"{request.team.name} answered about {case.person.full_name}",
                    body=(
                        f"{user.get_full_name()} ({request.team.name},"
                        f" {request.team.agency.name}) answered the MASH's request on"
                        f" {when_said(now)}."
                    ),
                )
            ]
        )
        _audit(via, user, request, "information request answered", person=case.person)
    return request


# ----- decisions and actions --------------------------------------------------------


@dataclass
class ActionDetails:
    description: str
    owner: Any  # a User, or None
    due_on: date | None
    person: Person | None = None


def _actions_check(
    actions: Sequence[ActionDetails], case: MashCase, problems: dict[str, str]
) -> None:
    for n, action in enumerate(actions):
        prefix = f"actions-{n}-"
        if _vague(action.description, 10):
            problems[prefix + "description"] = "Say what is to be done, specifically for the child"
        if action.owner is None:
            problems[prefix + "owner"] = "Name who will do this action"
        elif not action.owner.does_casework or action.owner.is_system_account:
            problems[prefix + "owner"] = "The owner must be a practitioner"
        if action.due_on is None:
            problems[prefix + "due_on"] = (
                "Enter the date this action is due: every action needs one"
            )
        elif action.due_on < timezone.localdate(case.received_on):
            problems[prefix + "due_on"] = "The due date must be after the contact was received"


def _actions_store(case: MashCase, actions: Sequence[ActionDetails], user: User) -> None:
    """Store the actions; each owner other than the user is told what and by when."""
    stored = [
        CaseAction.objects.create(
            case=case,
            person=action.person or case.person,
            description=action.description.strip(),
            owner=action.owner,
            due_on=action.due_on,
            created_by=user,
        )
        for action in actions
        if action.due_on is not None  # checked by _actions_check: never None here
    ]
    alerts_write(
        [
            Alert(
                kind=AlertKind.ACTION_ASSIGNED,
                key=f"action:{action.pk}",
                team=action.owner.team,
                user=action.owner,
                person=action.person,
                link="/mash/actions/",
                title=(
                    f"An action for you about {action.person.full_name},"
                    f" due {action.due_on:%-d %B %Y}"
                ),
                body=(
                    f"{user.get_full_name()} ({case.hub.name}) asks you to: "
                    f"{action.description}\nDue by {action.due_on:%-d %B %Y}. Mark it done"
                    " in TellOnce when it is."
                ),
            )
            for action in stored
            if action.owner_id != user.pk and action.owner.team is not None
        ]
    )


def action_done(*, user: User, action: CaseAction, via: Via) -> CaseAction:
    """The owner (or the MASH) records that an action is done."""
    is_owner = action.owner_id == user.pk
    if not is_owner:
        if action.case is None:
            raise PermissionDenied("Only the action's owner can mark it done")
        rules.require_mash(user, action.case)
    if action.done_on is not None:
        raise ValidationError(
            {"done_on": f"This action was marked done on {action.done_on:%-d %B %Y}"}
        )
    with transaction.atomic():
        action.done_on, action.modified_by = timezone.localdate(), user
        claim(
            CaseAction,
            action.pk,
            expected={"done_on__isnull": True},
            changes={"done_on": action.done_on, "modified_by": user, "modified_on": timezone.now()},
            field="done_on",
            refused="Someone else has just marked this action done",
        )
        if action.case is not None:
            _transition(action.case, "", user, f"Action done: {action.description}")
        _audit(via, user, action, "action done", person=action.person)
    return action


def action_add(
    *, user: User, case: MashCase, description: str, owner: Any, due_on: date | None, via: Via
) -> CaseAction:
    """Add an action for the child: a description, an owner, and a due date."""
    problems = rules.step_problems(Step.ADD_ACTION, user=user, case=case)
    details = ActionDetails(description, owner, due_on)
    _actions_check([details], case, problems)
    if problems:
        raise ValidationError({k.removeprefix("actions-0-"): v for k, v in problems.items()})
    with transaction.atomic():
        _actions_store(case, [details], user)
        action = case.actions.order_by("-pk").first()
        assert action is not None
        _audit(via, user, action, "action added", person=case.person)
    return action


def decision_propose(
    *,
    user: User,
    case: MashCase,
    outcome: str,
    reason: str,
    advice: str = "",
    lead_professional_user: Any = None,
    actions: Sequence[ActionDetails] = (),
    via: Via,
) -> MashCase:
    """A MASH social worker proposes the outcome, with why and the actions that follow;
    a manager then signs it off (`decision_sign_off`)."""
    problems = rules.step_problems(Step.DECIDE, user=user, case=case)
    if outcome not in Outcome.values:
        problems["outcome"] = "Choose the outcome"
    if _vague(reason, 30):
        problems["outcome_reason"] = (
            "Explain the decision: what you found, the risk to the child, and why this"
            " outcome meets the child's needs"
        )
    if outcome == Outcome.NFA_ADVICE and _vague(advice, 15):
        problems["advice"] = "Say what advice is given, and to whom"
    if outcome == Outcome.EARLY_HELP:
        if lead_professional_user is None:
            problems["lead_professional"] = (
                "Name the lead professional for early help: it cannot be accepted without one"
            )
        else:
            current = lead_professional(case.person)
            if current is not None and current.practitioner_id != lead_professional_user.pk:
                problems["lead_professional"] = (
                    f"{current.practitioner or current.team} is already the lead professional"
                    f" for {case.person.full_name}: they must hand over first"
                )
            else:
                problem = lead_problem(lead_professional_user, case.person)
                if problem:
                    problems["lead_professional"] = problem
    _actions_check(actions, case, problems)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        case.outcome = outcome
        case.outcome_reason = reason.strip()
        _transition(
            case,
            State.DECISION,
            user,
            f"Proposed: {case.get_outcome_display()}. {case.outcome_reason}",
            expected={"state__in": rules.WORKING},
            claimed=(
                "outcome",
                "Someone else has just proposed a decision on this case: reload it to see it",
            ),
        )
        case.advice = advice.strip()
        case.lead_professional = lead_professional_user if outcome == Outcome.EARLY_HELP else None
        case.decided_by = user
        case.decided_on = timezone.now()
        case.save()
        _actions_store(case, actions, user)
        _audit(via, user, case, "decision proposed", person=case.person, outcome=outcome)
    return case


def decision_sign_off(*, user: User, case: MashCase, agree: bool, note: str, via: Via) -> MashCase:
    """A MASH manager signs off the proposed decision, or sends it back saying why."""
    problems = rules.step_problems(Step.SIGN_OFF, user=user, case=case)
    if not agree and _vague(note, 15):
        problems["note"] = "Say why the decision is sent back and what is needed"
    if problems:
        raise ValidationError(problems)
    # The decision the manager saw, unchanged: not one since sent back and proposed again.
    seen = {"state": State.DECISION, "decided_on": case.decided_on}
    already = (
        "agree",
        "This decision was already signed off or sent back by someone else: reload the case"
        " to see it",
    )
    with transaction.atomic():
        if not agree:
            _transition(
                case,
                State.INFORMATION_GATHERING,
                user,
                f"Sent back: {note.strip()}",
                expected=seen,
                claimed=already,
            )
            _audit(via, user, case, "decision sent back", person=case.person)
            return case
        _transition(
            case,
            State.OUTCOME,
            user,
            f"Signed off: {case.get_outcome_display()}"
            + (f". {note.strip()}" if note.strip() else ""),
            expected=seen,
            claimed=already,
        )
        now = timezone.now()
        case.signed_off_by, case.signed_off_on = user, now
        case.is_referral = case.outcome in REFERRAL_OUTCOMES
        if case.is_referral:
            case.previous_referral = previous_referral(
                case.person, before=case.received_on, exclude=case
            )
        if case.outcome == Outcome.EARLY_HELP:
            assert case.lead_professional is not None
            # Early help opens when the named lead accepts (tellonce.earlyhelp).
            case.early_help_episode = episode_from_mash(
                user=user,
                person=case.person,
                lead=case.lead_professional,
                reason=case.outcome_reason,
                via=via,
            )
        closes = case.outcome not in REFERRAL_OUTCOMES
        if closes:
            case.closed_on = now
        case.save()
        if closes:
            _mash_enquiry_end(case, user, f"MASH decision: {case.get_outcome_display()}")
        _decision_event(case, user)
        _audit(via, user, case, "decision signed off", person=case.person, outcome=case.outcome)
    return case


def previous_referral(
    person: Person, *, before: datetime, exclude: MashCase | None = None
) -> MashCase | None:
    """The child's latest referral in the 12 months before `before`: a re-referral."""
    earlier = MashCase.objects.filter(
        person=person,
        is_referral=True,
        signed_off_on__lt=before,
        signed_off_on__gte=before - timedelta(days=RE_REFERRAL_DAYS),
    )
    if exclude is not None:
        earlier = earlier.exclude(pk=exclude.pk)
    return earlier.order_by("-signed_off_on").first()


def _mash_enquiry_end(case: MashCase, user: User, reason: str) -> None:
    involvement = case.involvement
    if involvement is None or involvement.ended_on is not None:
        return
    others_open = MashCase.objects.filter(involvement=involvement, state__in=OPEN_STATES).exclude(
        pk=case.pk
    )
    if others_open.exists():
        return
    # Another of the child's cases closing at the same moment may have ended it.
    with contextlib.suppress(AlreadyDone):
        involvement_close(
            involvement=involvement, ended_on=timezone.localdate(), reason=reason, by=user
        )


def _decision_event(case: MashCase, user: User) -> None:
    lines = [
        f"MASH decision: {case.get_outcome_display()}.",
        f"Why: {case.outcome_reason}",
    ]
    if case.advice:
        lines.append(f"Advice: {case.advice}")
    if case.lead_professional:
        lines.append(f"Lead professional: {case.lead_professional.get_full_name()}")
    if case.previous_referral:
        lines.append("This is a re-referral (a referral in the 12 months before).")
    for action in case.actions.select_related("owner"):
        lines.append(
            f"Action: {action.description} (owner {action.owner.get_full_name()},"
            f" due {action.due_on:%-d %B %Y})"
        )
    lines.append(
        f"Proposed by {case.decided_by.get_full_name() if case.decided_by else ''};"
        f" signed off by {user.get_full_name()}."
    )
    chronology_entry_write(
        kind=EventKind.DECISION,
        person=case.person,
        moment=timezone.now(),
        summary="\n".join(lines),
        agency=case.hub.agency,
        recorder=user,
        reference=f"mash-decision-{case.pk}",
    )


def referral_close(
    *, user: User, case: MashCase, closure_reason: str, note: str, via: Via
) -> MashCase:
    """Close a referral with its DfE reason: what a later re-referral shows."""
    problems = rules.step_problems(Step.CLOSE, user=user, case=case)
    if closure_reason not in ClosureReason.values:
        problems["closure_reason"] = (
            problems.get("closure_reason") or "Choose the reason for closure"
        )
    if _vague(note, 15):
        problems["note"] = "Say why the referral is closing now"
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        case.closed_on = timezone.now()
        case.closure_reason = closure_reason
        claim(
            MashCase,
            case.pk,
            expected={"state": State.OUTCOME, "is_referral": True, "closed_on__isnull": True},
            changes={
                "closed_on": case.closed_on,
                "closure_reason": closure_reason,
                "modified_by": user,
                "modified_on": case.closed_on,
            },
            field="closure_reason",
            refused="Someone else has just closed this referral: reload the case to see why",
        )
        _transition(case, "", user, f"Closed: {case.get_closure_reason_display()}. {note.strip()}")
        _mash_enquiry_end(case, user, f"Referral closed: {case.get_closure_reason_display()}")
        _audit(via, user, case, "referral closed", person=case.person, reason=closure_reason)
    return case


# ----- a contact recorded in error --------------------------------------------------

CONTACT_WITHDRAW_REFUSED = (
    "Only a MASH manager of the MASH that received the contact may withdraw it"
)


def contact_withdraw(*, user: User, contact: Contact, reason: str, via: Via) -> Contact:
    """A contact recorded in error (the wrong child, the wrong family) is withdrawn by a
    MASH manager, with the reason, never deleted, while no decision on it has been
    signed off. It, its children, the cases it opened and their requests for
    information and actions are archived, so they leave the queue, the meeting's
    agenda, the inboxes, the clocks and the figures; the MASH enquiry it opened is
    archived with its chronology entries, as is the contact's own entry on each child's
    chronology; and everyone it set to work (the teams asked for information, the
    owners of its actions, the allocated social worker, the referrer) is told it was
    withdrawn, in the same transaction."""
    if not rules.may_withdraw_contact(user, contact):
        raise PermissionDenied(CONTACT_WITHDRAW_REFUSED)
    reason = (reason or "").strip()
    if len(reason) < WITHDRAW_REASON_AT_LEAST:
        raise ValidationError(
            {
                "reason": "Say why the contact was recorded in error, for example the wrong"
                f" child (at least {WITHDRAW_REASON_AT_LEAST} characters)"
            }
        )
    now = timezone.now()
    archived = {"archived_on": now, "archived_by": user, "archive_reason": reason}
    with transaction.atomic():
        # The default manager leaves withdrawn contacts out: only one withdrawal claims it.
        claim(
            Contact,
            contact.pk,
            expected={},
            changes={**archived, "modified_by": user, "modified_on": now},
            field="reason",
            refused="This contact has already been withdrawn",
        )
        children = list(
            ContactChild.objects.filter(contact=contact.pk).select_related("case", "person")
        )
        cases = [child.case for child in children if not child.duplicate]
        for case in cases:
            # Claimed while no decision is signed off: a sign-off at the same moment
            # comes wholly before (and this is refused) or after (and finds no case).
            # The cases first, then the children, in the order a sign-off takes them.
            claim(
                MashCase,
                case.pk,
                expected={"signed_off_on__isnull": True},
                changes={**archived, "modified_by": user, "modified_on": now},
                field="contact",
                refused="A decision on this contact has just been signed off: it can no"
                " longer be withdrawn. Reload the case",
            )
        # A contact about the same child, arriving now, waits and then finds the case
        # gone; one that came first is found joined to it (`_contact_child_add` holds
        # the child too).
        for child in children:
            person_hold(child.person_id)
        if problem := contact_withdraw_problem(contact):
            raise ValidationError({"contact": problem})
        for case in cases:
            CaseTransition.objects.create(
                case=case,
                from_state=case.state,
                to_state=case.state,
                by=user,
                reason=f"Withdrawn: the contact was recorded in error. {reason}",
            )
        for child in children:
            if child.duplicate:
                CaseTransition.objects.create(
                    case=child.case,
                    from_state=child.case.state,
                    to_state=child.case.state,
                    by=user,
                    reason=f"Contact {contact.pk}, which had joined this case, was withdrawn"
                    " as recorded in error",
                )
        told = alerts_write(_withdrawn_told(contact, cases, user))
        ContactChild.objects.filter(contact=contact.pk).update(**archived)
        InformationRequest.objects.filter(case__in=[c.pk for c in cases]).update(**archived)
        CaseAction.objects.filter(case__in=[c.pk for c in cases]).update(**archived)
        enquiries = _withdrawn_entries(contact, children, cases, user, reason, now)
        told += alerts_write(_enquiry_withdrawn_told(enquiries, contact))
        _audit(
            via,
            user,
            contact,
            "contact withdrawn",
            cases=[c.pk for c in cases],
            told=len(told),
        )
    contact.refresh_from_db(fields=["archived_on", "archived_by", "archive_reason"])
    return contact


def contact_withdraw_problem(contact: Contact) -> str | None:
    """Why the contact can no longer be withdrawn, if it cannot: its work has gone on
    beyond it, with a decision signed off (the referral, the lead professional, the
    strategy discussion stand on it) or another contact about the child joined to its
    case; or it is withdrawn already. What the case page offers follows it."""
    if contact.archived_on is not None:
        return "This contact has already been withdrawn"
    # Archived or not: `contact_withdraw` asks once it has claimed them.
    cases = MashCase.all_objects.filter(contact=contact.pk)
    signed_off = cases.filter(signed_off_on__isnull=False).order_by("signed_off_on").first()
    if signed_off is not None:
        assert signed_off.signed_off_on is not None
        return (
            "A decision on this contact was signed off on"
            f" {when_said(signed_off.signed_off_on)}: it can no longer be withdrawn."
            " Correct the case instead"
        )
    joined = (
        ContactChild.objects.filter(case__in=cases)
        .exclude(contact=contact.pk)
        .values_list("contact_id", flat=True)
        .first()
    )
    if joined is not None:
        return (
            f"Contact {joined} has joined this contact's case: it can no longer be withdrawn"
            " alone. Correct the case instead"
        )
    return None


def _withdrawn_entries(
    contact: Contact,
    children: list[ContactChild],
    cases: list[MashCase],
    user: User,
    reason: str,
    now: datetime,
) -> list[Involvement]:
    """The contact's entries leave each child's chronology, and the MASH enquiry it
    opened leaves the involvement register (returned), archived with the reason, never
    deleted.
    Entries are renamed as they are archived, so the contact can be sent again about
    the right child without meeting them."""
    archived = {"archived_on": now, "archived_by": user, "archive_reason": reason}
    ChronologyEvent.objects.filter(
        person__in=[c.person_id for c in children], external_ref=f"mash-contact-{contact.pk}"
    ).update(
        **archived,
        external_ref=Concat(F("external_ref"), Value(f"-withdrawn-{contact.pk}")),
    )
    enquiries: list[Involvement] = []
    for case in cases:
        involvement = case.involvement
        if involvement is None:
            continue
        # An enquiry another of the child's cases also stands on stays, ending if none
        # of them is still open.
        others = MashCase.objects.filter(involvement=involvement).exclude(pk=case.pk)
        if others.exists():
            if not others.filter(state__in=OPEN_STATES).exists():
                _mash_enquiry_end(case, user, "Its last contact was withdrawn, recorded in error")
            continue
        claim(
            Involvement,
            involvement.pk,
            expected={},
            changes={**archived, "modified_by": user, "modified_on": now},
            field="contact",
            refused="The child's MASH enquiry has just been changed: reload the case",
        )
        ChronologyEvent.objects.filter(involvement=involvement).update(**archived)
        enquiries.append(involvement)
    return enquiries


def _enquiry_withdrawn_told(enquiries: list[Involvement], contact: Contact) -> list[Alert]:
    """Each team told the MASH had started an enquiry (the child's and the household's
    agencies) is told, once, that it came from a contact recorded in error: linked to
    the alert they had, so they know which child without this one naming them."""
    alerts: dict[int, Alert] = {}
    sent = (
        Alert.objects.filter(
            involvement__in=[e.pk for e in enquiries],
            kind__in=[AlertKind.NOW_INVOLVED, AlertKind.HOUSEHOLD_INVOLVED],
        )
        .exclude(team=contact.hub_id)
        .order_by("pk")
    )
    for alert in sent:
        alerts.setdefault(
            alert.team_id,
            Alert(
                kind=AlertKind.CONTACT_WITHDRAWN,
                key=f"involvement:{alert.involvement_id}:withdrawn",
                team_id=alert.team_id,
                link=f"/alerts/{alert.pk}/",
                title=(
                    f"Withdrawn: {contact.hub.agency.name} ({contact.hub.name}) is not"
                    " involved after all"
                ),
                body=(
                    f"The alert of {when_said(alert.created_on, weekday=True)} that"
                    f" {contact.hub.name} had started a MASH enquiry came from a contact"
                    " recorded in error, since withdrawn. The MASH is not working with the"
                    " child; correct any record you made of it."
                ),
            ),
        )
    return list(alerts.values())


def _withdrawn_told(contact: Contact, cases: list[MashCase], user: User) -> list[Alert]:
    """One alert to each team asked for information, each action's owner, the
    allocated social worker and the referrer (never the manager withdrawing it): which
    contact, and that it was recorded in error. No child's name and no reason: the
    reason may name another child."""
    received = f"{when_said(contact.received_on, weekday=True)}"
    alerts: list[Alert] = []
    ids = [c.pk for c in cases]
    for request in InformationRequest.objects.filter(case__in=ids).select_related("team"):
        alerts.append(
            Alert(
                kind=AlertKind.CONTACT_WITHDRAWN,
                key=f"rfi:{request.pk}:withdrawn",
                team=request.team,
                link="/mash/requests/",
                title="Withdrawn: a request for information from the MASH",
                body=(
                    f"The contact to {contact.hub.name} received on {received}, which this"
                    f" request (sent {when_said(request.sent_on, weekday=True)}) came"
                    " from, was recorded in error and has been withdrawn. Nothing more is"
                    " needed; correct any record you made of it."
                ),
            )
        )
    for action in CaseAction.objects.filter(case__in=ids, done_on__isnull=True).select_related(
        "owner__team"
    ):
        if action.owner_id == user.pk or action.owner.team is None:
            continue
        alerts.append(
            Alert(
                kind=AlertKind.CONTACT_WITHDRAWN,
                key=f"action:{action.pk}:withdrawn",
                team=action.owner.team,
                user=action.owner,
                link="/mash/actions/",
                title="Withdrawn: an action for you from the MASH",
                body=(
                    f"The contact to {contact.hub.name} received on {received}, which your"
                    f" action due {action.due_on:%-d %B %Y} came from, was recorded in error"
                    " and has been withdrawn. The action is no longer needed."
                ),
            )
        )
    for case in cases:
        worker = case.allocated_to
        # Told once: the owner of one of its actions has been told already.
        if worker is None or worker.pk == user.pk or any(a.user == worker for a in alerts):
            continue
        alerts.append(
            Alert(
                kind=AlertKind.CONTACT_WITHDRAWN,
                key=f"case:{case.pk}:withdrawn:{worker.pk}",
                team=case.hub,
                user=worker,
                link="/mash/",
                title=f"Withdrawn: MASH case {case.pk}, allocated to you",
                body=(
                    f"The contact received on {received} that opened case {case.pk} was"
                    f" recorded in error and has been withdrawn by {user.get_full_name()}."
                    " The case has left the queue."
                ),
            )
        )
    referrer = contact.referrer
    if referrer is not None and referrer.pk != user.pk and referrer.team is not None:
        alerts.append(
            Alert(
                kind=AlertKind.CONTACT_WITHDRAWN,
                key=f"contact:{contact.pk}:withdrawn",
                team=referrer.team,
                user=referrer,
                link=f"/mash/contacts/{contact.pk}/sent/",
                title=f"Withdrawn: your contact {contact.pk} to the MASH",
                body=(
                    f"{contact.hub.name} has withdrawn the contact you made on {received}"
                    " as recorded in error. If the worry was about another child, make a"
                    " new contact about them."
                ),
            )
        )
    return alerts


# ----- the daily meeting ------------------------------------------------------------

_RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2, "": 3}


def meeting_agenda(hub: Team) -> list[MashCase]:
    """The cases in progress, reddest and most urgent first."""
    cases = MashCase.objects.filter(hub=hub, state__in=OPEN_STATES).select_related("person")
    return sorted(cases, key=lambda c: (_RAG_ORDER[c.rag], c.decision_due, c.pk))


def meeting_open(*, user: User, via: Via, day: date | None = None) -> Meeting:
    """Open the day's meeting with its agenda (or return it if already open)."""
    team = user.team
    if not user.works_in_mash or team is None or team.hub is None:
        raise PermissionDenied("The daily meeting is for the MASH")
    day = day or timezone.localdate()
    with transaction.atomic():
        meeting, created = Meeting.objects.get_or_create(
            hub=team.hub, held_on=day, defaults={"chair": user, "created_by": user}
        )
        if created:
            MeetingItem.objects.bulk_create(
                MeetingItem(meeting=meeting, case=case, position=n)
                for n, case in enumerate(meeting_agenda(team.hub))
            )
            _audit(via, user, meeting, "meeting opened")
    return meeting


def meeting_minute(
    *, user: User, item: MeetingItem, minutes: str, decisions: str, via: Via
) -> MeetingItem:
    """Minutes for one child: what was discussed and what was decided."""
    rules.require_mash(user, item.case)
    if item.meeting.closed_on is not None:
        raise ValidationError({"minutes": "The meeting is closed: its minutes are on the records"})
    problems = {}
    if _vague(minutes, 15):
        problems["minutes"] = "Write what was discussed about the child"
    if _vague(decisions, 5):
        problems["decisions"] = "Write what was decided, or that nothing was"
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        # The meeting is held while the minutes are written: ones written as it closes
        # would miss the chronology.
        held = Meeting.objects.select_for_update().filter(pk=item.meeting_id).first()
        if held is None or held.closed_on is not None:
            raise AlreadyDone(
                "minutes",
                "Someone else has just closed the meeting: its minutes are on the records",
            )
        item.minutes, item.decisions = minutes.strip(), decisions.strip()
        item.save(update_fields=["minutes", "decisions"])
        _audit(via, user, item, "meeting minutes", person=item.case.person)
    return item


def meeting_close(*, user: User, meeting: Meeting, attendees: str, via: Via) -> Meeting:
    """Close the meeting: each discussed child's minutes, with who attended and what was
    decided, go onto the child's chronology (and so their record), once."""
    team = user.team
    if not user.works_in_mash or team is None or team.hub is None or team.hub.pk != meeting.hub_id:
        raise PermissionDenied("Only the MASH can close its meeting")
    problems = {}
    if meeting.closed_on is not None:
        problems["attendees"] = f"The meeting was closed at {when_said(meeting.closed_on)}"
    elif _vague(attendees, 10):
        problems["attendees"] = "List who attended, and from which agency"
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        now = timezone.now()
        claim(
            Meeting,
            meeting.pk,
            expected={"closed_on__isnull": True},
            changes={
                "closed_on": now,
                "attendees": attendees.strip(),
                "modified_by": user,
                "modified_on": now,
            },
            field="attendees",
            refused="Someone else has just closed this meeting: its minutes are on the records",
        )
        meeting.refresh_from_db()
        for item in (
            meeting.items.filter(chronology_event__isnull=True)
            .exclude(minutes="")
            .select_related("case__person")
        ):
            item.chronology_event = chronology_entry_write(
                kind=EventKind.MEETING,
                person=item.case.person,
                moment=meeting.held_on,
                summary=(
                    f"MASH daily meeting ({meeting.hub.name}), {meeting.held_on:%-d %B %Y}.\n"
                    f"Attended: {meeting.attendees}\n"
                    f"Discussed: {item.minutes}\n"
                    f"Decided: {item.decisions}"
                ),
                agency=meeting.hub.agency,
                recorder=user,
                reference=f"mash-meeting-{meeting.pk}",
            )
            item.save(update_fields=["chronology_event"])
        _audit(via, user, meeting, "meeting closed")
    return meeting


# ----- strategy discussions ---------------------------------------------------------


def strategy_invitees_proposed(case: MashCase) -> list[ProposedTeam]:
    """Who should be invited, and why: social care, police and health always; everyone
    working with the child or their household; and whoever made the contact."""
    proposed: dict[int, ProposedTeam] = {}
    proposed[case.hub_id] = ProposedTeam(
        case.hub, ["children's social care (always invited)"], always=True
    )
    always = {
        Service.POLICE_MASH: "police (always invited)",
        Service.HEALTH_MASH: "health (always invited)",
    }
    for team in Team.objects.filter(mash=case.hub_id, service__in=always).select_related("agency"):
        proposed[team.pk] = ProposedTeam(team, [always[team.service]], always=True)  # type: ignore[index]
    _involved_teams(case, proposed)
    for child in case.contact_children.select_related("contact__referrer__team__agency"):
        referrer = child.contact.referrer
        if referrer is None or referrer.team is None:
            continue
        entry = proposed.setdefault(referrer.team.pk, ProposedTeam(referrer.team))
        entry.reasons.append(
            f"made the contact on {timezone.localtime(child.contact.received_on):%-d %B %Y}"
        )
        if not referrer.is_system_account:  # an agency's system: its team is invited
            entry.user = entry.user or referrer
    return list(proposed.values())


def strategy_discussion_plan(
    *, user: User, case: MashCase, team_ids: Sequence[int], via: Via
) -> StrategyDiscussion:
    """Plan a strategy discussion and invite the chosen teams (social care, police and
    health cannot be left out); each invitee is told."""
    problems = rules.step_problems(Step.PLAN_STRATEGY, user=user, case=case)
    proposed = {p.team.pk: p for p in strategy_invitees_proposed(case)}
    chosen = {int(t) for t in team_ids}
    missing = [p.team.name for p in proposed.values() if p.always and p.team.pk not in chosen]
    if missing:
        problems["invitees"] = (
            "Social care, police and health must always be invited: add " + ", ".join(missing)
        )
    unknown = chosen - set(proposed)
    extra = {t.pk: t for t in Team.objects.filter(pk__in=unknown)}
    if set(extra) != unknown:
        problems["invitees"] = "Choose invitees from the teams listed"
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        # The case's row is held while the discussion is planned, so that two people
        # planning at once plan one: the second sees the first's and is refused.
        MashCase.objects.select_for_update().filter(pk=case.pk).first()
        if case.strategy_discussions.filter(held_on__isnull=True).exists():
            raise AlreadyDone(
                "invitees",
                "Someone else has just planned a strategy discussion for this child: reload"
                " the case to see it",
            )
        discussion = StrategyDiscussion.objects.create(
            case=case, person=case.person, chair=user, created_by=user
        )
        from tellonce.mash.models import Invitee

        invitees = []
        for team_id in sorted(chosen):
            entry = proposed.get(team_id) or ProposedTeam(extra[team_id], ["added by the MASH"])
            invitees.append(
                Invitee(
                    discussion=discussion,
                    team=entry.team,
                    user=entry.user,
                    reason=entry.reason[:300],
                )
            )
        Invitee.objects.bulk_create(invitees)
        child = case.person
        alerts_write(
            [
                Alert(
                    kind=AlertKind.STRATEGY_INVITE,
                    key=f"strategy:{discussion.pk}",
                    team=invitee.team,
                    user=invitee.user,
                    person=child,
                    link=f"/mash/cases/{case.pk}/",
                    title=f"You are invited to a strategy discussion about {child.full_name}",
                    body=(
                        f"{case.hub.name} is holding a strategy discussion about"
                        f" {child.name_and_birth}"
                        f" and invites {invitee.team.name} because it {invitee.reason}.\n"
                        f"Contact: {user.get_full_name()}, {case.hub.name}"
                        f" ({case.hub.contact_line})."
                    ),
                )
                for invitee in invitees
                if invitee.team_id != case.hub_id
            ]
        )
        _transition(case, "", user, "Strategy discussion planned; invitations sent")
        _audit(
            via,
            user,
            discussion,
            "strategy discussion planned",
            person=child,
            invitees=len(invitees),
        )
    return discussion


def strategy_discussion_record(
    *,
    user: User,
    discussion: StrategyDiscussion,
    held_on: datetime | None,
    attended_team_ids: Sequence[int],
    information_shared: str,
    outcome: str,
    rationale: str,
    via: Via,
) -> StrategyDiscussion:
    """Record the discussion: who attended, what was shared, the decision and why; an
    s47 enquiry sets the initial child protection conference's due date (15 working
    days)."""
    case = discussion.case
    problems = rules.step_problems(
        Step.RECORD_STRATEGY, user=user, case=case, discussion=discussion
    )
    if held_on is None:
        problems["held_on"] = "Enter when the discussion was held"
    elif held_on > timezone.now():
        problems["held_on"] = "The discussion must have been held already"
    invited = {i.team_id: i for i in discussion.invitees.all()}
    attended = {int(t) for t in attended_team_ids}
    if not attended:
        problems["attended"] = "Tick who attended"
    elif attended - set(invited):
        problems["attended"] = "Tick attendance only for invited teams"
    if _vague(information_shared, 20):
        problems["information_shared"] = "Summarise what each agency shared"
    if outcome not in StrategyOutcome.values:
        problems["outcome"] = "Choose the decision: a joint or single-agency s47 enquiry, or none"
    if _vague(rationale, 30):
        problems["rationale"] = "Explain the decision: the threshold of significant harm and why"
    if problems:
        raise ValidationError(problems)
    assert held_on is not None
    with transaction.atomic():
        claim(
            StrategyDiscussion,
            discussion.pk,
            expected={"held_on__isnull": True},
            changes={"held_on": held_on, "modified_by": user, "modified_on": timezone.now()},
            field="held_on",
            refused=(
                "Someone else has just recorded this strategy discussion: reload the case to see it"
            ),
        )
        for team_id, invitee in invited.items():
            invitee.attended = team_id in attended
            invitee.save(update_fields=["attended"])
        discussion.held_on = held_on
        discussion.information_shared = information_shared.strip()
        discussion.outcome = outcome
        discussion.rationale = rationale.strip()
        if outcome != StrategyOutcome.NO_ENQUIRY:
            discussion.conference_due = rules.conference_due(held_on)
        discussion.modified_by = user
        discussion.save()
        came = ", ".join(
            f"{i.team.named}"
            for i in discussion.invitees.select_related("team__agency")
            if i.attended
        )
        due = (
            f"\nInitial child protection conference due by {discussion.conference_due:%-d %B %Y}."
            if discussion.conference_due
            else ""
        )
        chronology_entry_write(
            kind=EventKind.MEETING,
            person=case.person,
            moment=held_on,
            summary=(
                f"Strategy discussion. Attended: {came}.\n"
                f"Shared: {discussion.information_shared}\n"
                f"Decision: {discussion.get_outcome_display()}. {discussion.rationale}{due}"
            ),
            agency=case.hub.agency,
            recorder=user,
            reference=f"mash-strategy-{discussion.pk}",
        )
        _transition(case, "", user, f"Strategy discussion: {discussion.get_outcome_display()}")
        _audit(
            via,
            user,
            discussion,
            "strategy discussion recorded",
            person=case.person,
            outcome=outcome,
        )
    return discussion


def conference_held_record(
    *, user: User, discussion: StrategyDiscussion, held_on: date | None, via: Via
) -> StrategyDiscussion:
    """Record that the initial child protection conference was held."""
    problems = rules.step_problems(
        Step.RECORD_CONFERENCE, user=user, case=discussion.case, discussion=discussion
    )
    if not problems:
        if held_on is None:
            problems["conference_held_on"] = "Enter the date the conference was held"
        elif discussion.held_on and held_on < timezone.localdate(discussion.held_on):
            problems["conference_held_on"] = "The conference must be after the strategy discussion"
        elif held_on > timezone.localdate():
            problems["conference_held_on"] = "The date must be today or in the past"
    if problems:
        raise ValidationError(problems)
    assert held_on is not None
    with transaction.atomic():
        discussion.conference_held_on, discussion.modified_by = held_on, user
        claim(
            StrategyDiscussion,
            discussion.pk,
            expected={"conference_held_on__isnull": True},
            changes={
                "conference_held_on": held_on,
                "modified_by": user,
                "modified_on": timezone.now(),
            },
            field="conference_held_on",
            refused="Someone else has just recorded this conference as held: reload the case",
        )
        late = discussion.conference_due and held_on > discussion.conference_due
        _transition(
            discussion.case,
            "",
            user,
            f"Initial child protection conference held on {held_on:%-d %B %Y}"
            + (f", after its due date ({discussion.conference_due:%-d %B %Y})" if late else ""),
        )
        _audit(via, user, discussion, "conference held", person=discussion.person)
    return discussion


# ----- the clock: chasing and escalating -------------------------------------------


@dataclass
class ClockTick:
    decisions_escalated: int = 0
    conferences_overdue: int = 0
    requests_chased: int = 0
    requests_escalated: int = 0


def mash_clock_tick(now: datetime | None = None) -> ClockTick:
    """Escalate decisions past their deadline to the MASH's managers, chase requests
    for information that are due, and escalate late ones to the asked agency's
    managers. Each is claimed atomically, so it happens once however many workers run."""
    now = now or timezone.now()
    tick = ClockTick()
    overdue = MashCase.objects.filter(
        state__in=OPEN_STATES, decision_due__lt=now, overdue_escalated_on__isnull=True
    ).select_related("hub__agency", "person")
    for case in overdue:
        with transaction.atomic():
            if not MashCase.objects.filter(pk=case.pk, overdue_escalated_on__isnull=True).update(
                overdue_escalated_on=now
            ):
                continue
            managers = [
                u
                for u in managers_of(case.hub)
                if u.has_role(Role.MASH_MANAGER) or u.team_id == case.hub_id
            ]
            alerts_write(
                [
                    Alert(
                        kind=AlertKind.DECISION_OVERDUE,
                        key=f"case:{case.pk}:manager:{manager.pk}",
                        team=case.hub,
                        user=manager,
                        person=case.person,
                        link=f"/mash/cases/{case.pk}/",
                        title=f"The MASH decision about {case.person.full_name} is overdue",
                        body=(
                            "The decision on the contact received"
                            f" {when_said(case.received_on)} was"
                            f" due by {when_said(case.decision_due)} and is"
                            f" {case.get_state_display().lower()}."
                        ),
                    )
                    for manager in managers
                ]
                or [
                    Alert(
                        kind=AlertKind.DECISION_OVERDUE,
                        key=f"case:{case.pk}",
                        team=case.hub,
                        person=case.person,
                        link=f"/mash/cases/{case.pk}/",
                        title=f"The MASH decision about {case.person.full_name} is overdue",
                        body=f"The decision was due by {when_said(case.decision_due)}.",
                    )
                ]
            )
            tick.decisions_escalated += 1
    tick.conferences_overdue = _conferences_overdue(now)
    due = InformationRequest.objects.filter(
        answered_on__isnull=True, due_on__lte=now, chased_on__isnull=True
    ).select_related("team__agency", "case__person", "case__hub")
    for request in due:
        with transaction.atomic():
            if not InformationRequest.objects.filter(pk=request.pk, chased_on__isnull=True).update(
                chased_on=now
            ):
                continue
            child = request.case.person
            alerts_write(
                [
                    Alert(
                        kind=AlertKind.RFI_CHASE,
                        key=f"rfi:{request.pk}",
                        team=request.team,
                        person=child,
                        link=f"/mash/requests/{request.pk}/",
                        title=(
                            f"Reminder: the MASH is waiting for your answer about {child.full_name}"
                        ),
                        body=(
                            f"{request.case.hub.name}'s request of"
                            f" {when_said(request.sent_on)} was due"
                            f" by {when_said(request.due_on)}. It will be escalated to your"
                            " managers"
                            f" at {when_said(request.escalate_on)}."
                        ),
                    )
                ]
            )
            tick.requests_chased += 1
    late = InformationRequest.objects.filter(
        answered_on__isnull=True, escalate_on__lte=now, escalated_on__isnull=True
    ).select_related("team__agency", "case__person", "case__hub")
    for request in late:
        with transaction.atomic():
            if not InformationRequest.objects.filter(
                pk=request.pk, escalated_on__isnull=True
            ).update(escalated_on=now, chased_on=request.chased_on or now):
                continue
            child = request.case.person
            body = (
                f"{request.case.hub.name} asked {request.team.named}"
                f" on {when_said(request.sent_on)} for information about"
                f" {child.name_and_birth}, due by"
                f" {when_said(request.due_on)}. It has not been answered."
            )
            managers = [m for m in managers_of(request.team) if m.team is not None]
            alerts_write(
                [
                    Alert(
                        kind=AlertKind.RFI_ESCALATED,
                        key=f"rfi:{request.pk}:manager:{manager.pk}",
                        team=manager.team,
                        user=manager,
                        person=child,
                        link=f"/mash/requests/{request.pk}/",
                        title=(
                            f"Late: {request.team.name} has not answered the MASH about"
                            f" {child.full_name}"
                        ),
                        body=body,
                    )
                    for manager in managers
                ]
                # No manager named in the agency: the team itself is told it is late.
                + [
                    Alert(
                        kind=AlertKind.RFI_ESCALATED,
                        key=f"rfi:{request.pk}:team",
                        team=request.team,
                        person=child,
                        link=f"/mash/requests/{request.pk}/",
                        title=(
                            f"Late: {request.team.name} has not answered the MASH about"
                            f" {child.full_name}"
                        ),
                        body=body + " No manager is named for your agency in TellOnce.",
                    )
                    for _ in [None]
                    if not managers
                ]
                + [
                    Alert(
                        kind=AlertKind.RFI_ESCALATED,
                        key=f"rfi:{request.pk}",
                        team=request.case.hub,
                        user=request.asked_by,
                        person=child,
                        link=f"/mash/cases/{request.case_id}/",
                        title=(
                            f"Escalated: {request.team.name} has not answered about"
                            f" {child.full_name}"
                        ),
                        body=body + " Their managers have been told.",
                    )
                ]
            )
            tick.requests_escalated += 1
    return tick


def _conferences_overdue(now: datetime) -> int:
    """Initial conferences past their due date and not recorded as held: the MASH's
    managers are told, once."""
    count = 0
    overdue = StrategyDiscussion.objects.filter(
        conference_due__lt=timezone.localdate(now),
        conference_held_on__isnull=True,
        conference_overdue_on__isnull=True,
    ).select_related("case__hub", "person")
    for discussion in overdue:
        with transaction.atomic():
            if not StrategyDiscussion.objects.filter(
                pk=discussion.pk, conference_overdue_on__isnull=True
            ).update(conference_overdue_on=now):
                continue
            case = discussion.case
            assert discussion.conference_due is not None
            alerts_write(
                [
                    Alert(
                        kind=AlertKind.CONFERENCE_OVERDUE,
                        key=f"strategy:{discussion.pk}:manager:{manager.pk}",
                        team=case.hub,
                        user=manager,
                        person=discussion.person,
                        link=f"/mash/cases/{case.pk}/",
                        title=(
                            "The initial child protection conference for"
                            f" {discussion.person.full_name} is overdue"
                        ),
                        body=(
                            "The conference was due by"
                            f" {discussion.conference_due:%-d %B %Y} (15 working days after the"
                            " strategy discussion) and is not recorded as held."
                        ),
                    )
                    for manager in managers_of(case.hub)
                    if manager.has_role(Role.MASH_MANAGER)
                ]
            )
            count += 1
    return count


# ----- wording ----------------------------------------------------------------------
