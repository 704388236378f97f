"""A contact recorded in error (the wrong child) is withdrawn by a MASH manager, saying
why, before any decision on it is signed off: it and its cases leave the queue, the
inboxes, the clocks, the figures and the child's chronology, kept with who, when and why;
everyone it set to work is told, with no child's name and no reason (hazard 35)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from tellonce.alerts.models import Alert, AlertKind
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.core.claims import AlreadyDone
from tellonce.involvements.models import Capacity, Involvement
from tellonce.mash import selectors, services
from tellonce.mash.models import (
    CaseAction,
    Contact,
    ContactChild,
    InformationRequest,
    MashCase,
    Outcome,
    State,
)
from tellonce.mash.models import Channel as ContactChannel
from tellonce.mash.services import ChildDetails
from tellonce.mash.tests.test_workflow import (
    WEB,
    dana_tells_the_mash_about_jack,
    decided,
    details,
    screened,
)
from tellonce.testing.races import (
    Race,
    one_refused_after_the_other,
    one_wins_at_once,
    postgres_only,
)

pytestmark = pytest.mark.django_db
WRONG_CHILD = "Wrong child: Dana meant Jack's cousin at the same school."


def at_work(world) -> MashCase:
    """Jack's case, screened, with a request to health and an action for Sam."""
    case = screened(world, dana_tells_the_mash_about_jack(world))
    health = next(p.team for p in services.rfi_teams_proposed(case) if p.team == world.hannah.team)
    services.rfi_send(
        user=world.sam,
        case=case,
        team=health,
        question="What do you know of the family's recent history?",
        via=WEB,
    )
    services.action_add(
        user=world.maria,
        case=case,
        description="See Jack at school and hear from him directly",
        owner=world.sam,
        due_on=timezone.localdate() + timedelta(days=1),
        via=WEB,
    )
    case.refresh_from_db()
    return case


def test_the_wrong_childs_contact_is_withdrawn_and_everyone_it_set_to_work_is_told(world):
    case = at_work(world)
    contact = case.contact
    enquiry = case.involvement
    now_involved = set(
        Alert.objects.filter(involvement=enquiry, kind=AlertKind.NOW_INVOLVED).values_list(
            "team_id", flat=True
        )
    )
    assert world.oakfield_dsl.pk in now_involved
    for not_a_manager in (world.sam, world.tom, world.dana):
        with pytest.raises(PermissionDenied):
            services.contact_withdraw(
                user=not_a_manager, contact=contact, reason=WRONG_CHILD, via=WEB
            )
    with pytest.raises(ValidationError) as short:
        services.contact_withdraw(user=world.maria, contact=contact, reason="oops", via=WEB)
    assert "reason" in short.value.message_dict
    assert Contact.objects.filter(pk=contact.pk).exists()

    services.contact_withdraw(user=world.maria, contact=contact, reason=WRONG_CHILD, via=WEB)

    kept = Contact.all_objects.get(pk=contact.pk)
    assert (kept.archived_by, kept.archive_reason) == (world.maria, WRONG_CHILD)
    assert MashCase.all_objects.get(pk=case.pk).archived_on is not None
    for model in (Contact, ContactChild, MashCase, InformationRequest, CaseAction):
        assert not model.objects.exists(), model.__name__
        assert model.all_objects.exists(), model.__name__
    # It leaves the queue, the health desk's inbox, Sam's actions and Jack's record.
    assert selectors.mash_queue(user=world.sam, filters=selectors.QueueFilter("all")).total == 0
    assert selectors.rfi_inbox(user=world.hannah) == []
    assert selectors.actions_for(user=world.sam) == []
    assert selectors.cases_for_person(user=world.sam, person_id=world.jack.pk) == []
    assert services.meeting_agenda(world.mash) == []
    # Its entry leaves Jack's chronology, and the MASH enquiry leaves the register.
    assert not ChronologyEvent.objects.filter(person=world.jack, kind=EventKind.CONTACT).exists()
    assert not Involvement.objects.filter(
        person=world.jack, capacity=Capacity.MASH_ENQUIRY
    ).exists()
    assert ChronologyEvent.all_objects.filter(
        person=world.jack, kind=EventKind.CONTACT, archive_reason=WRONG_CHILD
    ).exists()
    # Told: the health team asked, Sam who owns the action, and Dana who made it.
    told = Alert.objects.filter(kind=AlertKind.CONTACT_WITHDRAWN)
    assert {(a.team_id, a.user_id) for a in told.exclude(key__startswith="involvement:")} == {
        (world.hannah.team_id, None),
        (world.sam.team_id, world.sam.pk),
        (world.dana.team_id, world.dana.pk),
    }
    # And every team told the MASH was now involved with Jack, once, linked to that alert.
    undone = told.filter(key=f"involvement:{enquiry.pk}:withdrawn")
    assert {a.team_id for a in undone} == now_involved
    assert all(a.link.startswith("/alerts/") for a in undone)
    assert all(a.person_id is None for a in told)
    assert all("Jack" not in a.title + a.body and "cousin" not in a.body for a in told)
    # The clock never chases the request or the decision.
    with time_machine.travel(timezone.now() + timedelta(days=7), tick=False):
        services.mash_clock_tick()
    assert not Alert.objects.filter(
        kind__in=[AlertKind.RFI_CHASE, AlertKind.RFI_ESCALATED, AlertKind.DECISION_OVERDUE]
    ).exists()
    # A second withdrawal is refused, saying why; nobody is told twice.
    with pytest.raises(AlreadyDone) as again:
        services.contact_withdraw(user=world.maria, contact=kept, reason=WRONG_CHILD, via=WEB)
    assert again.value.message_dict["reason"] == ["This contact has already been withdrawn"]
    assert told.count() == 3 + len(now_involved)


