"""The council's early help system asks TellOnce for early help through the API: for
Jack, with Erin of its own early help team, who its record says has accepted, so it
opens at once; for Lily, naming Priya, her health visitor at another agency, so it waits
for Priya, who answers through the API with her signed-in session (practitioners hold
no API tokens: only agency systems do). Erin later hands Jack's lead to Priya. Dana, at
Jack's school, asks for early help from her session too. Every problem is named by
field; a caller with no reason to know of an episode gets a 404, and every look is
audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from tellonce.accounts.models import User
from tellonce.accounts.services import api_token_issue
from tellonce.audit.models import Action, AuditEvent, Channel
from tellonce.audit.services import COMMAND_LINE, Via
from tellonce.conftest import sign_in_fully
from tellonce.earlyhelp import selectors, services
from tellonce.earlyhelp.models import Episode, LeadRole, LeadState
from tellonce.earlyhelp.services import Consent, EpisodeRequest
from tellonce.involvements.models import Capacity
from tellonce.involvements.services import lead_professional
from tellonce.organisations.models import Role
from tellonce.testing.world import World, practitioner_make

pytestmark = pytest.mark.django_db

REASON = (
    "Jack is often late and hungry; his mother says she is not coping since the baby"
    " came and asked for help with routines and money."
)


def system(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def sign_in(user: User) -> Client:
    """A practitioner's own browser session, signed in past two-factor."""
    return sign_in_fully(Client(), user)


@pytest.fixture
def council_system(world: World) -> User:
    """The council's early help system, in the early help team, as Oakfield's SIMS is in
    its safeguarding lead's team."""
    return practitioner_make(
        "early-help-system", "Early help", "system", world.early_help, is_system_account=True
    )


@pytest.fixture
def council(council_system: User) -> Client:
    return system(api_token_issue(user=council_system, by=None, via=COMMAND_LINE))


def agreed(**changes: Any) -> dict[str, Any]:
    body = {
        "consent_given_on": timezone.localdate().isoformat(),
        "consent_given_by": "Kerry Taylor, mother",
        "consent_to_share": "Everything in the assessment with the school and the health visitor",
    }
    body.update(changes)
    return body


def ask(client: Client, person: Any, **body: Any) -> Any:
    return client.post(
        f"/api/v1/people/{person.pk}/early-help/",
        {"reason": REASON, **body},
        content_type="application/json",
    )


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, body, content_type="application/json")


def problems(response: Any) -> dict[str, str]:
    return {error["field"]: error["message"] for error in response.json()["errors"]}


def test_the_councils_system_opens_early_help_its_own_practitioner_has_accepted(
    world: World, council: Client, council_system: User
):
    response = ask(
        council, world.jack, lead="erin", lead_accepted=True, external_ref="EH-2041", **agreed()
    )
    assert response.status_code == 201, response.json()
    episode = response.json()
    assert (episode["state"], episode["route"]) == ("open", "system")
    assert episode["opened_on"] is not None
    assert episode["external_ref"] == "EH-2041"
    assert episode["requesting_team"]["name"] == "Early help team"
    assert episode["lead"]["practitioner"]["username"] == "erin"
    assert episode["lead"]["state"] == "accepted"
    assert episode["offer"] is None and episode["lead_due"] is None
    assert episode["consent"]["given_by"] == "Kerry Taylor, mother"
    # The council now works with Jack, through Erin: its system is told who he is.
    assert episode["child"] == "Jack Taylor"

    # The register's one lead for Jack is Erin, in the early help team.
    lead = lead_professional(world.jack)
    assert lead is not None
    assert (lead.practitioner, lead.team, lead.capacity) == (
        world.erin,
        world.early_help,
        Capacity.EARLY_HELP,
    )
    stored = Episode.objects.get(pk=episode["id"])
    assert stored.requested_by == council_system and stored.consent_recorded_by == council_system
    # Written through the API, and audited as such.
    changes = AuditEvent.objects.filter(person=world.jack, action=Action.CHANGE)
    assert {(e.detail["change"], e.channel) for e in changes} >= {
        ("early help asked for", Channel.API),
        ("lead professional accepted", Channel.API),
    }


