"""A year of early help in Northbrook: a small borough is seeded once for this module
(inside a transaction rolled back at the end), and each test says one thing that Erin
(the early help team), Gwen (its manager), the practitioners who ask for and lead early
help, and the figures must find in it.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.test import TestCase, override_settings
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from tellonce.accounts.models import User
from tellonce.alerts.models import Alert, AlertKind, Delivery
from tellonce.audit.services import COMMAND_LINE
from tellonce.borough import demo
from tellonce.borough.earlyhelp import demo_episodes, early_help_history_seed
from tellonce.borough.models import SeedRun
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.core import workdays
from tellonce.earlyhelp import services
from tellonce.earlyhelp.models import (
    LIVE_STATES,
    Closure,
    Episode,
    EpisodeState,
    LeadRole,
    LeadState,
    Route,
)
from tellonce.earlyhelp.selectors import worklist_for
from tellonce.earlyhelp.services import is_broker
from tellonce.involvements.models import Capacity, Involvement
from tellonce.mash.models import MashCase, Outcome
from tellonce.organisations.models import Service
from tellonce.people.models import Person

CHILDREN = 1_000
SEED = 4
#: A Wednesday.
AS_OF = date(2026, 11, 25)
END = datetime.combine(AS_OF, time(17, 30), tzinfo=workdays.UK)
#: The kinds of team whose practitioners may ask for and lead early help.
LEADING = {
    Service.SCHOOL_SAFEGUARDING,
    Service.HEALTH_VISITING,
    Service.SCHOOL_NURSING,
    Service.VOLUNTARY,
    Service.EARLY_HELP,
}

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def seeded(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """Northbrook with 1,000 children and 150 contacts to its MASH in the year."""
    with (
        django_db_blocker.unblock(),
        override_settings(VAR_DIR=tmp_path_factory.mktemp("var")),
        transaction.atomic(),
    ):
        out = io.StringIO()
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command(
                "seed", children=CHILDREN, seed=SEED, as_of=AS_OF, mash_contacts=150, stdout=out
            )
        yield out.getvalue()
        transaction.set_rollback(True)


def _user(username: str) -> User:
    return User.objects.select_related("team").get(username=username)


def _in_working_hours(moment: datetime) -> bool:
    local = timezone.localtime(moment, workdays.UK)
    return workdays.is_working_day(local.date()) and time(9, 0) <= local.time() <= time(17, 0)


# ----- how early help came, and who leads it


def test_a_year_of_early_help_came_by_every_route(seeded: str) -> None:
    episodes = Episode.objects.all()
    routes = Counter(episodes.values_list("route", flat=True))
    askers = set(
        episodes.filter(route=Route.PRACTITIONER).values_list("requesting_team__service", flat=True)
    )

    # About one a year for every ten children (and the demo's story).
    assert demo_episodes(CHILDREN) - 3 <= episodes.count() <= demo_episodes(CHILDREN) + 3
    assert set(routes) == {Route.MASH, Route.PRACTITIONER, Route.SYSTEM}
    assert routes[Route.PRACTITIONER] > routes[Route.SYSTEM]
    assert askers == LEADING
    assert not episodes.filter(requested_on__gt=END).exists()
    assert not episodes.filter(requested_on__lt=END - timedelta(days=365)).exists()
    system = episodes.filter(route=Route.SYSTEM)
    assert set(system.values_list("requested_by__username", flat=True)) == {"earlyhelp-system"}
    assert not system.filter(external_ref="").exists()
    counts = SeedRun.objects.get().counts["early_help"]
    assert counts["episodes"] == episodes.count()
    assert f"Early help history: {episodes.count():,} episodes" in seeded


def test_each_mash_decision_of_early_help_asks_its_named_lead() -> None:
    decided = MashCase.objects.filter(outcome=Outcome.EARLY_HELP, signed_off_on__isnull=False)
    linked = decided.filter(early_help_episode__isnull=False).select_related("early_help_episode")

    assert linked.exists()
    for case in linked:
        episode = case.early_help_episode
        assert episode is not None and episode.person_id == case.person_id
        assert episode.route == Route.MASH
        assert episode.requested_on <= case.signed_off_on  # type: ignore[operator]
        first = episode.leads.order_by("offered_on", "pk").first()
        assert first is not None
        assert first.practitioner_id == case.lead_professional_id
        assert first.offered_by_id == episode.requested_by_id
    # A decision opens one episode, or joins the child's episode still live.
    for episode in Episode.objects.filter(route=Route.MASH):
        first_case = episode.mash_cases.order_by("signed_off_on").first()
        assert first_case is not None
        assert episode.requested_on == first_case.signed_off_on
        assert episode.requested_by_id == first_case.signed_off_by_id
        assert episode.requesting_team.service == Service.MASH
    # Only a child for whom the services would name no lead is left without one: the
    # register gives them a lead professional already, early help, a plan or leaving care.
    refusing = Q(is_lead_professional=True) | Q(
        capacity__in=(
            Capacity.EARLY_HELP,
            Capacity.CHILD_IN_NEED,
            Capacity.CHILD_PROTECTION,
            Capacity.LOOKED_AFTER,
            Capacity.LEAVING_CARE,
        )
    )
    others = Involvement.objects.current().filter(early_help_lead__isnull=True)
    for case in decided.filter(early_help_episode__isnull=True):
        assert others.filter(refusing, person=case.person_id).exists()


def test_leads_come_from_every_kind_of_team_that_may_lead() -> None:
    led = LeadRole.objects.filter(state__in=(LeadState.ACCEPTED, LeadState.ENDED))

    assert set(led.values_list("team__service", flat=True)) == LEADING
    assert set(LeadRole.objects.values_list("team__service", flat=True)) == LEADING


def test_practitioners_ask_for_children_they_know() -> None:
    asked = Episode.objects.filter(route=Route.PRACTITIONER).select_related(
        "person", "requesting_team"
    )
    for episode in asked:
        day = timezone.localtime(episode.requested_on, workdays.UK).date()
        service = episode.requesting_team.service
        assert episode.person.date_of_birth is not None
        age = (day - episode.person.date_of_birth).days / 365.25
        assert 0 < age < 18
        if service == Service.SCHOOL_SAFEGUARDING:
            # A school asks for its own pupils.
            assert Involvement.objects.filter(
                person=episode.person,
                team=episode.requesting_team,
                capacity=Capacity.SCHOOL,
                started_on__lte=day,
            ).exists()
        elif service == Service.HEALTH_VISITING:
            assert age < 5
        elif service == Service.SCHOOL_NURSING:
            assert 5 <= age < 16


# ----- answers, escalations, handovers


def test_most_leads_accept_within_five_working_days_and_the_late_were_escalated() -> None:
    opened = Episode.objects.filter(opened_on__isnull=False)
    late = [e for e in opened if e.opened_on > e.lead_due]  # type: ignore[operator]

    assert len(late) >= 1
    assert len(late) < 0.2 * opened.count()
    for episode in Episode.objects.all():
        waited = episode.opened_on is None or episode.opened_on > episode.lead_due
        if episode.lead_due <= END and waited:
            # The clock asked the early help service's managers to find a lead, once.
            assert episode.lead_escalated_on is not None
            assert (
                episode.lead_due
                <= episode.lead_escalated_on
                <= episode.lead_due + timedelta(minutes=2)
            )
            assert Alert.objects.filter(
                kind=AlertKind.EARLY_HELP_NO_LEAD, key=f"early-help:{episode.pk}:no-lead"
            ).exists()
        else:
            assert episode.lead_escalated_on is None
    assert not Alert.objects.filter(kind=AlertKind.EARLY_HELP_NO_LEAD, person__isnull=True).exists()


def test_some_decline_saying_why_and_someone_else_is_asked() -> None:
    declined = LeadRole.objects.filter(state=LeadState.DECLINED).select_related("episode")

    assert declined.exists()
    for role in declined:
        assert len(role.decline_reason) >= 10
        assert role.answered_on is not None
        later = role.episode.leads.filter(offered_on__gte=role.answered_on).exclude(pk=role.pk)
        assert later.exclude(practitioner=role.practitioner).exists()
        if not role.offered_by.is_system_account:
            told = Alert.objects.get(key=f"early-help:{role.episode_id}:declined-{role.pk}")
            assert told.user_id == role.offered_by_id
            assert "cannot lead" in told.title and role.decline_reason in told.body


def test_one_request_and_one_lead_at_a_time() -> None:
    for episode in Episode.objects.prefetch_related("leads"):
        states = Counter(r.state for r in episode.leads.all())
        assert states[LeadState.OFFERED] <= 1
        assert states[LeadState.ACCEPTED] <= 1
        if episode.state == EpisodeState.OPEN:
            assert states[LeadState.ACCEPTED] == 1
        elif episode.state == EpisodeState.AWAITING_LEAD:
            assert states[LeadState.ACCEPTED] == 0 and states[LeadState.OFFERED] == 1
            assert not states[LeadState.ENDED]
        else:
            assert not (states[LeadState.ACCEPTED] or states[LeadState.OFFERED])
    live = Episode.objects.filter(state__in=LIVE_STATES).values("person")
    assert not live.annotate(n=Count("pk")).filter(n__gt=1).exists()


def test_a_few_wait_for_a_lead_now_the_older_escalated() -> None:
    waiting = Episode.objects.filter(state=EpisodeState.AWAITING_LEAD)

    assert waiting.filter(lead_escalated_on__isnull=False).exists()
    assert waiting.filter(lead_escalated_on__isnull=True).exists()
    # What still waits is recent: old work found its lead long ago.
    assert not waiting.filter(requested_on__lt=END - timedelta(days=28)).exists()
    gwen = _user("gwen.ehmanager")
    for episode in waiting.filter(lead_escalated_on__isnull=False):
        chase = Alert.objects.get(key=f"early-help:{episode.pk}:no-lead", user=gwen)
        assert chase.read_on is None and chase.delivered_on is not None
        assert chase.title.endswith("has no lead after 5 working days")


def test_the_family_agreed_to_every_episode_that_opened() -> None:
    opened = Episode.objects.filter(opened_on__isnull=False).select_related("person")

    assert opened.filter(state=EpisodeState.OPEN).exists()
    for episode in opened:
        assert episode.consent_given_on is not None
        assert len(episode.consent_given_by) >= 3 and len(episode.consent_to_share) >= 10
        assert episode.consent_recorded_by_id is not None
        assert episode.person.date_of_birth is not None
        assert episode.person.date_of_birth <= episode.consent_given_on <= AS_OF
        assert episode.opened_on is not None
        assert episode.consent_given_on <= timezone.localtime(episode.opened_on).date()
        recorders = {episode.requested_by_id, *episode.leads.values_list("practitioner", flat=True)}
        assert episode.consent_recorded_by_id in recorders
    # Parents with parental responsibility, by name, where the borough knows them.
    givers = Counter(opened.values_list("consent_given_by", flat=True))
    assert any(g.endswith(", mother") or g.endswith(", father") for g in givers)


def test_each_accepted_lead_holds_the_childs_one_lead_professional_involvement() -> None:
    accepted = LeadRole.objects.filter(state=LeadState.ACCEPTED).select_related("involvement")

    assert accepted.exists()
    for role in accepted:
        involvement = role.involvement
        assert involvement is not None and involvement.ended_on is None
        assert involvement.is_lead_professional
        assert involvement.capacity == Capacity.EARLY_HELP
        assert (involvement.practitioner_id, involvement.team_id) == (
            role.practitioner_id,
            role.team_id,
        )
        assert role.answered_on is not None
        assert involvement.started_on == timezone.localtime(role.answered_on).date()
    # One lead professional per child on the whole register, whoever recorded it.
    leads = Involvement.objects.current().filter(is_lead_professional=True).values("person")
    assert not leads.annotate(n=Count("pk")).filter(n__gt=1).exists()
    # No lead role without its involvement, and no early help involvement without a role.
    assert not LeadRole.objects.filter(
        state__in=(LeadState.ACCEPTED, LeadState.ENDED), involvement__isnull=True
    ).exists()
    ours = Involvement.objects.filter(capacity=Capacity.EARLY_HELP, source_system="TellOnce")
    assert not ours.filter(is_lead_professional=True, early_help_lead__isnull=True).exists()


def test_a_handover_ends_the_lead_before_as_the_new_lead_accepts() -> None:
    handed = LeadRole.objects.filter(end_reason__startswith="Handed over to ").select_related(
        "involvement", "episode"
    )

    assert handed.exists()
    for before in handed:
        after = (
            before.episode.leads.filter(answered_on=before.ended_on)
            .exclude(pk=before.pk)
            .select_related("practitioner")
            .get()
        )
        assert after.state in (LeadState.ACCEPTED, LeadState.ENDED)
        assert before.end_reason == f"Handed over to {after.practitioner.get_full_name()}"
        assert after.offered_by_id == before.practitioner_id
        assert before.involvement is not None and before.ended_on is not None
        assert before.involvement.ended_on == timezone.localtime(before.ended_on).date()
        assert before.involvement.end_reason.startswith("Handed over the lead professional role")
        assert ChronologyEvent.objects.filter(
            kind=EventKind.EARLY_HELP,
            external_ref=f"early-help-{before.episode_id}-lead-{after.pk}",
            summary__contains="took over as the lead professional",
        ).exists()


def test_old_early_help_closed_and_its_lead_stepped_down() -> None:
    closed = Episode.objects.filter(state=EpisodeState.CLOSED)

    assert closed.exists()
    assert not closed.filter(closed_on__gte=END).exists()
    assert not Episode.objects.filter(state=EpisodeState.OPEN, closed_on__isnull=False).exists()
    for episode in closed:
        assert episode.opened_on is not None and episode.closed_on is not None
        assert episode.closed_on > episode.opened_on
        assert episode.closure in Closure.values and len(episode.close_reason) >= 20
        last = episode.leads.filter(state=LeadState.ENDED).order_by("-ended_on").first()
        assert last is not None and last.ended_on == episode.closed_on
        assert last.practitioner_id == episode.closed_by_id
        assert last.involvement is not None
        assert last.involvement.ended_on == timezone.localtime(episode.closed_on).date()
    # What is still open is the recent work.
    open_ = Episode.objects.filter(state=EpisodeState.OPEN)
    assert open_.filter(opened_on__gte=END - timedelta(days=120)).count() > 0.5 * open_.count()


# ----- as TellOnce wrote it


def test_every_step_is_on_the_childs_chronology_as_the_services_write_it() -> None:
    entries = ChronologyEvent.objects.filter(kind=EventKind.EARLY_HELP)
    for episode in Episode.objects.select_related("requested_by"):
        asked = entries.get(external_ref=f"early-help-{episode.pk}-requested")
        assert asked.person_id == episode.person_id
        assert asked.recorded_by_id == episode.requested_by_id
        if episode.opened_on is not None:
            assert entries.filter(
                person=episode.person_id, summary__startswith="Early help opened: "
            ).exists()
        if episode.closed_on is not None:
            assert entries.filter(external_ref=f"early-help-{episode.pk}-closed").exists()
    for involvement in Involvement.objects.filter(early_help_lead__isnull=False):
        kinds = set(involvement.chronology_events.values_list("kind", flat=True))
        expected = {EventKind.INVOLVEMENT_STARTED}
        if involvement.ended_on is not None:
            expected.add(EventKind.INVOLVEMENT_ENDED)
        assert kinds == expected


def test_practitioners_do_early_help_in_working_hours() -> None:
    asked = Episode.objects.exclude(route=Route.MASH).values_list("requested_on", flat=True)
    assert all(_in_working_hours(t) for t in asked)
    for role in LeadRole.objects.all():
        assert _in_working_hours(role.offered_on), role.pk
        if role.answered_on is not None:
            assert _in_working_hours(role.answered_on), role.pk
    for closed in Episode.objects.filter(closed_on__isnull=False).values_list(
        "closed_on", flat=True
    ):
        assert closed is not None and _in_working_hours(closed)


def test_history_alerts_were_read_and_what_waits_is_unread() -> None:
    asks = Alert.objects.filter(kind=AlertKind.EARLY_HELP_LEAD_ASKED)

    assert asks.exists()
    for alert in asks:
        role = LeadRole.objects.get(pk=int(alert.key.rsplit("-", 1)[1]))
        assert alert.user_id == role.practitioner_id
        assert alert.delivered_on is not None
        assert (alert.read_on is None) == (role.state == LeadState.OFFERED)
    accepted = Alert.objects.filter(kind=AlertKind.EARLY_HELP_LEAD_ANSWERED)
    assert accepted.filter(title__contains=" now leads early help for ").exists()
    # History tells no one again: no deliveries wait for these alerts (only today's
    # news, the demo's pupil whom nobody leads, is still to be told).
    waiting = Delivery.objects.filter(alert__kind__startswith="early_help")
    assert not waiting.exclude(alert__key__startswith="no-lead:").exists()


#: Each way an episode's history goes, as the seed makes it (`_replayable`).
SHAPES = ("asked", "self", "declined", "withdrawn", "escalated", "handover", "mash", "system")


def _replayable(shape: str) -> Episode:
    """A seeded episode whose history goes this way, one still live if there is one."""
    episodes = Episode.objects.all()
    chosen = {
        "asked": episodes.filter(route=Route.PRACTITIONER)
        .annotate(n=Count("leads"))
        .filter(n=1)
        .exclude(leads__offered_by=F("leads__practitioner")),
        "self": episodes.filter(
            route=Route.PRACTITIONER, leads__offered_by=F("leads__practitioner")
        ),
        "declined": episodes.filter(leads__state=LeadState.DECLINED),
        "withdrawn": episodes.filter(leads__state=LeadState.WITHDRAWN),
        "escalated": episodes.filter(lead_escalated_on__isnull=False),
        "handover": episodes.filter(leads__end_reason__startswith="Handed over"),
        "mash": episodes.filter(route=Route.MASH),
        "system": episodes.filter(route=Route.SYSTEM),
    }[shape].distinct()
    episode = (
        chosen.exclude(state=EpisodeState.CLOSED).order_by("pk").first()
        or chosen.order_by("pk").first()
    )
    assert episode is not None, shape
    return episode


def _free_child(episode: Episode) -> Person:
    """Another child, free of early help and of any lead, old enough to have agreed."""
    day = timezone.localtime(episode.requested_on).date()
    oldest = day - timedelta(days=round(16 * 365.25))
    youngest = min(day - timedelta(days=30), episode.consent_given_on or day)
    refusing = Involvement.objects.current().filter(
        Q(is_lead_professional=True)
        | Q(
            capacity__in=(
                Capacity.EARLY_HELP,
                Capacity.CHILD_IN_NEED,
                Capacity.CHILD_PROTECTION,
                Capacity.LOOKED_AFTER,
            )
        )
    )
    child = (
        Person.objects.filter(date_of_birth__gt=oldest, date_of_birth__lt=youngest)
        .exclude(pk__in=Episode.objects.values("person"))
        .exclude(pk__in=refusing.values("person"))
        .order_by("pk")
        .first()
    )
    assert child is not None
    return child


def _replay(seeded: Episode, child: Person) -> Episode:
    """The seeded episode's history again, step by step through the early help
    services, at the same moments, for `child`."""
    roles = list(seeded.leads.select_related("practitioner", "offered_by").order_by("offered_on"))
    first = roles[0]
    consent = services.Consent(
        given_on=seeded.consent_given_on,
        given_by=seeded.consent_given_by,
        to_share=seeded.consent_to_share,
    )

    def consent_of(user_id: int) -> services.Consent:
        return consent if seeded.consent_recorded_by_id == user_id else services.Consent()

    replayed: list[Episode] = []

    def asked() -> None:
        if seeded.route == Route.MASH:
            replayed.append(
                services.episode_from_mash(
                    user=seeded.requested_by,
                    person=child,
                    lead=first.practitioner,
                    reason=seeded.reason,
                    via=COMMAND_LINE,
                )
            )
            return
        at_once = first.answered_on == seeded.requested_on and first.state != LeadState.DECLINED
        replayed.append(
            services.episode_request(
                user=seeded.requested_by,
                person=child,
                request=services.EpisodeRequest(
                    reason=seeded.reason,
                    lead=first.practitioner,
                    consent=consent_of(seeded.requested_by_id),
                    external_ref=seeded.external_ref,
                    lead_accepted=seeded.route == Route.SYSTEM and at_once,
                ),
                via=COMMAND_LINE,
            )
        )

    def role(n: int) -> LeadRole:
        return replayed[0].leads.order_by("offered_on", "pk")[n]

    # Each step at its moment: asked for, someone (else) asked, an answer, the clock.
    steps: list[tuple[datetime, str, int]] = [(seeded.requested_on, "ask", 0)]
    for n, seeded_role in enumerate(roles):
        if n:
            steps.append((seeded_role.offered_on, "offer", n))
        answered = seeded_role.answered_on
        if answered is None or answered == seeded_role.offered_on:
            continue  # not yet answered, or accepted in the asking
        if seeded_role.state == LeadState.DECLINED:
            steps.append((answered, "decline", n))
        elif seeded_role.state in (LeadState.ACCEPTED, LeadState.ENDED):
            steps.append((answered, "accept", n))
    if seeded.lead_escalated_on is not None:
        steps.append((seeded.lead_escalated_on, "tick", 0))
    if seeded.closed_on is not None:
        steps.append((seeded.closed_on, "close", 0))
    for moment, step, n in sorted(steps, key=lambda s: s[0]):
        r = roles[n]
        with time_machine.travel(moment, tick=False):
            if step == "ask":
                asked()
            elif step == "offer":
                services.lead_offer(
                    user=r.offered_by, episode=replayed[0], lead=r.practitioner, via=COMMAND_LINE
                )
            elif step == "decline":
                services.lead_decline(
                    user=r.practitioner, role=role(n), reason=r.decline_reason, via=COMMAND_LINE
                )
            elif step == "accept":
                services.lead_accept(
                    user=r.practitioner,
                    role=role(n),
                    via=COMMAND_LINE,
                    consent=consent_of(r.practitioner_id),
                )
            elif step == "tick":
                services.early_help_clock_tick(moment)
            else:
                assert seeded.closed_by is not None
                services.episode_close(
                    user=seeded.closed_by,
                    episode=replayed[0],
                    closure=seeded.closure,
                    reason=seeded.close_reason,
                    via=COMMAND_LINE,
                )
    episode = replayed[0]
    episode.refresh_from_db()
    return episode


def _history(episode: Episode) -> tuple[dict[str, object], list[dict[str, object]]]:
    """The episode, and each of its leads with their involvement."""
    roles = episode.leads.select_related("involvement").order_by("offered_on", "pk")
    return _fields(episode, _EPISODE), [
        _fields(r, _ROLE)
        | {"involvement": _fields(r.involvement, _INVOLVEMENT) if r.involvement else None}
        for r in roles
    ]


_EPISODE = (
    "state route requested_by_id requesting_team_id requested_on opened_on reason"
    " consent_given_on consent_given_by consent_to_share consent_recorded_by_id external_ref"
    " lead_escalated_on closed_on closed_by_id closure close_reason created_on created_by_id"
    " modified_by_id"
).split()
_ROLE = (
    "state practitioner_id team_id offered_on offered_by_id answered_on decline_reason"
    " ended_on end_reason created_on created_by_id modified_by_id"
).split()
_INVOLVEMENT = (
    "team_id practitioner_id capacity started_on ended_on end_reason is_lead_professional"
    " confirmation source_agency_id source_system received_on recorded_by_id"
    " recorded_by_name created_on created_by_id modified_by_id"
).split()


def _fields(obj: object, names: list[str]) -> dict[str, object]:
    return {name: getattr(obj, name) for name in names}


def _in_words(episode: Episode, text: str) -> str:
    """What an entry or alert says, with the child's name and the ids left out."""
    person = Person.objects.get(pk=episode.person_id)
    for name in (person.full_name, person.given_name):
        text = text.replace(name, "<child>")
    for ours, shown in (
        (f"early-help-{episode.pk}-", "early-help-<episode>-"),
        (f"early-help:{episode.pk}:", "early-help:<episode>:"),
        (f"/early-help/{episode.pk}/", "/early-help/<episode>/"),
    ):
        text = text.replace(ours, shown)
    return re.sub(r"(lead-|asked-|accepted-|declined-)\d+", r"\1<role>", text)