def test_once_a_decision_is_signed_off_the_contact_stays(world):
    case = screened(world, dana_tells_the_mash_about_jack(world))
    decided(world, case, outcome=Outcome.NFA_ADVICE, advice="Advice given to mum by phone.")
    with pytest.raises(ValidationError) as refused:
        services.contact_withdraw(
            user=world.maria, contact=case.contact, reason=WRONG_CHILD, via=WEB
        )
    assert "signed off" in refused.value.message_dict["contact"][0]
    assert Contact.objects.filter(pk=case.contact_id).exists()
    assert not Alert.objects.filter(kind=AlertKind.CONTACT_WITHDRAWN).exists()


def test_a_contact_joined_by_another_stays_but_the_one_that_joined_it_goes(world):
    case = dana_tells_the_mash_about_jack(world)
    second = services.contact_make(
        user=world.dana,
        details=details(ChildDetails(person_id=world.jack.pk)),
        channel=ContactChannel.WEB,
        via=WEB,
    )
    assert second.children.get().case == case
    with pytest.raises(ValidationError) as refused:
        services.contact_withdraw(
            user=world.maria, contact=case.contact, reason=WRONG_CHILD, via=WEB
        )
    assert f"Contact {second.pk} has joined" in refused.value.message_dict["contact"][0]

    services.contact_withdraw(user=world.maria, contact=second, reason=WRONG_CHILD, via=WEB)
    case.refresh_from_db()
    assert MashCase.objects.filter(pk=case.pk, state=State.RECEIVED).exists()
    assert case.transitions.last().reason.startswith(f"Contact {second.pk}, which had joined")
    assert list(case.contact_children.values_list("contact_id", flat=True)) == [case.contact_id]
    # The first contact's entry stays on Jack's chronology; the second's goes.
    assert list(
        ChronologyEvent.objects.filter(person=world.jack, kind=EventKind.CONTACT).values_list(
            "external_ref", flat=True
        )
    ) == [f"mash-contact-{case.contact_id}"]
    # With the second gone, the first may be withdrawn after all.
    services.contact_withdraw(user=world.maria, contact=case.contact, reason=WRONG_CHILD, via=WEB)
    assert not MashCase.objects.exists()