def test_naming_another_agencys_practitioner_waits_for_them_to_accept(
    world: World, council: Client
):
    # The council's system cannot say a health visitor has accepted: not its practitioner.
    refused = ask(council, world.lily, lead="priya", lead_accepted=True, **agreed())
    assert refused.status_code == 400
    assert set(problems(refused)) == {"lead_accepted"}
    assert "own agency's system" in problems(refused)["lead_accepted"]

    response = ask(council, world.lily, lead="priya")
    assert response.status_code == 201, response.json()
    episode = response.json()
    assert episode["state"] == "awaiting_lead"
    assert episode["lead"] is None and episode["consent"] is None
    assert episode["offer"]["practitioner"] == {
        "username": "priya",
        "name": "Priya Shah",
        "team": "Health visiting (Northbrook Community Health NHS Trust)",
    }
    assert episode["lead_due"] is not None
    # The council does not work with Lily: its system is not told who she is.
    assert episode["child"] == ""
    assert lead_professional(world.lily) is None


def test_every_problem_in_a_request_is_named_by_its_field(world: World, council: Client):
    practitioner_make(
        "gone", "Gwen", "Ashby", world.early_help, Role.EARLY_HELP_PRACTITIONER, is_active=False
    )
    empty = post(council, f"/api/v1/people/{world.jack.pk}/early-help/", {})
    assert empty.status_code == 400
    assert set(problems(empty)) == {"reason", "lead"}

    for lead in ("nobody", "gone"):
        unknown = ask(council, world.jack, lead=lead)
        assert unknown.status_code == 400
        assert problems(unknown) == {
            "lead": f"No active practitioner in a team has the username {lead}"
        }

    # What the body says wrongly, all at once.
    wrong = ask(
        council,
        world.jack,
        reason="Help",
        lead="erin",
        consent_given_on="14/03/2026",
        external_ref="x" * 101,
        lead_accepted="perhaps",
    )
    assert wrong.status_code == 400
    assert set(problems(wrong)) == {"reason", "consent_given_on", "external_ref", "lead_accepted"}

    # Only spaces say nothing.
    blank = ask(council, world.jack, reason=" " * 30, lead="erin")
    assert set(problems(blank)) == {"reason"}

    # And what the service's rules refuse, all at once, by the same names.
    refused = ask(
        council,
        world.jack,
        lead="tom",
        consent_given_on=(timezone.localdate() + timedelta(days=1)).isoformat(),
    )
    assert refused.status_code == 400
    said = problems(refused)
    assert set(said) == {"lead", "consent_given_on", "consent_given_by", "consent_to_share"}
    assert "Tom Price cannot lead early help" in said["lead"]
    assert said["consent_given_on"] == "The date the family agreed must be today or in the past"
    # The family's agreement with the lead accepted at once is all of it, or nothing opens.
    partial = ask(council, world.jack, lead="erin", lead_accepted=True, consent_given_by="Kerry")
    assert set(problems(partial)) == {"consent_given_on", "consent_to_share"}

    # Early help is for children, one episode at a time.
    adult = ask(council, world.kerry, lead="erin")
    assert problems(adult) == {"person": "Early help is for children: this person is an adult"}
    assert ask(council, world.jack, lead="erin").status_code == 201
    again = ask(council, world.jack, lead="priya")
    assert again.status_code == 400
    assert "Jack Taylor already has early help" in problems(again)["person"]
    assert Episode.objects.count() == 1


def test_a_caller_with_no_reason_to_know_of_an_episode_gets_a_404(world: World, council: Client):
    episode = ask(council, world.lily, lead="priya").json()
    path = f"/api/v1/early-help/{episode['id']}/"
    # The police, and Oakfield (Jack's school, not Lily's), know nothing of it.
    for outsider in (system(world.police_token), system(world.school_token)):
        assert outsider.get(path).status_code == 404
        assert post(outsider, f"{path}answer/", {"answer": "accept"}).status_code == 404
        assert post(outsider, f"{path}lead/", {"lead": "erin"}).status_code == 404
        assert outsider.get("/api/v1/early-help/").json() == []
    tom = sign_in(world.tom)
    missing = tom.get(path)
    assert missing.status_code == 404
    assert "Lily" not in missing.content.decode()
    assert not AuditEvent.objects.filter(action=Action.VIEW, actor=world.tom).exists()
    # An episode that does not exist is the same 404.
    assert council.get("/api/v1/early-help/999999/").status_code == 404
    # Analysts and administrators do no casework: no early help lists for them.
    assert sign_in(world.ana).get("/api/v1/early-help/").status_code == 403


