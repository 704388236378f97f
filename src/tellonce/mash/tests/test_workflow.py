"""Dana, the safeguarding lead at Oakfield, tells the MASH about Jack. Sam screens it,
asks Tom (police) and Hannah (health) what they know, proposes a decision that Maria
signs off; a strategy discussion invites the school and the health visitor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tellonce.alerts.models import Alert, AlertKind
from tellonce.audit.services import Via
from tellonce.audit.models import Channel
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.involvements.models import Capacity, Involvement
from tellonce.mash import services
from tellonce.mash.models import (
    Channel as ContactChannel,
    ContactChild,
    MashCase,
    Outcome,
    State,
    StrategyOutcome,
)
from tellonce.mash.services import ActionDetails, ChildDetails, ContactDetails

pytestmark = pytest.mark.django_db
WEB = Via(Channel.WEB)


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
        help_so_far="Spoke with Jack with the class teacher; gave breakfast; logged on CPOMS.",
        child_needs="Jack needs to be safe at home, fed, and his speech delay followed up.",
        child_voice="Jack said 'I don't want to go home when he is there'.",
        household="Mum Kerry, baby sister Lily, and mum's boyfriend (name not known).",
        family_knows=False,
        consent="not_sought",
        sharing_reason="Asking mum first could put Jack at risk of further harm tonight.",
    )
    base.update(changes)
    return ContactDetails(**base)


def test_a_contact_about_jack_opens_a_mash_case_with_a_deadline(world):
    contact = services.contact_make(
        user=world.dana,
        details=details(ChildDetails(person_id=world.jack.pk)),
        channel=ContactChannel.WEB,
        via=WEB,
    )
    case = MashCase.objects.get(person=world.jack)
    assert case.state == State.RECEIVED
    assert case.decision_due > contact.received_on
    assert (
        Involvement.objects.current()
        .filter(person=world.jack, team=world.mash, capacity=Capacity.MASH_ENQUIRY)
        .exists()
    )
    assert ChronologyEvent.objects.filter(person=world.jack, kind=EventKind.CONTACT).exists()


def test_vague_answers_are_refused_field_by_field(world):
    with pytest.raises(ValidationError) as refused:
        services.contact_make(
            user=world.dana,
            details=details(
                ChildDetails(given_name="Sky"),
                concern="concerns",
                help_so_far="n/a",
                child_needs="see above",
                sharing_reason="",
            ),
            channel=ContactChannel.WEB,
            via=WEB,
        )
    problems = refused.value.message_dict
    assert set(problems) >= {
        "concern",
        "help_so_far",
        "child_needs",
        "sharing_reason",
        "children-0-family_name",
        "children-0-date_of_birth",
    }
    assert MashCase.objects.count() == 0


def test_the_whole_front_door(world, django_capture_on_commit_callbacks):
    services.contact_make(
        user=world.dana,
        details=details(ChildDetails(person_id=world.jack.pk)),
        channel=ContactChannel.WEB,
        via=WEB,
    )
    case = MashCase.objects.get(person=world.jack)
    services.case_screen(
        user=world.sam, case=case, rag="amber", reason="Injury and a disclosure", via=WEB
    )
    proposed = {p.team for p in services.rfi_teams_proposed(case)}
    assert {
        world.police_mash,
        world.health_mash,
        world.oakfield_dsl,
        world.health_visiting,
    } <= proposed
    police = services.rfi_send(
        user=world.sam,
        case=case,
        team=world.police_mash,
        question="Any police history at the address?",
        via=WEB,
    )
    health = services.rfi_send(
        user=world.sam,
        case=case,
        team=world.health_mash,
        question="Health history for Jack and Lily?",
        via=WEB,
    )
    case.refresh_from_db()
    assert case.state == State.INFORMATION_GATHERING
    assert Alert.objects.filter(kind=AlertKind.RFI_RECEIVED, team=world.police_mash).exists()
    with pytest.raises(PermissionDenied):
        services.rfi_answer(
            user=world.hannah, request=police, answer="Nothing known to us here.", via=WEB
        )
    services.rfi_answer(
        user=world.tom,
        request=police,
        answer="Two DA call-outs in October to the address.",
        via=WEB,
    )
    services.rfi_answer(
        user=world.hannah, request=health, answer="Jack missed two dental appointments.", via=WEB
    )
    with pytest.raises(ValidationError) as refused:
        services.decision_propose(
            user=world.sam,
            case=case,
            outcome=Outcome.STRATEGY_DISCUSSION,
            reason="Disclosure of physical harm with domestic abuse history at the address.",
            actions=[ActionDetails("Visit Jack at school today", world.sam, None)],
            via=WEB,
        )
    assert "actions-0-due_on" in refused.value.message_dict
    services.decision_propose(
        user=world.sam,
        case=case,
        outcome=Outcome.STRATEGY_DISCUSSION,
        reason="Disclosure of physical harm with domestic abuse history at the address.",
        actions=[ActionDetails("Visit Jack at school today", world.sam, timezone.localdate())],
        via=WEB,
    )
    services.decision_sign_off(user=world.maria, case=case, agree=True, note="", via=WEB)
    case.refresh_from_db()
    assert case.state == State.OUTCOME and case.is_referral
    invitees = {p.team: p for p in services.strategy_invitees_proposed(case)}
    assert world.oakfield_dsl in invitees and world.health_visiting in invitees
    assert "made the contact" in invitees[world.oakfield_dsl].reason
    discussion = services.strategy_discussion_plan(
        user=world.sam, case=case, team_ids=[t.pk for t in invitees], via=WEB
    )
    services.strategy_discussion_record(
        user=world.sam,
        discussion=discussion,
        held_on=timezone.now() - timedelta(minutes=5),
        attended_team_ids=[
            world.mash.pk,
            world.police_mash.pk,
            world.health_mash.pk,
            world.oakfield_dsl.pk,
        ],
        information_shared="Police: two DA call-outs. Health: missed appointments. School: disclosure.",
        outcome=StrategyOutcome.JOINT_S47,
        rationale="Reasonable cause to suspect significant harm from physical abuse.",
        via=WEB,
    )
    discussion.refresh_from_db()
    assert discussion.conference_due is not None
    meeting = services.meeting_open(user=world.sam, via=WEB)
