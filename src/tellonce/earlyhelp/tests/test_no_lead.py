"""Jack's school knows him; when the council's housing team starts working with his
family too, two agencies work with him and nobody leads: TellOnce notices, tells both
who else is there, and if nobody has become his lead professional ten working days on,
asks the early help service's manager to broker one. A universal service alone (a
school and health visiting) is not a need; a social worker leads already."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from tellonce.alerts.models import Alert, AlertKind
from tellonce.audit.models import Channel
from tellonce.audit.services import Via
from tellonce.earlyhelp import services
from tellonce.earlyhelp.models import NoLeadNotice
from tellonce.earlyhelp.services import Consent, EpisodeRequest
from tellonce.involvements.models import Capacity, Confirmation, Involvement
from tellonce.involvements.services import involvement_confirm, involvement_start
from tellonce.organisations.models import Agency, AgencyKind, Role, Service, Team
from tellonce.testing.world import World, practitioner_make

pytestmark = pytest.mark.django_db
WEB = Via(Channel.WEB)
UK = ZoneInfo("Europe/London")


def _team(name: str, service: str, agency: Agency) -> Team:
    return Team.objects.create(
        agency=agency, name=name, service=service, phone="020 7946 5555", email="t@x.example"
    )


def _works_with(world: World, team: Team, capacity: str) -> Involvement:
    return involvement_start(
        person=world.jack,
        team=team,
        capacity=capacity,
        started_on=timezone.localdate(),
        source_agency=team.agency,
        source_system="test",
        confirmation=Confirmation.SYSTEM_OF_RECORD,
    )


def _school(world: World) -> Involvement:
    return _works_with(world, world.oakfield_dsl, Capacity.SCHOOL)


def _housing(world: World) -> Team:
    return _team("Housing options", Service.HOUSING, world.council)


def test_two_agencies_and_nobody_leading_tells_each_who_else_is_there(world: World):
    _school(world)
    assert not NoLeadNotice.objects.exists()
    _works_with(world, _housing(world), Capacity.HOUSING)
    notice = NoLeadNotice.objects.get()
    assert (notice.person, notice.agencies, notice.resolved_on) == (world.jack, 2, None)
    told = Alert.objects.filter(kind=AlertKind.EARLY_HELP_NO_LEAD).order_by("team__name")
    assert [a.team.name for a in told] == ["Designated safeguarding lead", "Housing options"]
    school = told[0]
    assert school.title == "Nobody leads the help for Jack Taylor"
    assert "Housing options (Northbrook Council), housing" in school.body
    assert "Designated safeguarding lead" not in school.body
    assert "ask for early help from Jack's record" in school.body
    # A third agency arriving does not say it all again.
    _works_with(world, _team("Young carers", Service.VOLUNTARY, world.council), "voluntary_service")
    assert NoLeadNotice.objects.count() == 1 and told.count() == 2


def test_a_universal_service_alone_is_not_noticed(world: World):
    _school(world)
    _works_with(world, world.health_visiting, Capacity.HEALTH_VISITING)
    assert not NoLeadNotice.objects.exists()


def test_a_social_worker_leads_already(world: World):
    _school(world)
    social_work = _team("Assessment team", Service.ASSESSMENT, world.council)
    _works_with(world, social_work, Capacity.CHILD_IN_NEED)
    _works_with(world, _housing(world), Capacity.HOUSING)
    assert not NoLeadNotice.objects.exists()


def test_camhs_is_named_to_the_others_by_its_agency_alone(world: World):
    _school(world)
    camhs_trust = Agency.objects.create(
        name="Northbrook Mental Health Trust", kind=AgencyKind.NHS_TRUST, code="RMH"
    )
    _works_with(world, _team("CAMHS north", Service.CAMHS, camhs_trust), Capacity.CAMHS)
    school = Alert.objects.get(kind=AlertKind.EARLY_HELP_NO_LEAD, team=world.oakfield_dsl)
    assert "Northbrook Mental Health Trust" in school.body
    assert "CAMHS" not in school.body


def test_early_help_asked_for_or_a_lead_named_resolves_it(world: World):
    _school(world)
    _works_with(world, _housing(world), Capacity.HOUSING)
    services.episode_request(
        user=world.dana,
        person=world.jack,
        request=EpisodeRequest(
            reason="Two agencies and nobody leading: the family wants help with the move.",
            lead=world.erin,
            consent=Consent(),
        ),
        via=WEB,
    )
    notice = NoLeadNotice.objects.get()
    assert notice.resolved_on is not None and notice.resolution == "Early help was asked for"


def test_still_nobody_after_ten_working_days_goes_to_the_early_help_manager_once(
    world: World,
):
    ella = practitioner_make(
        "ella", "Ella", "Stone", world.early_help, Role.EARLY_HELP_PRACTITIONER, is_manager=True
    )
    # Noticed on a Monday: ten working days on is the Friday of the week after next.
    with time_machine.travel(datetime(2026, 11, 2, 9, 30, tzinfo=UK), tick=False):
        _school(world)
        _works_with(world, _housing(world), Capacity.HOUSING)
    notice = NoLeadNotice.objects.get()
    assert notice.broker_due == datetime(2026, 11, 16, 17, 0, tzinfo=UK)
    services.early_help_clock_tick(notice.broker_due - timedelta(minutes=1))
    assert not Alert.objects.filter(user=ella).exists()
    ticked = services.early_help_clock_tick(notice.broker_due)
    assert ticked["no_lead_notices_escalated"] == 1
    services.early_help_clock_tick(notice.broker_due + timedelta(days=2))
    broker = Alert.objects.get(user=ella)
    assert broker.title == "Nobody has led the help for Jack Taylor for 10 working days"


def test_a_notice_that_no_longer_holds_is_not_escalated(world: World):
    practitioner_make(
        "ella", "Ella", "Stone", world.early_help, Role.EARLY_HELP_PRACTITIONER, is_manager=True
    )
    _school(world)
    housing = _works_with(world, _housing(world), Capacity.HOUSING)
    Involvement.objects.filter(pk=housing.pk).update(ended_on=date.today())
    notice = NoLeadNotice.objects.get()
    services.early_help_clock_tick(notice.broker_due + timedelta(minutes=1))
    notice.refresh_from_db()
    assert notice.escalated_on is None and notice.resolved_on is not None
    assert not Alert.objects.filter(user__username="ella").exists()


def test_a_sweep_notices_a_borough_loaded_without_its_hooks(world: World):
    housing = _housing(world)
    for team, capacity in ((world.oakfield_dsl, Capacity.SCHOOL), (housing, Capacity.HOUSING)):
        Involvement.objects.create(
            person=world.jack,
            team=team,
            capacity=capacity,
            started_on=timezone.localdate(),
            source_agency=team.agency,
            source_system="test",
            confirmation=Confirmation.SYSTEM_OF_RECORD,
        )
    assert not NoLeadNotice.objects.exists()
    assert services.no_lead_sweep() == 1
    assert services.no_lead_sweep() == 0
    assert NoLeadNotice.objects.get().person == world.jack


def test_an_involvement_counts_once_it_is_confirmed(world: World):
    _school(world)
    housing = _housing(world)
    said = involvement_start(
        person=world.jack,
        team=housing,
        capacity=Capacity.HOUSING,
        started_on=timezone.localdate(),
        source_agency=housing.agency,
        source_system="TellOnce",
    )
    assert not NoLeadNotice.objects.exists()
    manager = practitioner_make("hugh", "Hugh", "Bell", housing, Role.PRACTITIONER, is_manager=True)
    involvement_confirm(user=manager, involvement=said, via=WEB)
    assert NoLeadNotice.objects.get().agencies == 2
