"""The MASH front door through the API. Oakfield's school system tells the MASH about
Jack; Sam screens the contact and asks the police and health desks what they know; Tom
answers with his session while the police's own system, in another team, cannot; Maria
signs off Sam's decision; the strategy discussion must invite the police; Ana sees how
quickly each agency answers, without a child's name."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tellonce.accounts.models import User
from tellonce.accounts.services import api_token_issue
from tellonce.audit.models import Action, AuditEvent
from tellonce.audit.models import Channel as AuditChannel
from tellonce.audit.services import Via
from tellonce.chronology.models import ChronologyEvent, EventKind
from tellonce.mash import services
from tellonce.mash.models import Contact, InformationRequest, MashCase, Outcome, State

pytestmark = pytest.mark.django_db
WEB = Via(AuditChannel.WEB)


def system(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def post(client: Client, path: str, body: Any = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


def contact_about(*children: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """What Oakfield's system sends when Dana logs a concern about Jack."""
    body: dict[str, Any] = {
        "children": list(children),
        "source": "2A",
        "referrer": {
            "name": "Dana Whyte",
            "role": "Designated safeguarding lead",
            "phone": "020 7946 1234",
            "email": "dsl@oakfield.example",
        },
        "concern": (
            "Jack came to school with a bruise on his cheek and said his mum's boyfriend"
            " pushed him into a door last night. He was quiet and hungry all morning."
        ),
        "help_so_far": "Spoke with Jack with the class teacher; gave breakfast; logged on CPOMS.",
        "child_needs": "Jack needs to be safe at home, fed, and his speech delay followed up.",
        "child_voice": "Jack said 'I don't want to go home when he is there'.",
        "household": "Mum Kerry, baby sister Lily, and mum's boyfriend (name not known).",
        "family_knows": False,
        "consent": "not_sought",
        "sharing_reason": "Asking mum first could put Jack at risk of further harm tonight.",
    }
    body.update(changes)
    return body


def jack_by_details(world) -> dict[str, Any]:
    return {
        "given_name": "Jack",
        "family_name": "Taylor",
        "date_of_birth": world.jack.date_of_birth.isoformat(),
        "sex": "M",
        "postcode": "nb1 4qt",
    }