def _chronology(episode: Episode) -> set[tuple[object, ...]]:
    """The episode's entries on the child's chronology, and its leads' involvements'."""
    events = ChronologyEvent.objects.filter(person=episode.person_id).filter(
        Q(kind=EventKind.EARLY_HELP, external_ref__startswith=f"early-help-{episode.pk}-")
        | Q(involvement__early_help_lead__episode=episode)
    )
    return {
        (
            e.kind,
            e.occurred_on,
            e.occurred_at,
            _in_words(episode, e.summary),
            _in_words(episode, e.external_ref),
            e.source_agency_id,
            e.source_system,
            e.recorded_by_id,
            e.recorded_by_name,
        )
        for e in events
    }


def _alerts(episode: Episode) -> set[tuple[object, ...]]:
    kinds = (
        AlertKind.EARLY_HELP_LEAD_ASKED,
        AlertKind.EARLY_HELP_LEAD_ANSWERED,
        AlertKind.EARLY_HELP_NO_LEAD,
    )
    return {
        (
            a.kind,
            _in_words(episode, a.key),
            a.team_id,
            a.user_id,
            a.created_on,
            _in_words(episode, a.link),
            _in_words(episode, a.title),
            _in_words(episode, a.body),
        )
        for a in Alert.objects.filter(person=episode.person_id, kind__in=kinds)
    }


