"""Dana, Jack's school's safeguarding lead, sees that his family is struggling and asks
for early help, naming Erin of the council's early help team to lead it. Nothing opens
until Erin accepts and records his mother's agreement; Erin later hands the lead to
Priya, Jack's health visitor, and there is never a moment with no lead, nor with two.
An episode nobody accepts goes to the early help service's manager after five working
days, once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tellonce.alerts.models import Alert, AlertKind
from tellonce.audit.models import AuditEvent, Channel
from tellonce.audit.services import Via
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.earlyhelp import services
from tellonce.earlyhelp.models import Episode, EpisodeState, LeadRole, LeadState
from tellonce.earlyhelp.services import Consent, EpisodeRequest
from tellonce.involvements.models import Capacity, Involvement
from tellonce.involvements.services import lead_professional
from tellonce.organisations.models import Role
from tellonce.testing.world import World, practitioner_make

pytestmark = pytest.mark.django_db
WEB = Via(Channel.WEB)
UK = ZoneInfo("Europe/London")

REASON = (
    "Jack is often late and hungry; his mother says she is not coping since the baby"
    " came and asked the school for help with routines and money."
)


def agreed(**changes: object) -> Consent:
    base: dict[str, object] = {
        "given_on": timezone.localdate(),
        "given_by": "Kerry Taylor, mother",
        "to_share": "Everything in the assessment with the school and the health visitor",
    }
    base.update(changes)
    return Consent(**base)  # type: ignore[arg-type]


def asked(world: World, lead=None, consent: Consent | None = None, by=None) -> Episode:
    return services.episode_request(
        user=by or world.dana,
        person=world.jack,
        request=EpisodeRequest(
            reason=REASON, lead=lead or world.erin, consent=consent or Consent()
        ),
        via=WEB,
    )


def offer_of(episode: Episode) -> LeadRole:
    role = services.open_offer(episode)
    assert role is not None
    return role


def test_early_help_waits_for_its_lead_to_accept_with_the_familys_agreement(world: World):
    episode = asked(world)
    assert episode.state == EpisodeState.AWAITING_LEAD
    # No lead yet: the register says so.
    assert lead_professional(world.jack) is None
    ask = Alert.objects.get(kind=AlertKind.EARLY_HELP_LEAD_ASKED)
    assert (ask.user, ask.link) == (world.erin, f"/early-help/{episode.pk}/")
    assert ask.title == "Will you lead early help for Jack Taylor?"
    # The reason stays in TellOnce: the alert says who asks, not the family's troubles.
    assert "hungry" not in ask.body and "Dana Whyte" in ask.body

    # Accepting needs the family's agreement, which Dana did not record.
    with pytest.raises(ValidationError) as refused:
        services.lead_accept(user=world.erin, role=offer_of(episode), via=WEB)
    assert set(refused.value.message_dict) == {
        "consent_given_on",
        "consent_given_by",
        "consent_to_share",
    }
    services.lead_accept(user=world.erin, role=offer_of(episode), via=WEB, consent=agreed())
    episode.refresh_from_db()
    assert episode.state == EpisodeState.OPEN and episode.opened_on is not None
    assert episode.consent_given_by == "Kerry Taylor, mother"
    assert episode.consent_recorded_by == world.erin
    lead = lead_professional(world.jack)
    assert lead is not None
    assert (lead.practitioner, lead.team, lead.capacity) == (
        world.erin,
        world.early_help,
        Capacity.EARLY_HELP,
    )
    told = Alert.objects.get(kind=AlertKind.EARLY_HELP_LEAD_ANSWERED)
    assert told.user == world.dana and "Erin Cole now leads" in told.title
    events = ChronologyEvent.objects.filter(person=world.jack, kind=EventKind.EARLY_HELP)
    summaries = " ".join(events.values_list("summary", flat=True))
    assert "Early help asked for by Dana Whyte" in summaries
    assert "Early help opened: Erin Cole" in summaries
    changes = AuditEvent.objects.filter(person_id=world.jack.pk, action="change")
    assert {"early help asked for", "lead professional accepted"} <= {
        e.detail.get("change") for e in changes
    }


def test_naming_yourself_opens_it_at_once_but_only_with_the_familys_agreement(world: World):
    with pytest.raises(ValidationError) as refused:
        asked(world, lead=world.erin, by=world.erin)
    assert "consent_given_on" in refused.value.message_dict
    assert not Episode.objects.exists()

    episode = asked(world, lead=world.erin, by=world.erin, consent=agreed())
    assert episode.state == EpisodeState.OPEN
    assert not Alert.objects.filter(kind=AlertKind.EARLY_HELP_LEAD_ASKED).exists()


def test_a_request_says_every_problem_at_once(world: World):
    with pytest.raises(ValidationError) as refused:
        services.episode_request(
            user=world.dana,
            person=world.jack,
            request=EpisodeRequest(
                reason="Help",
                lead=world.tom,
                consent=Consent(given_on=timezone.localdate() + timedelta(days=1)),
            ),
            via=WEB,
        )
    problems = refused.value.message_dict
    assert "what the family needs help with" in problems["reason"][0]
    assert "Tom Price cannot lead early help" in problems["lead"][0]
    assert problems["consent_given_on"] == [
        "The date the family agreed must be today or in the past"
    ]
    assert "consent_given_by" in problems and "consent_to_share" in problems


def test_early_help_cannot_open_without_a_lead(world: World):
    with pytest.raises(ValidationError) as refused:
        services.episode_request(
            user=world.dana,
            person=world.jack,
            request=EpisodeRequest(reason=REASON, lead=None, consent=Consent()),
            via=WEB,
        )
    assert refused.value.message_dict["lead"] == [
        "Name the lead professional: early help cannot open without one"
    ]


def test_one_early_help_at_a_time_for_a_child(world: World):
    asked(world)
    with pytest.raises(ValidationError) as refused:
        asked(world, lead=world.priya)
    assert "Jack Taylor already has early help" in refused.value.message_dict["person"][0]
    assert Episode.objects.count() == 1


def test_a_declined_request_goes_back_to_whoever_asked_who_names_someone_else(world: World):
    episode = asked(world)
    with pytest.raises(ValidationError):
        services.lead_decline(user=world.erin, role=offer_of(episode), reason="no", via=WEB)
    services.lead_decline(
        user=world.erin,
        role=offer_of(episode),
        reason="Our team is full until January; the health visitor knows the family best.",
        via=WEB,
    )
    back = Alert.objects.get(kind=AlertKind.EARLY_HELP_LEAD_ANSWERED)
    assert back.user == world.dana and "Erin Cole cannot lead" in back.title
    assert "health visitor knows the family best" in back.body
    episode.refresh_from_db()
    assert episode.state == EpisodeState.AWAITING_LEAD
    # Only the one asked answers; the asker asks again.
    with pytest.raises(PermissionDenied):
        services.lead_offer(user=world.tom, episode=episode, lead=world.priya, via=WEB)
    role = services.lead_offer(user=world.dana, episode=episode, lead=world.priya, via=WEB)
    with pytest.raises(PermissionDenied):
        services.lead_accept(user=world.erin, role=role, via=WEB, consent=agreed())
    services.lead_accept(user=world.priya, role=role, via=WEB, consent=agreed())
    episode.refresh_from_db()
    assert episode.state == EpisodeState.OPEN
    lead = lead_professional(world.jack)
    assert lead is not None and lead.practitioner == world.priya


def test_a_new_request_withdraws_the_one_not_yet_answered(world: World):
    episode = asked(world)
    first = offer_of(episode)
    services.lead_offer(user=world.dana, episode=episode, lead=world.priya, via=WEB)
    first.refresh_from_db()
    assert first.state == LeadState.WITHDRAWN
    with pytest.raises(ValidationError) as late:
        services.lead_accept(user=world.erin, role=first, via=WEB, consent=agreed())
    assert late.value.message_dict["answer"] == ["This request to lead has already been answered"]


def test_the_lead_hands_over_without_a_gap_and_never_two_leads(world: World):
    episode = asked(world, lead=world.erin, by=world.erin, consent=agreed())
    erin_role = services.current_lead(episode)
    assert erin_role is not None
    role = services.lead_offer(user=world.erin, episode=episode, lead=world.priya, via=WEB)
    # Asked, not yet accepted: Erin still leads.
    lead = lead_professional(world.jack)
    assert lead is not None and lead.practitioner == world.erin
    services.lead_accept(user=world.priya, role=role, via=WEB)
    erin_role.refresh_from_db()
    assert erin_role.state == LeadState.ENDED
    assert erin_role.end_reason == "Handed over to Priya Shah"
    assert erin_role.involvement is not None
    erin_role.involvement.refresh_from_db()
    assert erin_role.involvement.ended_on == timezone.localdate()
    # The new lead starts the moment the old one ends.
    role.refresh_from_db()
    assert erin_role.ended_on == role.answered_on
    leads = Involvement.objects.current().filter(person=world.jack, is_lead_professional=True)
    assert [i.practitioner for i in leads] == [world.priya]
    told = Alert.objects.filter(kind=AlertKind.EARLY_HELP_LEAD_ANSWERED, user=world.erin)
    assert told.count() == 1
    summaries = ChronologyEvent.objects.filter(person=world.jack, kind=EventKind.EARLY_HELP)
    assert any("Priya Shah" in e.summary and "took over" in e.summary for e in summaries)


def test_an_episode_nobody_leads_goes_to_the_early_help_manager_once(world: World):
    ella = practitioner_make(
        "ella", "Ella", "Stone", world.early_help, Role.EARLY_HELP_PRACTITIONER, is_manager=True
    )
    # Asked for on a Thursday: five working days on, over the weekend, is Thursday next.
    with time_machine.travel(datetime(2026, 12, 3, 10, 0, tzinfo=UK), tick=False):
        episode = asked(world)
    due = episode.lead_due
    assert due == datetime(2026, 12, 10, 17, 0, tzinfo=UK)
    services.early_help_clock_tick(due - timedelta(minutes=1))
    assert not Alert.objects.filter(kind=AlertKind.EARLY_HELP_NO_LEAD).exists()
    assert services.early_help_clock_tick(due)["early_help_leads_escalated"] == 1
    services.early_help_clock_tick(due + timedelta(days=1))
    chase = Alert.objects.get(kind=AlertKind.EARLY_HELP_NO_LEAD)
    assert chase.user == ella
    assert chase.title == "Early help for Jack Taylor has no lead after 5 working days"
    # The manager brokers: asks Priya, who accepts.
    assert services.is_broker(ella)
    role = services.lead_offer(user=ella, episode=episode, lead=world.priya, via=WEB)
    services.lead_accept(user=world.priya, role=role, via=WEB, consent=agreed())
    episode.refresh_from_db()
    assert episode.state == EpisodeState.OPEN


def test_someone_else_leading_through_the_register_must_hand_over_first(world: World):
    Involvement.objects.create(
        person=world.jack,
        team=world.health_visiting,
        practitioner=world.priya,
        capacity=Capacity.HEALTH_VISITING,
        is_lead_professional=True,
        started_on=date(2026, 1, 5),
        source_agency=world.health,
        source_system="test",
    )
    with pytest.raises(ValidationError) as refused:
        asked(world)
    assert "they must hand over first" in refused.value.message_dict["lead"][0]


def test_only_an_agencys_own_system_says_its_lead_accepted(world: World):
    with pytest.raises(ValidationError) as refused:
        services.episode_request(
            user=world.dana,
            person=world.jack,
            request=EpisodeRequest(
                reason=REASON, lead=world.erin, consent=agreed(), lead_accepted=True
            ),
            via=WEB,
        )
    assert "lead_accepted" in refused.value.message_dict


def test_the_lead_closes_early_help_and_their_role_ends_with_it(world: World):
    episode = asked(world, lead=world.erin, by=world.erin, consent=agreed())
    with pytest.raises(PermissionDenied):
        services.episode_close(
            user=world.dana, episode=episode, closure="needs_met", reason="x" * 30, via=WEB
        )
    with pytest.raises(ValidationError) as refused:
        services.episode_close(user=world.erin, episode=episode, closure="", reason="", via=WEB)
    assert set(refused.value.message_dict) == {"closure", "close_reason"}
    services.episode_close(
        user=world.erin,
        episode=episode,
        closure="needs_met",
        reason="Routines settled; Jack is on time most days and his mother uses the food bank.",
        via=WEB,
    )
    episode.refresh_from_db()
    assert episode.state == EpisodeState.CLOSED and episode.closed_by == world.erin
    role = LeadRole.objects.get(episode=episode)
    assert role.state == LeadState.ENDED and role.end_reason == "Early help closed"
    assert lead_professional(world.jack) is None
    assert role.involvement is not None and role.involvement.ended_on == timezone.localdate()
    assert ChronologyEvent.objects.filter(
        person=world.jack, summary__startswith="Early help closed by Erin Cole"
    ).exists()
    assert services.closed_within(world.jack, before=timezone.now()) == episode
    # A new episode may open after it.
    assert asked(world, lead=world.erin).state == EpisodeState.AWAITING_LEAD


def test_naming_yourself_later_waits_for_your_own_answer_with_the_familys_agreement(
    world: World,
):
    episode = asked(world)  # Dana asks Erin, with no agreement recorded
    role = services.lead_offer(user=world.dana, episode=episode, lead=world.dana, via=WEB)
    episode.refresh_from_db()
    assert episode.state == EpisodeState.AWAITING_LEAD and role.state == LeadState.OFFERED
    with pytest.raises(ValidationError):
        services.lead_accept(user=world.dana, role=role, via=WEB)
    services.lead_accept(user=world.dana, role=role, via=WEB, consent=agreed())
    episode.refresh_from_db()
    assert episode.state == EpisodeState.OPEN and episode.has_consent