def fields(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def jacks_case_by_api(world) -> int:
    response = post(
        system(world.school_token),
        "/api/v1/contacts/",
        contact_about({"person": str(world.jack.pk)}),
    )
    assert response.status_code == 201, response.json()
    return response.json()["children"][0]["case"]


def signed_off_referral(world) -> MashCase:
    """Jack's case, screened and decided by Sam, signed off by Maria as a referral."""
    case = MashCase.objects.get(pk=jacks_case_by_api(world))
    services.case_screen(
        user=world.sam, case=case, rag="red", reason="Injury and disclosure", via=WEB
    )
    services.decision_propose(
        user=world.sam,
        case=case,
        outcome=Outcome.STRATEGY_DISCUSSION,
        reason="Disclosure of physical harm with domestic abuse history at the address.",
        via=WEB,
    )
    return services.decision_sign_off(user=world.maria, case=case, agree=True, note="", via=WEB)


# ----- contacts ----------------------------------------------------------------------


def test_oakfields_system_tells_the_mash_about_jack_by_his_details(world):
    response = post(
        system(world.school_token), "/api/v1/contacts/", contact_about(jack_by_details(world))
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "received_on", "channel", "external_ref", "children"}
    assert body["channel"] == "api"
    [child] = body["children"]
    assert set(child) == {"person", "match", "case", "duplicate", "decision_due"}
    # No linkage model has been trained yet: the child is a new person of their own,
    # which the first linkage run will look at again (and may link to Jack).
    assert child["match"] == "new"
    assert child["person"] != str(world.jack.pk)
    assert child["duplicate"] is False
    case = MashCase.objects.get(pk=child["case"])
    assert str(case.person_id) == child["person"] and case.state == State.RECEIVED
    assert case.person.given_name == "Jack" and case.person.family_name == "Taylor"
    contact = Contact.objects.get(pk=body["id"])
    assert contact.referrer == world.school_system and contact.referring_agency == world.school
    assert contact.referrer_name == "Dana Whyte" and contact.channel == "api"


def test_oakfields_system_tells_the_mash_about_jack_by_his_person_id(world):
    response = post(
        system(world.school_token),
        "/api/v1/contacts/",
        contact_about({"person": str(world.jack.pk)}, external_ref="CPOMS-4471"),
    )
    assert response.status_code == 201
    [child] = response.json()["children"]
    assert child["person"] == str(world.jack.pk) and child["match"] == "chosen"
    case = MashCase.objects.get(person=world.jack)
    assert child["case"] == case.pk
    assert ChronologyEvent.objects.filter(person=world.jack, kind=EventKind.CONTACT).exists()
    again = post(
        system(world.school_token),
        "/api/v1/contacts/",
        contact_about({"person": str(world.jack.pk)}, external_ref="CPOMS-4471"),
    )
    assert again.status_code == 400
    assert "already sent a contact" in fields(again)["external_ref"]
    assert Contact.objects.count() == 1


def test_dana_signed_in_tells_the_mash_again_and_joins_jacks_open_case(world, signed_in):
    first = jacks_case_by_api(world)
    response = post(
        signed_in(world.dana),
        "/api/v1/contacts/",
        contact_about({"person": str(world.jack.pk)}),
    )
    assert response.status_code == 201
    [child] = response.json()["children"]
    assert child["case"] == first and child["duplicate"] is True
    assert Contact.objects.get(pk=response.json()["id"]).referrer == world.dana


def test_a_contact_that_says_too_little_is_refused_naming_each_field(world):
    response = post(
        system(world.school_token),
        "/api/v1/contacts/",
        contact_about(
            {"given_name": "Sky"},
            {"given_name": "Jo", "family_name": "Taylor", "date_of_birth": "2099-01-01"},
            referrer={"name": "Dana Whyte", "phone": "", "email": ""},
            concern="concerns",
            help_so_far="n/a",
            sharing_reason="",
        ),
    )
    assert response.status_code == 400
    problems = fields(response)
    assert set(problems) == {
        "children[0].family_name",
        "children[0].date_of_birth",
        "children[1].date_of_birth",
        "referrer.phone",
        "concern",
        "help_so_far",
        "sharing_reason",
    }
    assert problems["children[1].date_of_birth"] == "The child's date of birth must be in the past"
    assert Contact.objects.count() == 0 and MashCase.objects.count() == 0


def test_values_of_the_wrong_type_are_refused_naming_the_field(world):
    client = system(world.school_token)
    response = post(
        client,
        "/api/v1/contacts/",
        contact_about(
            {**jack_by_details(world), "date_of_birth": "31/02/2020", "sex": "boy"},
            "Jack Taylor",
            family_knows="perhaps",
            referrer={"name": "Dana Whyte", "email": "not an email"},
        ),
    )
    assert response.status_code == 400
    problems = fields(response)
    assert set(problems) == {
        "children[0].date_of_birth",
        "children[0].sex",
        "children[1]",
        "family_knows",
        "referrer.email",
    }
    assert "YYYY-MM-DD" in problems["children[0].date_of_birth"]
    not_a_list = post(client, "/api/v1/contacts/", contact_about(children="Jack Taylor"))
    assert not_a_list.status_code == 400 and set(fields(not_a_list)) == {"children"}
    bad_person = post(client, "/api/v1/contacts/", contact_about({"person": "jack"}))
    assert set(fields(bad_person)) == {"children[0].person"}
    unknown = post(
        client, "/api/v1/contacts/", contact_about({"person": str(world.amir.pk)[:-4] + "0000"})
    )
    assert fields(unknown) == {"children[0].person": "TellOnce has no such child: check the link"}
    not_an_object = post(client, "/api/v1/contacts/", [contact_about()])
    assert not_an_object.status_code == 400 and set(fields(not_an_object)) == {None}
    missing = post(client, "/api/v1/contacts/", {"children": []})
    assert missing.status_code == 400
    assert {"source", "referrer", "concern", "consent", "family_knows"} <= set(fields(missing))
    assert Contact.objects.count() == 0


def test_an_analyst_cannot_make_a_contact(world, signed_in):
    response = post(signed_in(world.ana), "/api/v1/contacts/", contact_about())
    assert response.status_code == 403


# ----- the queue and a case ----------------------------------------------------------


def test_the_queue_is_refused_to_olly_and_shows_jacks_case_to_sam(world, signed_in):
    case_id = jacks_case_by_api(world)
    assert signed_in(world.olly).get("/api/v1/mash/cases/").status_code == 403
    assert system(world.police_token).get("/api/v1/mash/cases/").status_code == 403
    queue = signed_in(world.sam).get("/api/v1/mash/cases/")
    assert queue.status_code == 200
    body = queue.json()
    assert body["total"] == 1 and body["page"] == 1 and body["pages"] == 1
    [row] = body["results"]
    assert row["id"] == case_id
    assert row["person"]["id"] == str(world.jack.pk) and row["person"]["name"] == "Jack Taylor"
    assert row["state"] == "received" and row["rag"] == "" and row["overdue"] is False
    assert row["time_left"].endswith("left") and row["waiting_requests"] == 0
    assert row["allocated_to"] is None
    client = signed_in(world.sam)
    assert client.get("/api/v1/mash/cases/?rag=red").json()["total"] == 0
    assert client.get("/api/v1/mash/cases/?rag=unrated&state=all").json()["total"] == 1
    assert client.get("/api/v1/mash/cases/?mine=true").json()["total"] == 0
    bad = client.get("/api/v1/mash/cases/?rag=purple&state=closed")
    assert bad.status_code == 400 and set(fields(bad)) == {"rag", "state"}


def test_sam_reads_the_case_and_the_read_is_audited(world, signed_in):
    case_id = jacks_case_by_api(world)
    assert signed_in(world.dana).get(f"/api/v1/mash/cases/{case_id}/").status_code == 403
    assert signed_in(world.sam).get("/api/v1/mash/cases/999999/").status_code == 404
    body = signed_in(world.sam).get(f"/api/v1/mash/cases/{case_id}/").json()
    assert body["case"]["id"] == case_id and body["case"]["state"] == "received"
    [contact] = body["contacts"]
    assert contact["match"] == "chosen"
    assert contact["contact"]["referrer"]["name"] == "Dana Whyte"
    assert contact["contact"]["referring_agency"] == "Oakfield Primary School"
    assert {i["team"]["name"] for i in body["involved"]} >= {
        "Designated safeguarding lead",
        "Health visiting",
    }
    proposed = {t["id"]: t for t in body["proposed_rfi_teams"]}
    assert world.police_mash.pk in proposed and world.health_mash.pk in proposed
    assert proposed[world.police_mash.pk]["agency"] == "Northbrook Police"
    assert proposed[world.police_mash.pk]["reason"] == "police checks"
    assert body["previous_referral"] is None and body["case"]["is_re_referral"] is False
    assert [t["to_state"] for t in body["transitions"]] == ["received"]
    assert AuditEvent.objects.filter(
        action=Action.VIEW, person=world.jack, actor=world.sam, channel="api"
    ).exists()


def test_a_re_referral_shows_the_previous_referral_and_why_it_closed(world, signed_in):
    first = signed_off_referral(world)
    closed = post(
        signed_in(world.sam),
        f"/api/v1/mash/cases/{first.pk}/close/",
        {"closure_reason": "RC8", "note": "Assessment found no further action needed."},
    )
    assert closed.status_code == 200 and closed.json()["closure_reason"] == "RC8"
    again = post(
        signed_in(world.sam),
        f"/api/v1/mash/cases/{first.pk}/close/",
        {"closure_reason": "RC8", "note": "Assessment found no further action needed."},
    )
    assert again.status_code == 400 and "was closed on" in fields(again)["closure_reason"]
    second = jacks_case_by_api(world)
    body = signed_in(world.sam).get(f"/api/v1/mash/cases/{second}/").json()
    assert body["previous_referral"]["id"] == first.pk
    assert body["previous_referral"]["closure_reason"] == "RC8"
    assert body["previous_referral"]["closure_reason_label"].startswith("RC8")
    assert [c["id"] for c in body["previous_cases"]] == [first.pk]


# ----- the whole front door ----------------------------------------------------------


def test_the_whole_front_door_through_the_api(world, signed_in):
    case_id = jacks_case_by_api(world)
    case_url = f"/api/v1/mash/cases/{case_id}"

    # Sam screens the contact and asks the police and health desks.
    screened = post(
        signed_in(world.sam), f"{case_url}/screening/", {"rag": "amber", "reason": "too"}
    )
    assert screened.status_code == 400 and set(fields(screened)) == {"reason"}
    screened = post(
        signed_in(world.sam),
        f"{case_url}/screening/",
        {"rag": "amber", "reason": "Injury and a disclosure of being pushed"},
    )
    assert screened.status_code == 200
    assert screened.json()["state"] == "screening" and screened.json()["rag"] == "amber"
    assert screened.json()["allocated_to"]["id"] == world.sam.pk
    unknown_team = post(
        signed_in(world.sam),
        f"{case_url}/requests/",
        {"team": 999999, "question": "Any police history at the address?"},
    )
    assert fields(unknown_team) == {"team": "No team has the id 999999"}
    police = post(
        signed_in(world.sam),
        f"{case_url}/requests/",
        {"team": world.police_mash.pk, "question": "Any police history at the address?"},
    )
    assert police.status_code == 201
    police_rfi = police.json()
    assert police_rfi["team"]["name"] == "Police MASH desk" and police_rfi["rag"] == "amber"
    assert police_rfi["answered_on"] is None and police_rfi["due_on"] > police_rfi["sent_on"]
    health = post(
        signed_in(world.sam),
        f"{case_url}/requests/",
        {"team": world.health_mash.pk, "question": "Health history for Jack and Lily?"},
    )
    assert health.status_code == 201

    # The police's own system sits in public protection, not the MASH desk: the request
    # is not its team's, so for it there is no such request.
    police_system = system(world.police_token)
    assert police_system.get("/api/v1/requests/").json() == []
    refused = post(
        police_system,
        f"/api/v1/requests/{police_rfi['id']}/answer/",
        {"answer": "Two DA call-outs in October to the address."},
    )
    assert refused.status_code == 404
    # Sam, in the MASH that asked, may read the request but not answer it.
    assert signed_in(world.sam).get(f"/api/v1/requests/{police_rfi['id']}/").status_code == 200
    refused = post(
        signed_in(world.sam),
        f"/api/v1/requests/{police_rfi['id']}/answer/",
        {"answer": "Two DA call-outs in October to the address."},
    )
    assert refused.status_code == 403
    assert not InformationRequest.objects.get(pk=police_rfi["id"]).is_answered

    # Tom, on the police MASH desk, answers with his session; Hannah answers for health.
    inbox = signed_in(world.tom).get("/api/v1/requests/").json()
    assert [r["id"] for r in inbox] == [police_rfi["id"]]
    assert inbox[0]["child"]["name"] == "Jack Taylor" and inbox[0]["overdue"] is False
    answered = post(
        signed_in(world.tom),
        f"/api/v1/requests/{police_rfi['id']}/answer/",
        {"answer": "Two DA call-outs in October to the address."},
    )
    assert answered.status_code == 200
    assert answered.json()["answered_by"]["id"] == world.tom.pk
    assert signed_in(world.tom).get("/api/v1/requests/").json() == []
    assert len(signed_in(world.tom).get("/api/v1/requests/?answered=true").json()) == 1
    twice = post(
        signed_in(world.tom),
        f"/api/v1/requests/{police_rfi['id']}/answer/",
        {"answer": "Two DA call-outs in October to the address."},
    )
    assert twice.status_code == 400 and "answered this request" in fields(twice)["answer"]
    answered = post(
        signed_in(world.hannah),
        f"/api/v1/requests/{health.json()['id']}/answer/",
        {"answer": "Jack missed two dental appointments this year."},
    )
    assert answered.status_code == 200

    # Sam proposes a strategy discussion; an action without a due date is refused.
    decision = {
        "outcome": "strategy_discussion",
        "reason": "Disclosure of physical harm with domestic abuse history at the address.",
        "actions": [{"description": "Visit Jack at school today", "owner": world.sam.pk}],
    }
    refused = post(signed_in(world.sam), f"{case_url}/decision/", decision)
    assert refused.status_code == 400
    assert fields(refused) == {
        "actions[0].due_on": "Enter the date this action is due: every action needs one"
    }
    decision["actions"][0]["due_on"] = timezone.localdate().isoformat()
    decided = post(signed_in(world.sam), f"{case_url}/decision/", decision)
    assert decided.status_code == 200 and decided.json()["state"] == "decision"

    # Sam cannot sign off; Maria does.
    assert post(signed_in(world.sam), f"{case_url}/sign-off/", {"agree": True}).status_code == 403
    signed = post(signed_in(world.maria), f"{case_url}/sign-off/", {"agree": True})
    assert signed.status_code == 200
    assert signed.json()["state"] == "outcome" and signed.json()["is_referral"] is True
    assert signed.json()["signed_off_by"]["id"] == world.maria.pk

    # The strategy discussion must invite the police.
    body = signed_in(world.sam).get(f"{case_url}/").json()
    assert [a["due_on"] for a in body["actions"]] == [timezone.localdate().isoformat()]
    assert {r["answered_by"]["name"] for r in body["requests"]} == {"Tom Price", "Hannah Reid"}
    proposed = {t["id"]: t for t in body["proposed_invitees"]}
    assert proposed[world.police_mash.pk]["always"] is True
    assert "works with Jack" in proposed[world.oakfield_dsl.pk]["reason"]
    by_name = post(
        signed_in(world.sam), f"{case_url}/strategy-discussions/", {"invitees": ["police"]}
    )
    assert by_name.status_code == 400 and set(fields(by_name)) == {"invitees[0]"}
    without_police = [t for t in proposed if t != world.police_mash.pk]
    refused = post(
        signed_in(world.sam),
        f"{case_url}/strategy-discussions/",
        {"invitees": without_police},
    )
    assert refused.status_code == 400
    assert "Police MASH desk" in fields(refused)["invitees"]
    planned = post(
        signed_in(world.sam), f"{case_url}/strategy-discussions/", {"invitees": list(proposed)}
    )
    assert planned.status_code == 201
    discussion = planned.json()
    assert {i["team"]["id"] for i in discussion["invitees"]} == set(proposed)
    assert discussion["held_on"] is None and discussion["conference_due"] is None

    recorded = post(
        signed_in(world.sam),
        f"/api/v1/mash/strategy-discussions/{discussion['id']}/record/",
        {
            "held_on": (timezone.now() - timedelta(minutes=5)).isoformat(),
            "attended": [world.mash.pk, world.police_mash.pk, world.health_mash.pk],
            "information_shared": "Police: two DA call-outs. Health: missed appointments.",
            "outcome": "joint_s47",
            "rationale": "Reasonable cause to suspect significant harm from physical abuse.",
        },
    )
    assert recorded.status_code == 200, recorded.json()
    held = recorded.json()
    assert held["outcome"] == "joint_s47" and held["conference_due"] is not None
    assert held["conference_due"] > timezone.localdate().isoformat()
    came = {i["team"]["id"]: i["attended"] for i in held["invitees"]}
    assert came[world.police_mash.pk] is True and came[world.mash.pk] is True

    # Ana sees how quickly each agency answered, and no child is named.
    times = signed_in(world.ana).get("/api/v1/mash/rfi-response-times/")
    assert times.status_code == 200
    by_agency = {row["agency"]: row for row in times.json()}
    assert by_agency["Northbrook Police"]["asked"] == 1
    assert by_agency["Northbrook Police"]["answered"] == 1
    assert by_agency["Northbrook Police"]["on_time"] == 1
    assert "Jack" not in times.content.decode()


def test_a_system_account_of_the_asked_team_answers_with_its_token(world):
    desk_system = User.objects.create(
        username="police-desk-system", team=world.police_mash, is_system_account=True
    )
    token = api_token_issue(user=desk_system, by=None, via=WEB)
    case = MashCase.objects.get(pk=jacks_case_by_api(world))
    services.case_screen(
        user=world.sam, case=case, rag="red", reason="Injury and disclosure", via=WEB
    )
    rfi = services.rfi_send(
        user=world.sam,
        case=case,
        team=world.police_mash,
        question="Any police history at the address?",
        via=WEB,
    )
    assert [r["id"] for r in system(token).get("/api/v1/requests/").json()] == [rfi.pk]
    answered = post(
        system(token),
        f"/api/v1/requests/{rfi.pk}/answer/",
        {"answer": "Two DA call-outs in October to the address."},
    )
    assert answered.status_code == 200
    rfi.refresh_from_db()
    assert rfi.answered_by == desk_system and rfi.response_hours is not None


def _trail(user: User, after: int) -> list[tuple[str, str, str, str, str]]:
    """What the audit trail holds of `user`'s work since `after`, without ids."""
    return [
        (e.action, e.channel, e.object_type, str(e.person_id or ""), str(e.detail))
        for e in AuditEvent.objects.filter(actor=user, seq__gt=after).order_by("seq")
    ]


def _last_seq() -> int:
    last = AuditEvent.objects.order_by("-seq").first()
    return last.seq if last else 0


def test_healths_system_lists_reads_and_answers_its_teams_request_as_hannah_would(world, signed_in):
    case = MashCase.objects.get(pk=jacks_case_by_api(world))
    services.case_screen(
        user=world.sam, case=case, rag="red", reason="Injury and disclosure", via=WEB
    )

    def ask(question: str) -> InformationRequest:
        return services.rfi_send(
            user=world.sam, case=case, team=world.health_mash, question=question, via=WEB
        )

    first = ask("Health history for Jack and his baby sister?")
    health = system(world.health_token)
    hannah = signed_in(world.hannah)
    # Health's system lists its team's requests exactly as Hannah does.
    listed = health.get("/api/v1/requests/").json()
    assert [r["id"] for r in listed] == [first.pk]
    assert listed == hannah.get("/api/v1/requests/").json()
    assert listed[0]["child"]["name"] == "Jack Taylor"
    # The police desk's system was not asked: it is not in the desk's inbox.
    assert system(world.desk_token).get("/api/v1/requests/").json() == []

    # Hannah answers the first request, health's system the second, the same way.
    answer = "No attendances this year; two missed dental appointments."

    def handle(client: Client, rfi: InformationRequest) -> None:
        assert [r["id"] for r in client.get("/api/v1/requests/").json()] == [rfi.pk]
        read = client.get(f"/api/v1/requests/{rfi.pk}/")
        assert read.status_code == 200 and read.json()["question"] == rfi.question
        answered = post(client, f"/api/v1/requests/{rfi.pk}/answer/", {"answer": answer})
        assert answered.status_code == 200, answered.json()

    mark = _last_seq()
    handle(hannah, first)
    second = ask("Any A&E attendances for Jack since the summer?")
    handle(health, second)
    assert _trail(world.health_system, mark) == _trail(world.hannah, mark)
    # The list, the look, the look before answering, the answer.
    assert [a for a, *_ in _trail(world.health_system, mark)] == [
        Action.VIEW_LIST,
        Action.VIEW,
        Action.VIEW,
        Action.CHANGE,
    ]

    # The MASH sees it answered by health's system, and it has left health's inbox.
    by_sam = signed_in(world.sam).get(f"/api/v1/requests/{second.pk}/").json()
    assert by_sam["answered_by"]["id"] == world.health_system.pk
    assert by_sam["answer"] == answer and by_sam["answered_on"] is not None
    assert health.get("/api/v1/requests/").json() == []
    answered = health.get("/api/v1/requests/?answered=true").json()
    assert [r["id"] for r in answered] == [second.pk, first.pk]


def test_an_action_needs_a_due_date(world, signed_in):
    case_id = jacks_case_by_api(world)
    url = f"/api/v1/mash/cases/{case_id}/actions/"
    refused = post(
        signed_in(world.sam),
        url,
        {"description": "Visit Jack at school today", "owner": world.sam.pk},
    )
    assert refused.status_code == 400
    assert fields(refused) == {
        "due_on": "Enter the date this action is due: every action needs one"
    }
    no_one = post(
        signed_in(world.sam),
        url,
        {"description": "Visit Jack at school today", "owner": 999999, "due_on": "2030-01-01"},
    )
    assert fields(no_one) == {"owner": "No practitioner has the id 999999"}
    added = post(
        signed_in(world.sam),
        url,
        {
            "description": "Visit Jack at school today",
            "owner": world.sam.pk,
            "due_on": timezone.localdate().isoformat(),
        },
    )
    assert added.status_code == 201
    assert added.json()["owner"]["name"] == "Sam Okafor" and added.json()["case"] == case_id


def test_response_times_are_for_analysts_and_mash_managers(world, signed_in):
    assert signed_in(world.maria).get("/api/v1/mash/rfi-response-times/").status_code == 200
    assert signed_in(world.sam).get("/api/v1/mash/rfi-response-times/").status_code == 403
    assert system(world.police_token).get("/api/v1/mash/rfi-response-times/").status_code == 403
    bad = signed_in(world.ana).get("/api/v1/mash/rfi-response-times/?since=yesterday")
    assert bad.status_code == 400 and set(fields(bad)) == {"since"}


# ----- the daily meeting -------------------------------------------------------------


def test_the_daily_meeting_minutes_go_onto_jacks_chronology(world, signed_in):
    case_id = jacks_case_by_api(world)
    assert post(signed_in(world.dana), "/api/v1/mash/meetings/").status_code == 403
    opened = post(signed_in(world.sam), "/api/v1/mash/meetings/")
    assert opened.status_code == 201
    meeting = opened.json()
    [item] = meeting["items"]
    assert item["case"] == case_id and item["child"]["name"] == "Jack Taylor"
    assert item["state"] == "received" and item["rag"] == ""
    assert post(signed_in(world.tom), "/api/v1/mash/meetings/").json()["id"] == meeting["id"]
    minuted = post(
        signed_in(world.tom),
        f"/api/v1/mash/meetings/items/{item['id']}/minutes/",
        {
            "minutes": "Police shared two DA call-outs; school shared the disclosure.",
            "decisions": "",
        },
    )
    assert minuted.status_code == 400 and set(fields(minuted)) == {"decisions"}
    minuted = post(
        signed_in(world.tom),
        f"/api/v1/mash/meetings/items/{item['id']}/minutes/",
        {
            "minutes": "Police shared two DA call-outs; school shared the disclosure.",
            "decisions": "Sam to screen red today.",
        },
    )
    assert minuted.status_code == 200
    closed = post(
        signed_in(world.maria),
        f"/api/v1/mash/meetings/{meeting['id']}/close/",
        {"attendees": "Sam Okafor, Maria Lopez (council); Tom Price (police)"},
    )
    assert closed.status_code == 200 and closed.json()["closed_on"] is not None
    event = ChronologyEvent.objects.get(person=world.jack, kind=EventKind.MEETING)
    assert "Sam to screen red today." in event.summary


# ----- the schema --------------------------------------------------------------------


def test_the_schema_lists_the_mash_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/contacts/",
        "/api/v1/mash/cases/",
        "/api/v1/mash/cases/{case_id}/",
        "/api/v1/mash/cases/{case_id}/screening/",
        "/api/v1/mash/cases/{case_id}/requests/",
        "/api/v1/mash/cases/{case_id}/decision/",
        "/api/v1/mash/cases/{case_id}/sign-off/",
        "/api/v1/mash/cases/{case_id}/actions/",
        "/api/v1/mash/cases/{case_id}/close/",
        "/api/v1/mash/cases/{case_id}/strategy-discussions/",
        "/api/v1/mash/strategy-discussions/{discussion_id}/record/",
        "/api/v1/mash/rfi-response-times/",
        "/api/v1/mash/meetings/",
        "/api/v1/mash/meetings/items/{item_id}/minutes/",
        "/api/v1/mash/meetings/{meeting_id}/close/",
        "/api/v1/requests/",
        "/api/v1/requests/{request_id}/",
        "/api/v1/requests/{request_id}/answer/",
    ):
        assert path in paths, path
    contact = paths["/api/v1/contacts/"]["post"]
    assert contact["summary"].startswith("Tell the MASH")
    assert {"201", "400", "403"} <= set(contact["responses"])