def test_the_lead_asked_answers_through_the_api_with_their_session(world: World, council: Client):
    # A practitioner holds no API token: the service issues them to systems only.
    with pytest.raises(PermissionDenied):
        api_token_issue(user=world.priya, by=None, via=COMMAND_LINE)
    episode = ask(council, world.lily, lead="priya").json()
    path = f"/api/v1/early-help/{episode['id']}/"
    priya = sign_in(world.priya)
    assert priya.get(path).status_code == 200

    # Only the practitioner asked answers; the council's system may not hand it on.
    assert post(council, f"{path}answer/", {"answer": "accept"}).status_code == 404
    assert post(council, f"{path}lead/", {"lead": "erin"}).status_code == 403

    # Accepting needs the family's agreement, which the council's system did not send.
    accept = post(priya, f"{path}answer/", {"answer": "accept"})
    assert accept.status_code == 400
    assert set(problems(accept)) == {"consent_given_on", "consent_given_by", "consent_to_share"}
    unsaid = post(priya, f"{path}answer/", {"answer": "maybe"})
    assert unsaid.status_code == 400 and set(problems(unsaid)) == {"answer"}
    too_short = post(priya, f"{path}answer/", {"answer": "decline", "decline_reason": "busy"})
    assert problems(too_short) == {"decline_reason": "Say why you cannot lead, in a sentence"}

    accepted = post(
        priya,
        f"{path}answer/",
        {"answer": "accept", **agreed(consent_given_by="Kerry Taylor, Lily's mother")},
    )
    assert accepted.status_code == 200, accepted.json()
    role = accepted.json()
    assert (role["episode"], role["state"]) == (episode["id"], "accepted")
    assert role["practitioner"]["username"] == "priya"
    assert role["answered_on"] is not None
    read = priya.get(path).json()
    assert read["state"] == "open" and read["lead"]["id"] == role["id"]
    assert read["consent"]["recorded_by"] == "Priya Shah"
    lead = lead_professional(world.lily)
    assert lead is not None and lead.practitioner == world.priya
    # Answered: no request to lead waits for her any more.
    assert post(priya, f"{path}answer/", {"answer": "accept"}).status_code == 404


def test_a_declined_request_goes_back_and_the_one_who_declined_no_longer_sees_it(world: World):
    dana = sign_in(world.dana)
    episode = ask(dana, world.jack, lead="erin").json()
    assert (episode["state"], episode["route"]) == ("awaiting_lead", "practitioner")
    path = f"/api/v1/early-help/{episode['id']}/"
    erin = sign_in(world.erin)
    declined = post(
        erin,
        f"{path}answer/",
        {"answer": "decline", "decline_reason": "Our team is full until January."},
    )
    assert declined.status_code == 200, declined.json()
    assert declined.json()["state"] == "declined"
    assert declined.json()["decline_reason"] == "Our team is full until January."
    assert erin.get(path).status_code == 404
    # Dana, who asked, sees the answer and names someone else.
    read = dana.get(path).json()
    assert read["offer"] is None
    assert [(r["practitioner"]["username"], r["state"]) for r in read["leads"]] == [
        ("erin", "declined")
    ]
    asked = post(dana, f"{path}lead/", {"lead": "priya"})
    assert asked.status_code == 201, asked.json()
    assert asked.json()["state"] == "offered"
    assert dana.get(path).json()["offer"]["practitioner"]["username"] == "priya"


def test_the_lead_hands_over_through_the_api_without_a_gap(world: World, council: Client):
    episode = ask(council, world.jack, lead="erin", lead_accepted=True, **agreed()).json()
    path = f"/api/v1/early-help/{episode['id']}/"
    erin = sign_in(world.erin)
    # Naming nobody, or someone who cannot lead, or herself again: refused by field.
    assert problems(post(erin, f"{path}lead/", {})) == {"lead": "This field is required."}
    assert set(problems(post(erin, f"{path}lead/", {"lead": "tom"}))) == {"lead"}
    assert "already leads" in problems(post(erin, f"{path}lead/", {"lead": "erin"}))["lead"]

    offered = post(erin, f"{path}lead/", {"lead": "priya"})
    assert offered.status_code == 201, offered.json()
    assert offered.json()["state"] == "offered"
    # Asked, not yet accepted: Erin still leads.
    read = erin.get(path).json()
    assert read["lead"]["practitioner"]["username"] == "erin"
    assert read["offer"]["practitioner"]["username"] == "priya"
    assert "already been asked" in problems(post(erin, f"{path}lead/", {"lead": "priya"}))["lead"]

    # Priya accepts: the family's agreement is recorded already.
    priya = sign_in(world.priya)
    accepted = post(priya, f"{path}answer/", {"answer": "accept"})
    assert accepted.status_code == 200, accepted.json()
    read = priya.get(path).json()
    assert read["lead"]["practitioner"]["username"] == "priya"
    erin_role, priya_role = read["leads"]
    assert (erin_role["state"], erin_role["end_reason"]) == ("ended", "Handed over to Priya Shah")
    assert erin_role["ended_on"] == priya_role["answered_on"]
    lead = lead_professional(world.jack)
    assert lead is not None and lead.practitioner == world.priya
    # Erin no longer leads, and only the lead (or the team that asked) hands over.
    assert post(erin, f"{path}lead/", {"lead": "erin"}).status_code == 403