@pytest.mark.parametrize("shape", SHAPES)
def test_the_seed_writes_what_the_early_help_services_write(shape: str) -> None:
    """Each way early help goes in the seed (asked and accepted, led by whoever asked,
    declined and asked again, never answered and brokered, escalated, handed over, from
    the MASH, from the early help system, and closed by its lead), replayed through the
    services at the same moments for another child: the episode, its leads and their
    involvements, the chronology and the alerts are the same."""
    seeded = _replayable(shape)

    replayed = _replay(seeded, _free_child(seeded))

    assert _history(replayed) == _history(seeded)
    assert _chronology(replayed) == _chronology(seeded)
    assert _alerts(replayed) == _alerts(seeded)


# ----- the demo


def test_erin_is_asked_to_lead_and_leads_early_help() -> None:
    work = worklist_for(user=_user("erin.earlyhelp"))

    assert work.asked and work.leading
    assert all(r.state == LeadState.OFFERED for r in work.asked)


def test_gwen_the_early_help_manager_brokers_what_waits_one_of_it_escalated() -> None:
    gwen = _user("gwen.ehmanager")
    work = worklist_for(user=gwen)

    assert gwen.team is not None and gwen.team.service == Service.EARLY_HELP
    assert is_broker(gwen) and work.broker
    assert work.brokering
    assert any(e.lead_escalated_on is not None for e in work.brokering)
    assert {"gwen.ehmanager", "erin.earlyhelp", "dana.dsl"} <= {u for u, _, _ in demo.demo_logins()}
    roles = {u: r for u, r, _ in demo.demo_logins()}
    assert roles["gwen.ehmanager"] == "Early help team manager"
    assert roles["erin.earlyhelp"] == "Early help practitioner"


def test_the_schools_and_health_visitors_demo_logins_have_early_help_too() -> None:
    for username in ("dana.dsl", "priya.visitor"):
        work = worklist_for(user=_user(username))
        led = LeadRole.objects.filter(practitioner__username=username)
        assert work.asked or work.leading or work.waiting or led.exists(), username


def test_seeding_again_adds_nothing() -> None:
    before = Episode.objects.count()

    counts = early_help_history_seed(children=CHILDREN, as_of=AS_OF, seed=SEED)

    assert set(counts.values()) == {0}
    assert Episode.objects.count() == before


def test_the_demo_has_a_pupil_whom_two_agencies_work_with_and_nobody_leads(seeded: str):
    from tellonce.alerts.models import Alert, AlertKind
    from tellonce.earlyhelp.models import NoLeadNotice

    assert "nobody leads" in seeded
    (notice,) = NoLeadNotice.objects.filter(resolved_on__isnull=True)
    dsl = User.objects.get(username="dana.dsl")
    told = Alert.objects.filter(kind=AlertKind.EARLY_HELP_NO_LEAD, person=notice.person)
    assert {a.team.service for a in told} == {Service.SCHOOL_SAFEGUARDING, Service.HOUSING}
    assert told.filter(team=dsl.team).exists()