def test_maria_withdraws_from_the_case_page_and_danas_page_says_so(world, signed_in):
    case = at_work(world)
    url = f"/mash/contacts/{case.contact_id}/withdraw/"
    sam = signed_in(world.sam)
    assert url not in sam.get(f"/mash/cases/{case.pk}/").content.decode()
    assert sam.post(url, {"reason": WRONG_CHILD}).status_code == 403
    maria = signed_in(world.maria)
    assert url in maria.get(f"/mash/cases/{case.pk}/").content.decode()
    form = maria.get(url).content.decode()
    assert "Jack Taylor" in form and "Withdraw the contact" in form
    refused = maria.post(url, {"reason": "oops"}).content.decode()
    assert 'id="id_reason-error"' in refused
    done = maria.post(url, {"reason": WRONG_CHILD}, follow=True)
    assert done.redirect_chain == [("/mash/", 302)]
    assert f"Contact {case.contact_id} is withdrawn" in done.content.decode()
    assert maria.get(f"/mash/cases/{case.pk}/").status_code == 404
    again = maria.get(url).content.decode()
    assert "already been withdrawn" in again and "Withdraw the contact</button>" not in again

    dana = signed_in(world.dana)
    page = dana.get(f"/mash/contacts/{case.contact_id}/sent/").content.decode()
    assert "Contact withdrawn" in page and "recorded in error" in page
    assert WRONG_CHILD not in page


def test_through_the_api_maria_withdraws_once_and_a_school_system_cannot(world, signed_in):
    case = dana_tells_the_mash_about_jack(world)
    url = f"/api/v1/mash/contacts/{case.contact_id}/withdraw/"
    school = Client(HTTP_AUTHORIZATION=f"Token {world.school_token}")
    assert (
        school.post(url, {"reason": WRONG_CHILD}, content_type="application/json").status_code
        == 404
    )
    maria = signed_in(world.maria)
    short = maria.post(url, {"reason": "wrong"}, content_type="application/json")
    assert short.status_code == 400 and short.json()["errors"][0]["field"] == "reason"
    done = maria.post(url, {"reason": WRONG_CHILD}, content_type="application/json")
    assert done.status_code == 204
    again = maria.post(url, {"reason": WRONG_CHILD}, content_type="application/json")
    assert again.status_code == 409
    assert "already been withdrawn" in again.json()["errors"][0]["message"]
    listed = maria.get("/api/v1/mash/cases/").json()
    assert case.pk not in [row["id"] for row in listed["results"]]


def _withdraw(world, contact):
    return services.contact_withdraw(user=world.maria, contact=contact, reason=WRONG_CHILD, via=WEB)


RACE = Race(
    prepare=lambda world: at_work(world).contact_id,
    load=lambda pk: Contact.objects.get(pk=pk),
    first=_withdraw,
    second=_withdraw,
    written=lambda world: (
        Contact.all_objects.filter(archived_on__isnull=False).count(),
        Alert.objects.filter(kind=AlertKind.CONTACT_WITHDRAWN, user=world.dana).count(),
    ),
)


def test_a_second_withdrawal_after_the_first_is_refused(world):
    refused = one_refused_after_the_other(world, RACE)
    assert refused.message_dict["reason"] == ["This contact has already been withdrawn"]


@postgres_only
def test_two_withdrawing_at_the_same_moment_withdraw_once(committed_world):
    one_wins_at_once(committed_world, RACE)


def _proposed(world) -> int:
    case = screened(world, dana_tells_the_mash_about_jack(world))
    services.decision_propose(
        user=world.sam,
        case=case,
        outcome=Outcome.NFA_ADVICE,
        reason="A single bruise with an account that fits; mum is protective and engaged.",
        advice="Advice given to mum by phone.",
        via=WEB,
    )
    return case.pk


SIGN_OFF_OR_WITHDRAW = Race(
    prepare=_proposed,
    load=lambda pk: MashCase.objects.get(pk=pk),
    first=lambda world, case: services.decision_sign_off(
        user=world.maria, case=case, agree=True, note="", via=WEB
    ),
    second=lambda world, case: _withdraw(world, case.contact),
    # Either the decision stands on a contact that stays, or the contact went with no
    # decision signed off: never both.
    written=lambda world: (
        Contact.all_objects.filter(archived_on__isnull=False).count()
        + MashCase.all_objects.filter(signed_off_on__isnull=False).count(),
    ),
)


@postgres_only
def test_a_sign_off_and_a_withdrawal_at_the_same_moment_one_wins(committed_world):
    one_wins_at_once(committed_world, SIGN_OFF_OR_WITHDRAW)
