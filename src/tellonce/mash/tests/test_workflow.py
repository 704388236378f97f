"""Dana, the safeguarding lead at Oakfield, tells the MASH about Jack. Sam screens it,
asks Tom (police) and Hannah (health) what they know, proposes a decision that Maria
signs off; the strategy discussion invites the school and Lily's health visitor; the
daily meeting's minutes land on Jack's chronology. The clock is frozen wherever a
deadline matters."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tellonce.accounts.models import User, UserRole
from tellonce.alerts.models import Alert, AlertKind
from tellonce.audit.models import Channel
from tellonce.audit.services import Via
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.earlyhelp.models import EpisodeState
from tellonce.earlyhelp.services import Consent, lead_accept, open_offer
from tellonce.involvements.models import Capacity, Involvement
from tellonce.mash import services
from tellonce.mash.models import (
    CaseAction,
    ContactChild,
    MashCase,
    Outcome,
    State,
    StrategyOutcome,
)
from tellonce.mash.models import Channel as ContactChannel
from tellonce.mash.selectors import case_picture, rfi_response_times
from tellonce.mash.services import ActionDetails, ChildDetails, ContactDetails
from tellonce.organisations.models import Role

pytestmark = pytest.mark.django_db
WEB = Via(Channel.WEB)
UK = ZoneInfo("Europe/London")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UK)  # type: ignore[misc]


def details(*children: ChildDetails, **changes) -> ContactDetails:
    base = dict(
        children=list(children),
        source="2A",
        referrer_name="Dana Whyte",
        referrer_role="Designated safeguarding lead",
        referrer_phone="020 7946 1234",
        referrer_email="",
        concern=(
            "Jack came to school with a bruise on his cheek and said his mum's boyfriend"
            " pushed him into a door last night. He was quiet and hungry all morning."
        ),
        help_so_far="Spoke with Jack with the class teacher; gave breakfast; logged it.",
        child_needs="Jack needs to be safe at home, fed, and his speech delay followed up.",
        child_voice="Jack said 'I don't want to go home when he is there'.",
        household="Mum Kerry, baby sister Lily, and mum's boyfriend (name not known).",
        family_knows=False,
        consent="not_sought",
        sharing_reason="Asking mum first could put Jack at risk of further harm tonight.",
    )
    base.update(changes)
    return ContactDetails(**base)  # type: ignore[arg-type]


def dana_tells_the_mash_about_jack(world, **changes) -> MashCase:
    contact = services.contact_make(
        user=world.dana,
        details=details(ChildDetails(person_id=world.jack.pk), **changes),
        channel=ContactChannel.WEB,
        via=WEB,
    )
    return contact.children.get().case


def screened(world, case: MashCase, rag: str = "amber") -> MashCase:
    return services.case_screen(
        user=world.sam, case=case, rag=rag, reason="A disclosure of physical harm", via=WEB
    )


def decided(world, case: MashCase, outcome: str = Outcome.STRATEGY_DISCUSSION, **extra):
    services.decision_propose(
        user=world.sam,
        case=case,
        outcome=outcome,
        reason="Disclosure of physical harm, and police history of domestic abuse at home.",
        actions=[ActionDetails("See Jack at school today", world.sam, timezone.localdate())],
        via=WEB,
        **extra,
    )
    return services.decision_sign_off(user=world.maria, case=case, agree=True, note="", via=WEB)


# ----- the contact ------------------------------------------------------------------


def test_a_contact_received_on_christmas_eve_is_due_for_decision_after_the_bank_holidays(
    world,
):
    with time_machine.travel(at(2026, 12, 24, 16, 0), tick=False):
        case = dana_tells_the_mash_about_jack(world)
    assert case.state == State.RECEIVED
    # Christmas Day (Friday), the weekend and Boxing Day's substitute (Monday 28th).
    assert case.decision_due == at(2026, 12, 29, 17, 0)
    mash_enquiry = Involvement.objects.current().get(
        person=world.jack, team=world.mash, capacity=Capacity.MASH_ENQUIRY
    )
    assert case.involvement == mash_enquiry
    event = ChronologyEvent.objects.get(person=world.jack, kind=EventKind.CONTACT)
    assert "Dana Whyte, Designated safeguarding lead (Oakfield Primary School)" in event.summary
    assert "2A" not in event.summary and "Schools" in event.summary
    transition = case.transitions.get()
    assert (transition.to_state, transition.by) == (State.RECEIVED, world.dana)


def test_everyone_already_involved_is_told_the_mash_is_now_involved(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dana_tells_the_mash_about_jack(world)
    told = set(
        Alert.objects.filter(kind=AlertKind.NOW_INVOLVED, person=world.jack).values_list(
            "team", flat=True
        )
    )
    assert told == {world.oakfield_dsl.pk, world.health_visiting.pk}


def test_vague_or_missing_answers_are_refused_field_by_field_and_nothing_is_written(world):
    with pytest.raises(ValidationError) as refused:
        services.contact_make(
            user=world.dana,
            details=details(
                ChildDetails(given_name="Sky", date_of_birth=date(2040, 1, 1)),
                concern="concerns",
                help_so_far="n/a",
                child_needs="see above",
                child_voice="",
                family_knows=None,
                sharing_reason="",
                referrer_phone="",
            ),
            channel=ContactChannel.WEB,
            via=WEB,
        )
    problems = refused.value.message_dict
    assert problems["concern"][0].startswith("Describe the concern in your own words")
    assert problems["help_so_far"][0].startswith("Say what has already been done")
    assert problems["child_needs"][0].startswith("Describe the child's own needs")
    assert "why their views are not known" in problems["child_voice"][0]
    assert problems["family_knows"] == ["Say whether the family knows about this contact"]
    assert "Schedule 8" in problems["sharing_reason"][0]
    assert problems["referrer_phone"] == ["Enter a phone number or email so the MASH can reach you"]
    assert problems["children-0-family_name"] == ["Enter the child's last name"]
    assert problems["children-0-date_of_birth"] == ["The child's date of birth must be in the past"]
    assert MashCase.objects.count() == 0
    assert not ChronologyEvent.objects.filter(kind=EventKind.CONTACT).exists()


def test_with_the_familys_consent_no_reason_for_sharing_is_needed(world):
    case = dana_tells_the_mash_about_jack(world, consent="given", family_knows=True)
    assert case.contact.sharing_reason == ""


def test_partnership_analysts_cannot_make_contacts(world):
    with pytest.raises(PermissionDenied):
        services.contact_make(
            user=world.ana,
            details=details(ChildDetails(person_id=world.jack.pk)),
            channel=ContactChannel.WEB,
            via=WEB,
        )


def test_a_second_contact_within_days_joins_the_open_case_and_is_not_counted_twice(world):
    with time_machine.travel(at(2026, 12, 7, 10, 0), tick=False):
        first = dana_tells_the_mash_about_jack(world)
    with time_machine.travel(at(2026, 12, 9, 11, 0), tick=False):
        second = services.contact_make(
            user=world.priya,
            details=details(
                ChildDetails(person_id=world.jack.pk),
                source="3B",
                referrer_name="Priya Shah",
                concern=(
                    "On a home visit to Lily I saw Jack with a cut lip; mum said he fell, Jack"
                    " would not look at me and flinched when the boyfriend came in."
                ),
            ),
            channel=ContactChannel.WEB,
            via=WEB,
        )
    joined = second.children.get()
    assert joined.duplicate and joined.case == first
    assert MashCase.objects.filter(person=world.jack).count() == 1
    assert "Another contact about the child joined this case" in first.transitions.last().reason
    assert ChronologyEvent.objects.filter(person=world.jack, kind=EventKind.CONTACT).count() == 2


def test_a_contact_after_the_duplicate_window_opens_a_case_of_its_own(world):
    with time_machine.travel(at(2026, 12, 1, 10, 0), tick=False):
        first = dana_tells_the_mash_about_jack(world)
    with time_machine.travel(at(2026, 12, 9, 10, 0), tick=False):
        second = dana_tells_the_mash_about_jack(world)
    assert second != first
    assert not ContactChild.objects.filter(duplicate=True).exists()


# ----- what the MASH sees at intake -------------------------------------------------


def test_the_mash_sees_who_is_involved_and_a_re_referral_with_its_closure_reason(world):
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        earlier = dana_tells_the_mash_about_jack(world)
        decided(world, screened(world, earlier), Outcome.CHILD_IN_NEED)
        services.referral_close(
            user=world.sam,
            case=earlier,
            closure_reason="RC8",
            note="Assessment found no continuing need; family engaged with school support.",
            via=WEB,
        )
    with time_machine.travel(at(2026, 12, 7, 10, 0), tick=False):
        case = dana_tells_the_mash_about_jack(world)
        picture = case_picture(user=world.sam, case_id=case.pk, via=WEB)
        assert picture.previous_referral == earlier
        assert picture.previous_referral.get_closure_reason_display().startswith("RC8")
        assert earlier in picture.previous
        involved = {(i.person, i.team) for i in picture.involved}
        assert (world.jack, world.oakfield_dsl) in involved
        assert (world.lily, world.health_visiting) in involved
        decided(world, screened(world, case), Outcome.CHILD_IN_NEED)
    case.refresh_from_db()
    assert case.is_referral and case.previous_referral == earlier


def test_a_referral_more_than_twelve_months_ago_is_not_a_re_referral(world):
    with time_machine.travel(at(2025, 11, 3, 10, 0), tick=False):
        decided(
            world, screened(world, dana_tells_the_mash_about_jack(world)), Outcome.CHILD_IN_NEED
        )
    with time_machine.travel(at(2026, 12, 7, 10, 0), tick=False):
        case = decided(world, screened(world, dana_tells_the_mash_about_jack(world)))
    assert case.is_referral and case.previous_referral is None


def test_only_the_mash_sees_a_case(world):
    case = dana_tells_the_mash_about_jack(world)
    for outsider in (world.dana, world.olly, world.erin):
        with pytest.raises(PermissionDenied):
            case_picture(user=outsider, case_id=case.pk, via=WEB)
    assert case_picture(user=world.tom, case_id=case.pk, via=WEB).case == case


# ----- screening and requests for information ---------------------------------------


def test_only_mash_social_workers_and_managers_screen(world):
    case = dana_tells_the_mash_about_jack(world)
    with pytest.raises(PermissionDenied):
        services.case_screen(user=world.tom, case=case, rag="red", reason="Police view", via=WEB)
    with pytest.raises(ValidationError) as refused:
        services.case_screen(user=world.sam, case=case, rag="purple", reason="", via=WEB)
    assert set(refused.value.message_dict) == {"rag", "rag_reason"}
    screened(world, case, "red")
    case.refresh_from_db()
    assert (case.state, case.rag, case.allocated_to) == (State.SCREENING, "red", world.sam)


def test_requests_are_proposed_to_the_mash_desks_and_everyone_involved_with_reasons(world):
    case = screened(world, dana_tells_the_mash_about_jack(world))
    proposed = {p.team: p.reason for p in services.rfi_teams_proposed(case)}
    assert proposed[world.police_mash] == "police checks"
    assert proposed[world.health_mash].startswith("health records")
    assert proposed[world.education_mash].startswith("education")
    assert proposed[world.oakfield_dsl] == "works with Jack (school)"
    assert proposed[world.health_visiting] == (
        "works with Lily Taylor, who lives with Jack (health visiting);"
        " works with Kerry Taylor, who lives with Jack (health visiting)"
    )
    assert world.mash not in proposed


def test_a_red_request_sent_late_on_friday_is_due_on_monday_and_chased_then_escalated_once(
    world, django_capture_on_commit_callbacks
):
    sergeant = User.objects.create(
        username="priti",
        first_name="Priti",
        last_name="Das",
        team=world.police_mash,
        is_manager=True,
    )
    UserRole.objects.create(user=sergeant, role=Role.POLICE_MASH_OFFICER)
    with time_machine.travel(at(2026, 12, 18, 16, 0), tick=False):
        case = screened(world, dana_tells_the_mash_about_jack(world), "red")
        with django_capture_on_commit_callbacks(execute=True):
            request = services.rfi_send(
                user=world.sam,
                case=case,
                team=world.police_mash,
                question="Police history for the address and the boyfriend?",
                via=WEB,
            )
    # Four working hours: one on Friday, three on Monday morning.
    assert request.due_on == at(2026, 12, 21, 12, 0)
    assert request.escalate_on == at(2026, 12, 21, 14, 0)
    assert Alert.objects.filter(kind=AlertKind.RFI_RECEIVED, team=world.police_mash).count() == 1

    with time_machine.travel(at(2026, 12, 21, 11, 59), tick=False):
        assert services.mash_clock_tick().requests_chased == 0
    with time_machine.travel(at(2026, 12, 21, 12, 0), tick=False):
        assert services.mash_clock_tick().requests_chased == 1
        assert services.mash_clock_tick().requests_chased == 0
    chase = Alert.objects.get(kind=AlertKind.RFI_CHASE)
    assert chase.team == world.police_mash and "escalated to your managers" in chase.body
    with time_machine.travel(at(2026, 12, 21, 14, 0), tick=False):
        assert services.mash_clock_tick().requests_escalated == 1
        assert services.mash_clock_tick().requests_escalated == 0
    escalated = Alert.objects.filter(kind=AlertKind.RFI_ESCALATED)
    assert {(a.team, a.user) for a in escalated} == {
        (world.police_mash, sergeant),
        (world.mash, world.sam),
    }
    with time_machine.travel(at(2026, 12, 21, 15, 30), tick=False):
        services.rfi_answer(
            user=world.tom,
            request=request,
            answer="Two domestic abuse call-outs to the address in October; no charges.",
            via=WEB,
        )
    request.refresh_from_db()
    # Friday 16:00 to Monday 15:30: one hour and six and a half.
    assert request.response_hours == 7.5
    assert Alert.objects.filter(kind=AlertKind.RFI_ANSWERED, user=world.sam).exists()
    (police,) = [r for r in rfi_response_times(user=world.maria) if r.agency == "Northbrook Police"]
    assert (police.asked, police.answered, police.on_time, police.median_hours) == (1, 1, 0, 7.5)


def test_deadlines_follow_the_rating_and_the_partnerships_settings(world, settings):
    settings.MASH_RFI_DUE_HOURS = {"red": 2, "amber": 8, "green": 24}
    with time_machine.travel(at(2026, 12, 23, 9, 0), tick=False):
        case = screened(world, dana_tells_the_mash_about_jack(world), "green")
        green = services.rfi_send(
            user=world.sam,
            case=case,
            team=world.health_mash,
            question="Health history for Jack and Lily?",
            via=WEB,
        )
        services.case_screen(
            user=world.sam, case=case, rag="red", reason="The boyfriend is back home", via=WEB
        )
        red = services.rfi_send(
            user=world.sam,
            case=case,
            team=world.police_mash,
            question="Is the boyfriend known to police?",
            via=WEB,
        )
    # Green: three working days, over Christmas and Boxing Day's substitute.
    assert green.due_on == at(2026, 12, 29, 17, 0)
    assert red.due_on == at(2026, 12, 23, 11, 0)
    reasons = [t.reason for t in case.transitions.all()]
    assert "Rated red (was green): The boyfriend is back home" in reasons


def test_only_the_team_asked_may_answer_and_only_once(world):
    case = screened(world, dana_tells_the_mash_about_jack(world))
    request = services.rfi_send(
        user=world.sam,
        case=case,
        team=world.police_mash,
        question="Police history for the address?",
        via=WEB,
    )
    with pytest.raises(PermissionDenied):
        services.rfi_answer(
            user=world.hannah, request=request, answer="Nothing here at all.", via=WEB
        )
    with pytest.raises(ValidationError) as vague:
        services.rfi_answer(user=world.tom, request=request, answer="n/a", via=WEB)
    assert "if you hold nothing, say so" in vague.value.message_dict["answer"][0]
    services.rfi_answer(user=world.tom, request=request, answer="No trace on our systems.", via=WEB)
    with pytest.raises(ValidationError) as twice:
        services.rfi_answer(
            user=world.tom, request=request, answer="Another answer entirely.", via=WEB
        )
    assert "Tom Price answered this request" in twice.value.message_dict["answer"][0]


# ----- decisions, sign-off and actions ----------------------------------------------


def test_an_action_without_a_due_date_is_refused(world):
    case = screened(world, dana_tells_the_mash_about_jack(world))
    with pytest.raises(ValidationError) as refused:
        services.decision_propose(
            user=world.sam,
            case=case,
            outcome=Outcome.CHILD_IN_NEED,
            reason="Needs an assessment of the home situation and Jack's development.",
            actions=[ActionDetails("Visit Jack at school", world.sam, None)],
            via=WEB,
        )
    assert refused.value.message_dict == {
        "actions-0-due_on": ["Enter the date this action is due: every action needs one"]
    }
    with pytest.raises(ValidationError):
        services.action_add(
            user=world.sam, case=case, description="Call mum", owner=world.sam, due_on=None, via=WEB
        )
    assert not CaseAction.objects.exists()
    action = services.action_add(
        user=world.sam,
        case=case,
        description="Call Kerry about the plan",
        owner=world.erin,
        due_on=date(2026, 12, 30),
        via=WEB,
    )
    assert (action.person, action.owner, action.due_on) == (
        world.jack,
        world.erin,
        date(2026, 12, 30),
    )


def test_early_help_cannot_be_accepted_without_a_lead_professional(
    world, django_capture_on_commit_callbacks
):
    case = screened(world, dana_tells_the_mash_about_jack(world), "green")
    with pytest.raises(ValidationError) as refused:
        services.decision_propose(
            user=world.sam,
            case=case,
            outcome=Outcome.EARLY_HELP,
            reason="Needs support with routines and school attendance; no significant harm.",
            via=WEB,
        )
    assert "Name the lead professional" in refused.value.message_dict["lead_professional"][0]
    with django_capture_on_commit_callbacks(execute=True):
        decided(world, case, Outcome.EARLY_HELP, lead_professional_user=world.erin)
    # Early help waits for Erin to accept, with the family's agreement (tellonce.earlyhelp).
    case.refresh_from_db()
    episode = case.early_help_episode
    assert episode is not None and episode.state == EpisodeState.AWAITING_LEAD
    assert episode.reason == case.outcome_reason
    assert not Involvement.objects.current().filter(is_lead_professional=True).exists()
    offer = open_offer(episode)
    assert offer is not None and offer.practitioner == world.erin
    lead_accept(
        user=world.erin,
        role=offer,
        via=WEB,
        consent=Consent(
            given_on=timezone.localdate(),
            given_by="Kerry Taylor, mother",
            to_share="The assessment and plan with the school and health visiting",
        ),
    )
    lead = Involvement.objects.current().get(person=world.jack, is_lead_professional=True)
    assert (lead.team, lead.practitioner, lead.capacity) == (
        world.early_help,
        world.erin,
        Capacity.EARLY_HELP,
    )
    case.refresh_from_db()
    assert case.closed_on is not None and not case.is_referral
    assert Involvement.objects.get(pk=case.involvement_id).ended_on == timezone.localdate()


def test_a_manager_signs_off_someone_elses_decision_or_sends_it_back(world):
    case = screened(world, dana_tells_the_mash_about_jack(world))
    services.decision_propose(
        user=world.sam,
        case=case,
        outcome=Outcome.NFA_ADVICE,
        reason="Injury explained and consistent; school will monitor and mum engages well.",
        advice="Advice to the school: monitor, and contact the MASH again with any new concern.",
        via=WEB,
    )
    with pytest.raises(PermissionDenied):
        services.decision_sign_off(user=world.sam, case=case, agree=True, note="", via=WEB)
    services.decision_sign_off(
        user=world.maria,
        case=case,
        agree=False,
        note="Ask the police first about the boyfriend before deciding.",
        via=WEB,
    )
    case.refresh_from_db()
    assert case.state == State.INFORMATION_GATHERING
    assert case.transitions.last().reason.startswith("Sent back: Ask the police first")
    services.decision_propose(
        user=world.maria,
        case=case,
        outcome=Outcome.CHILD_IN_NEED,
        reason="Police confirm domestic abuse history: an assessment of Jack's needs is due.",
        via=WEB,
    )
    with pytest.raises(ValidationError) as own:
        services.decision_sign_off(user=world.maria, case=case, agree=True, note="", via=WEB)
    assert "another manager must sign it off" in own.value.message_dict["agree"][0]


def test_an_overdue_decision_is_escalated_to_the_mash_manager_once(world):
    with time_machine.travel(at(2026, 12, 22, 10, 0), tick=False):
        case = dana_tells_the_mash_about_jack(world)
    with time_machine.travel(at(2026, 12, 23, 17, 0), tick=False):
        assert services.mash_clock_tick().decisions_escalated == 0
    with time_machine.travel(at(2026, 12, 23, 17, 1), tick=False):
        assert services.mash_clock_tick().decisions_escalated == 1
        assert services.mash_clock_tick().decisions_escalated == 0
    alert = Alert.objects.get(kind=AlertKind.DECISION_OVERDUE)
    assert (alert.team, alert.user, alert.link) == (
        world.mash,
        world.maria,
        f"/mash/cases/{case.pk}/",
    )


# ----- the daily meeting ------------------------------------------------------------


def test_the_meetings_minutes_go_onto_each_discussed_childs_chronology_once(world):
    green = screened(world, dana_tells_the_mash_about_jack(world), "green")
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        amir_case = (
            services.contact_make(
                user=world.tom,
                details=details(
                    ChildDetails(person_id=world.amir.pk),
                    source="6",
                    referrer_name="Tom Price",
                ),
                channel=ContactChannel.WEB,
                via=WEB,
            )
            .children.get()
            .case
        )
    screened(world, amir_case, "red")
    meeting = services.meeting_open(user=world.maria, via=WEB)
    agenda = [item.case for item in meeting.items.all()]
    assert agenda == [amir_case, green]
    assert services.meeting_open(user=world.sam, via=WEB) == meeting
    jack_item = meeting.items.get(case=green)
    services.meeting_minute(
        user=world.tom,
        item=jack_item,
        minutes="Police shared two call-outs; school says Jack is often hungry.",
        decisions="Strategy discussion today at 14:00.",
        via=WEB,
    )
    with pytest.raises(ValidationError):
        services.meeting_close(user=world.sam, meeting=meeting, attendees="", via=WEB)
    services.meeting_close(
        user=world.sam,
        meeting=meeting,
        attendees="Maria Lopez (MASH), Tom Price (police), Hannah Reid (health)",
        via=WEB,
    )
    (event,) = ChronologyEvent.objects.filter(person=world.jack, kind=EventKind.MEETING)
    assert "Tom Price (police)" in event.summary
    assert "Police shared two call-outs" in event.summary
    assert "Strategy discussion today at 14:00." in event.summary
    assert not ChronologyEvent.objects.filter(person=world.amir, kind=EventKind.MEETING).exists()
    with pytest.raises(ValidationError):
        services.meeting_close(user=world.sam, meeting=meeting, attendees="Everyone again", via=WEB)
    assert ChronologyEvent.objects.filter(kind=EventKind.MEETING).count() == 1


# ----- strategy discussions ---------------------------------------------------------


def test_the_strategy_discussion_invites_those_who_know_jack_and_sets_the_conference_date(
    world, django_capture_on_commit_callbacks
):
    with time_machine.travel(at(2026, 12, 11, 10, 0), tick=False):
        case = decided(world, screened(world, dana_tells_the_mash_about_jack(world), "red"))
    with time_machine.travel(at(2026, 12, 14, 9, 0), tick=False):
        proposed = {p.team: p for p in services.strategy_invitees_proposed(case)}
        assert {t for t, p in proposed.items() if p.always} == {
            world.mash,
            world.police_mash,
            world.health_mash,
        }
        assert proposed[world.oakfield_dsl].reason == (
            "works with Jack (school); made the contact on 11 December 2026"
        )
        assert proposed[world.oakfield_dsl].user == world.dana
        assert (
            "works with Lily Taylor, who lives with Jack" in proposed[world.health_visiting].reason
        )
        assert proposed[world.health_visiting].user == world.priya

        with pytest.raises(ValidationError) as refused:
            services.strategy_discussion_plan(
                user=world.sam, case=case, team_ids=[world.mash.pk, world.oakfield_dsl.pk], via=WEB
            )
        assert "must always be invited" in refused.value.message_dict["invitees"][0]
        with django_capture_on_commit_callbacks(execute=True):
            discussion = services.strategy_discussion_plan(
                user=world.sam, case=case, team_ids=[t.pk for t in proposed], via=WEB
            )
        invited = Alert.objects.filter(kind=AlertKind.STRATEGY_INVITE)
        assert {(a.team, a.user) for a in invited} == {
            (world.police_mash, None),
            (world.health_mash, None),
            (world.oakfield_dsl, world.dana),
            (world.health_visiting, world.priya),
        }
    with time_machine.travel(at(2026, 12, 14, 11, 0), tick=False):
        services.strategy_discussion_record(
            user=world.sam,
            discussion=discussion,
            held_on=at(2026, 12, 14, 10, 0),
            attended_team_ids=[
                world.mash.pk,
                world.police_mash.pk,
                world.health_mash.pk,
                world.oakfield_dsl.pk,
                world.health_visiting.pk,
            ],
            information_shared="Police: two call-outs. Health: missed checks. School: disclosure.",
            outcome=StrategyOutcome.JOINT_S47,
            rationale="Reasonable cause to suspect Jack is suffering significant physical harm.",
            via=WEB,
        )
    discussion.refresh_from_db()
    # Fifteen working days, skipping Christmas, Boxing Day's substitute and New Year's Day.
    assert discussion.conference_due == date(2027, 1, 7)
    assert discussion.invitees.get(team=world.oakfield_dsl).attended is True
    event = ChronologyEvent.objects.get(
        person=world.jack, external_ref=f"mash-strategy-{discussion.pk}"
    )
    assert "Joint section 47 enquiry" in event.summary and "7 January 2027" in event.summary


def test_an_initial_conference_not_held_by_its_due_date_is_escalated_once(world, signed_in):
    from rest_framework.test import APIClient

    with time_machine.travel(at(2026, 12, 11, 10, 0), tick=False):
        case = decided(world, screened(world, dana_tells_the_mash_about_jack(world), "red"))
        invitees = [p.team.pk for p in services.strategy_invitees_proposed(case)]
        discussion = services.strategy_discussion_plan(
            user=world.sam, case=case, team_ids=invitees, via=WEB
        )
        services.strategy_discussion_record(
            user=world.sam,
            discussion=discussion,
            held_on=at(2026, 12, 11, 9, 30),
            attended_team_ids=invitees,
            information_shared="Police: two call-outs. Health: missed checks. School: disclosure.",
            outcome=StrategyOutcome.SINGLE_S47,
            rationale="Reasonable cause to suspect Jack is suffering significant physical harm.",
            via=WEB,
        )
    discussion.refresh_from_db()
    assert discussion.conference_due == date(2027, 1, 6)
    with time_machine.travel(at(2027, 1, 6, 23, 0), tick=False):
        assert services.mash_clock_tick().conferences_overdue == 0
    with time_machine.travel(at(2027, 1, 7, 0, 5), tick=False):
        assert services.mash_clock_tick().conferences_overdue == 1
        assert services.mash_clock_tick().conferences_overdue == 0
    alert = Alert.objects.get(kind=AlertKind.CONFERENCE_OVERDUE)
    assert (alert.user, alert.person) == (world.maria, world.jack)
    with time_machine.travel(at(2027, 1, 8, 12, 0), tick=False):
        sam = signed_in(world.sam)  # now, or the idle timeout would sign Sam out
        page = sam.get(f"/mash/cases/{case.pk}/").content.decode()
        assert "Due by 6 January 2027" in page and "Overdue" in page
        form = f"/mash/strategy/{discussion.pk}/conference/"
        future = sam.post(
            form, {"held_on_day": "9", "held_on_month": "1", "held_on_year": "2027"}
        ).content.decode()
        assert "The date must be today or in the past" in future
        assert (
            sam.post(
                form, {"held_on_day": "8", "held_on_month": "1", "held_on_year": "2027"}
            ).status_code
            == 302
        )
    discussion.refresh_from_db()
    assert discussion.conference_held_on == date(2027, 1, 8)
    assert "after its due date (6 January 2027)" in case.transitions.last().reason
    api = APIClient()
    api.force_authenticate(world.sam)
    again = api.post(
        f"/api/v1/mash/strategy-discussions/{discussion.pk}/conference/",
        {"held_on": "2027-01-08"},
        format="json",
    )
    assert again.status_code == 400
    assert again.json()["errors"][0]["field"] == "held_on"


def test_each_round_of_the_clock_books_the_next_and_serve_books_one_if_none_waits(world, settings):
    from django_tasks_db.models import DBTaskResult

    from tellonce.core.tasks import clock, clock_ensure

    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "alerts_email", "linkage"],
        }
    }
    assert clock_ensure() is True
    assert clock_ensure() is False  # one is waiting already
    waiting = DBTaskResult.objects.filter(task_path=clock.module_path)
    assert waiting.count() == 1
    with time_machine.travel(at(2026, 12, 14, 9, 0), tick=False):
        result = clock.call()
    assert result["tellonce.mash.services.mash_clock_tick"]["requests_chased"] == 0
    assert waiting.count() == 2
    booked = waiting.order_by("-enqueued_at").first()
    assert booked.run_after == at(2026, 12, 14, 9, settings.CLOCK_MINUTES)


def test_an_action_for_erin_reaches_her_and_she_marks_it_done(
    world, signed_in, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    case = screened(world, dana_tells_the_mash_about_jack(world))
    with django_capture_on_commit_callbacks(execute=True):
        action = services.action_add(
            user=world.sam,
            case=case,
            description="Offer Kerry a parenting course through the family hub",
            owner=world.erin,
            due_on=date(2026, 12, 30),
            via=WEB,
        )
    told = Alert.objects.get(kind=AlertKind.ACTION_ASSIGNED)
    assert (told.user, told.team, told.link) == (world.erin, world.early_help, "/mash/actions/")
    assert "Due by 30 December 2026" in told.body and told.delivered_on is not None

    erin = signed_in(world.erin)
    assert "Your actions</a>: 1 to do." in erin.get("/").content.decode()
    page = erin.get("/mash/actions/").content.decode()
    assert "Offer Kerry a parenting course" in page and "Jack Taylor" in page
    # Olly neither owns it nor works in the MASH.
    olly = APIClient()
    olly.force_authenticate(world.olly)
    assert olly.post(f"/api/v1/actions/{action.pk}/done/").status_code == 404
    api = APIClient()
    api.force_authenticate(world.erin)
    assert [a["id"] for a in api.get("/api/v1/actions/").json()] == [action.pk]
    response = erin.post(f"/mash/actions/{action.pk}/done/")
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()
    assert "Action done: Offer Kerry a parenting course" in case.transitions.last().reason
    again = api.post(f"/api/v1/actions/{action.pk}/done/")
    assert again.status_code == 400
    assert again.json()["errors"][0]["field"] == "done_on"
    assert [a["id"] for a in api.get("/api/v1/actions/?done=true").json()] == [action.pk]