def test_an_answer_someone_else_took_first_is_a_409(world: World, monkeypatch):
    web = Via(Channel.WEB)
    episode = services.episode_request(
        user=world.dana,
        person=world.lily,
        request=EpisodeRequest(reason=REASON, lead=world.priya, consent=Consent()),
        via=web,
    )
    seen = services.open_offer(episode)
    assert seen is not None
    # While Priya reads the request, Dana asks Erin instead: Priya's is withdrawn (she
    # still sees the episode: she works with Lily).
    services.lead_offer(user=world.dana, episode=episode, lead=world.erin, via=web)
    monkeypatch.setattr(selectors, "role_get_for_user", lambda **_: seen)
    late = post(
        sign_in(world.priya),
        f"/api/v1/early-help/{episode.pk}/answer/",
        {"answer": "decline", "decline_reason": "Our caseload is full until January."},
    )
    assert late.status_code == 409
    assert problems(late) == {"answer": "This request to lead has already been answered"}
    assert LeadRole.objects.get(pk=seen.pk).state == LeadState.WITHDRAWN


def test_each_caller_lists_their_own_early_help_newest_first_and_the_look_is_audited(
    world: World, council: Client, council_system: User
):
    jack = ask(council, world.jack, lead="erin", lead_accepted=True, **agreed()).json()
    lily = ask(council, world.lily, lead="priya").json()

    listed = council.get("/api/v1/early-help/")
    assert listed.status_code == 200
    assert [e["id"] for e in listed.json()] == [lily["id"], jack["id"]]
    assert [e["child"] for e in listed.json()] == ["", "Jack Taylor"]
    # Priya is asked to lead Lily's; Erin leads Jack's, and her team waits for Lily's.
    priya = sign_in(world.priya).get("/api/v1/early-help/").json()
    assert [(e["id"], e["child"]) for e in priya] == [(lily["id"], "Lily Taylor")]
    erin = sign_in(world.erin).get("/api/v1/early-help/").json()
    assert [e["id"] for e in erin] == [lily["id"], jack["id"]]
    assert sign_in(world.dana).get("/api/v1/early-help/").json() == []

    lists = AuditEvent.objects.filter(action=Action.VIEW_LIST, detail__list="early help")
    assert {(e.actor, e.channel, e.detail["people"]) for e in lists} == {
        (council_system, Channel.API, 2),
        (world.priya, Channel.API, 1),
        (world.erin, Channel.API, 2),
        (world.dana, Channel.API, 0),
    }
    # A look at one episode is audited as a look at the child's record.
    council.get(f"/api/v1/early-help/{jack['id']}/")
    look = AuditEvent.objects.filter(action=Action.VIEW, actor=council_system).get()
    assert (look.person_id, look.channel, look.object_id) == (
        world.jack.pk,
        Channel.API,
        str(jack["id"]),
    )


def test_the_schema_states_the_rules_it_cannot_check(client: Client):
    schema = client.get("/api/v1/openapi.json").json()
    ask_for = schema["paths"]["/api/v1/people/{person_id}/early-help/"]["post"]
    assert {rule["field"] for rule in ask_for["x-refused-when"]} == {
        "reason",
        "lead",
        "lead_accepted",
        "person",
        "consent_given_on",
        "consent_given_by",
        "consent_to_share",
    }
    body = schema["components"]["schemas"]["EarlyHelpAskRequest"]
    assert set(body["required"]) == {"reason", "lead"}
    answer = schema["paths"]["/api/v1/early-help/{episode_id}/answer/"]["post"]
    assert "409" in answer["responses"]
    assert {"answer", "decline_reason"} <= {rule["field"] for rule in answer["x-refused-when"]}


def test_a_longer_list_takes_no_more_reads(world: World, council: Client):
    """Each episode's team, lead roles and their practitioners are read once for the
    whole list, for a practitioner's list and a system's alike."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    priya = sign_in(world.priya)

    def reads(client: Client) -> int:
        with CaptureQueriesContext(connection) as done:
            assert client.get("/api/v1/early-help/").status_code == 200
        return len(done.captured_queries)

    ask(council, world.jack, lead="priya")
    reads(priya)  # a session's first request reads its sign-in too
    one = {"council": reads(council), "priya": reads(priya)}
    ask(council, world.lily, lead="priya")
    ask(council, world.ruby, lead="priya")
    assert len(council.get("/api/v1/early-help/").json()) == 3
    assert {"council": reads(council), "priya": reads(priya)} == one
