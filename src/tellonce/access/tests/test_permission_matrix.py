"""Every page and API endpoint, for every role: who gets the record, who gets the flag,
and who gets nothing. An uninvolved practitioner must get the flag view or a 403/404,
never data.

Jack is taught at Oakfield (Dana's team, and Oakfield's system account); he is not in
the MASH's work. Amir is in the MASH's work. See tellonce.testing.world.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tellonce.conftest import sign_in_fully

pytestmark = pytest.mark.django_db

PRACTITIONERS = "sam maria tom hannah ed dana priya erin paul ana adam olly".split()
SYSTEMS = ["police_system", "school_system"]
EVERYONE = ["anonymous", *PRACTITIONERS, *SYSTEMS]
NO_NAMES = {"ana": 404, "adam": 404}
SIGN_IN = "302:/sign-in/"
IN_THE_MASH = {"sam": 200, "maria": 200, "tom": 200, "hannah": 200, "ed": 200}
FLAG = "302:flag"

# endpoint -> (method, path template, body, {persona: expected}, default expected)
WEB = {
    "home": ("get", "/", None, {"anonymous": SIGN_IN}, 200),
    "search": (
        "get",
        "/people/search/",
        None,
        {"anonymous": SIGN_IN, "ana": 403, "adam": 403},
        200,
    ),
    "jack record": (
        "get",
        "/people/{jack}/",
        None,
        {"anonymous": SIGN_IN, "dana": 200, **NO_NAMES},
        FLAG,
    ),
    "jack flag": ("get", "/people/{jack}/flag/", None, {"anonymous": SIGN_IN, **NO_NAMES}, 200),
    "jack break-glass": (
        "get",
        "/people/{jack}/break-glass/",
        None,
        {"anonymous": SIGN_IN, "dana": "302:record", **NO_NAMES},
        200,
    ),
    "amir access log": (
        "get",
        "/people/{amir}/access-log/",
        None,
        {"anonymous": SIGN_IN, "maria": 200, **NO_NAMES},
        403,
    ),
    "jack add identifier": (
        "get",
        "/people/{jack}/identifiers/add/",
        None,
        {"anonymous": SIGN_IN, "dana": 200, **NO_NAMES},
        403,
    ),
    # Reviewing possible matches shows any agency's records: MASH social workers and
    # managers only.
    "linkage review queue": (
        "get",
        "/linkage/review/",
        None,
        {"anonymous": SIGN_IN, "sam": 200, "maria": 200},
        403,
    ),
    "jack chronology": (
        "get",
        "/people/{jack}/chronology/",
        None,
        {"anonymous": SIGN_IN, "dana": 200, **NO_NAMES},
        FLAG,
    ),
    "jack chronology export": (
        "get",
        "/people/{jack}/chronology/?export=csv",
        None,
        {"anonymous": SIGN_IN, "dana": 200, **NO_NAMES},
        FLAG,
    ),
    "jack record words": (
        "get",
        "/people/{jack}/voices/add/",
        None,
        {"anonymous": SIGN_IN, "dana": 200, **NO_NAMES},
        403,
    ),
    # Anyone who may know of Jack may say their team now works with him.
    "jack record involvement": (
        "get",
        "/involvements/people/{jack}/start/",
        None,
        {"anonymous": SIGN_IN, **NO_NAMES},
        200,
    ),
    # Everyone's own inbox: alerts to them and their team.
    "alerts inbox": ("get", "/alerts/", None, {"anonymous": SIGN_IN}, 200),
    # Anyone who may know of Jack and does casework in a team may tell the MASH.
    "jack contact to the mash": (
        "get",
        "/mash/contacts/new/?person={jack}",
        None,
        {"anonymous": SIGN_IN, "ana": 403, "adam": 403},
        200,
    ),
    # The MASH's queue, its cases and its meeting: the MASH only.
    "mash queue": ("get", "/mash/", None, {"anonymous": SIGN_IN, **IN_THE_MASH}, 403),
    "amir mash case": (
        "get",
        "/mash/cases/{amir_case}/",
        None,
        {"anonymous": SIGN_IN, **IN_THE_MASH},
        403,
    ),
    "mash meeting": ("get", "/mash/meeting/", None, {"anonymous": SIGN_IN, **IN_THE_MASH}, 403),
    # Each team's requests for information from the MASH.
    "requests for information": (
        "get",
        "/mash/requests/",
        None,
        {"anonymous": SIGN_IN, "ana": 403, "adam": 403},
        200,
    ),
    # Everyone's own actions (none here): no child is named to anyone else.
    "your actions": ("get", "/mash/actions/", None, {"anonymous": SIGN_IN}, 200),
    # Missing children reported to the police: the police MASH desk only.
    "police missing inbox": (
        "get",
        "/missing/police/",
        None,
        {"anonymous": SIGN_IN, "tom": 200},
        403,
    ),
    # Figures and coverage name no child: analysts and managers (and the council's
    # education team for Encompass).
    "missing figures": (
        "get",
        "/missing/figures/",
        None,
        {"anonymous": SIGN_IN, "ana": 200, "maria": 200},
        403,
    ),
    "encompass coverage": (
        "get",
        "/encompass/coverage/",
        None,
        {"anonymous": SIGN_IN, "ana": 200, "maria": 200, "adam": 200, "ed": 200},
        403,
    ),
}
REASON = {"reason": "Called by the hospital about an injury; need history now"}
API = {
    "openapi": ("get", "/api/v1/openapi.json", None, {}, 200),
    "teams": ("get", "/api/v1/teams/", None, {"anonymous": 401}, 200),
    # Search is for practitioners: an agency system cannot learn who a child is.
    "search": (
        "post",
        "/api/v1/people/search/",
        {"identifier": "9434765919"},
        {"anonymous": 401, "ana": 403, "adam": 403, "police_system": 403, "school_system": 403},
        200,
    ),
    "jack record": (
        "get",
        "/api/v1/people/{jack}/",
        None,
        {"anonymous": 401, "dana": 200, "school_system": 200, **NO_NAMES},
        403,
    ),
    "jack flag": ("get", "/api/v1/people/{jack}/flag/", None, {"anonymous": 401, **NO_NAMES}, 200),
    "jack break-glass": (
        "post",
        "/api/v1/people/{jack}/break-glass/",
        REASON,
        {"anonymous": 401, "dana": 400, "police_system": 403, "school_system": 403, **NO_NAMES},
        201,
    ),
    "amir access log": (
        "get",
        "/api/v1/people/{amir}/access-log/",
        None,
        {"anonymous": 401, "maria": 200, **NO_NAMES},
        403,
    ),
    "jack add identifier": (
        "post",
        "/api/v1/people/{jack}/identifiers/",
        {"scheme": "police", "value": "NBP-20931"},
        {"anonymous": 401, "dana": 201, "school_system": 201, **NO_NAMES},
        403,
    ),
    "linkage review queue": (
        "get",
        "/api/v1/linkage/review/",
        None,
        {"anonymous": 401, "sam": 200, "maria": 200},
        403,
    ),
    # No linkage model is trained in this world: those who may match are told so.
    "real-time match": (
        "post",
        "/api/v1/people/match/",
        {"given_name": "Jack", "family_name": "Taylor"},
        {"anonymous": 401, "ana": 403, "adam": 403},
        503,
    ),
    "alerts inbox": ("get", "/api/v1/alerts/", None, {"anonymous": 401}, 200),
    "your actions": ("get", "/api/v1/actions/", None, {"anonymous": 401}, 200),
    "missing figures": (
        "get",
        "/api/v1/missing/figures/",
        None,
        {"anonymous": 401, "ana": 200, "maria": 200},
        403,
    ),
    "encompass coverage": (
        "get",
        "/api/v1/encompass/coverage/",
        None,
        {"anonymous": 401, "ana": 200, "maria": 200, "adam": 200, "ed": 200},
        403,
    ),
    # The MASH's queue and its cases: the MASH only (Amir's case is the MASH's work).
    "mash queue": (
        "get",
        "/api/v1/mash/cases/",
        None,
        {"anonymous": 401, **IN_THE_MASH},
        403,
    ),
    "amir mash case": (
        "get",
        "/api/v1/mash/cases/{amir_case}/",
        None,
        {"anonymous": 401, **IN_THE_MASH},
        403,
    ),
    "requests for information": (
        "get",
        "/api/v1/requests/",
        None,
        {"anonymous": 401, "ana": 403, "adam": 403},
        200,
    ),
    "response times": (
        "get",
        "/api/v1/mash/rfi-response-times/",
        None,
        {"anonymous": 401, "maria": 200, "ana": 200},
        403,
    ),
    "jack voices": (
        "get",
        "/api/v1/people/{jack}/voices/",
        None,
        {"anonymous": 401, "dana": 200, "school_system": 200, **NO_NAMES},
        403,
    ),
    "jack chronology": (
        "get",
        "/api/v1/people/{jack}/chronology/",
        None,
        {"anonymous": 401, "dana": 200, "school_system": 200, **NO_NAMES},
        403,
    ),
    # Early help is recorded by the early help team, a school or a health visitor; any
    # other team is told the capacity is not its work (issue 12), not let in.
    "jack record involvement": (
        "post",
        "/api/v1/people/{jack}/involvements/",
        {"capacity": "early_help", "started_on": "{today}"},
        {
            "anonymous": 401,
            "police_system": 403,
            "school_system": 403,
            **NO_NAMES,
            **{p: 400 for p in ("sam", "maria", "tom", "hannah", "ed", "paul", "olly")},
        },
        201,
    ),
    # Only agency systems send their records.
    "agency record": (
        "post",
        "/api/v1/records/",
        {"system": "SIMS", "record_id": "P-1", "family_name": "Cole"},
        {"anonymous": 401, "police_system": 201, "school_system": 201},
        403,
    ),
}


def _client_for(world, persona: str) -> Client:
    client = Client()
    if persona == "anonymous":
        return client
    if persona in SYSTEMS:
        token = world.police_token if persona == "police_system" else world.school_token
        return Client(HTTP_AUTHORIZATION=f"Token {token}")
    return sign_in_fully(client, getattr(world, persona))


def _amir_case(world):
    """A contact about Amir, so the MASH has a case to show (or refuse)."""
    from tellonce.audit.models import Channel
    from tellonce.audit.services import Via
    from tellonce.mash.models import Channel as ContactChannel
    from tellonce.mash.models import MashCase
    from tellonce.mash.services import ChildDetails, ContactDetails, contact_make

    contact = contact_make(
        user=world.sam,
        details=ContactDetails(
            children=[ChildDetails(person_id=world.amir.pk)],
            source="5A",
            referrer_name="Sam Okafor",
            referrer_role="MASH social worker",
            referrer_phone="020 7946 1000",
            referrer_email="",
            concern="Amir was found by police at 2am far from home, with older men he met online.",
            help_so_far="Police took him home and told his mother; a return interview is booked.",
            child_needs="Amir needs to be safe from exploitation and back in school every day.",
            child_voice="Amir said they were his friends and he is fine.",
            household="Lives with his mother and two younger brothers.",
            family_knows=True,
            consent="given",
        ),
        channel=ContactChannel.WEB,
        via=Via(Channel.WEB),
    )
    return MashCase.objects.get(contact_children__contact=contact)


def _check(world, persona, method, template, body, expected):
    client = _client_for(world, persona)
    ids = {"jack": world.jack.pk, "amir": world.amir.pk}
    if "{amir_case}" in template:
        ids["amir_case"] = _amir_case(world).pk
    path = template.format(**ids)
    if isinstance(body, dict):
        today = timezone.localdate().isoformat()
        body = {
            k: v.replace("{today}", today) if isinstance(v, str) else v for k, v in body.items()
        }
    if method == "get":
        response = client.get(path)
    else:
        response = client.post(path, body, content_type="application/json")
    if isinstance(expected, str):
        code, where = expected.split(":", 1)
        assert response.status_code == int(code), (persona, path, response.status_code)
        location = response["Location"]
        if where == "flag":
            assert location.endswith("/flag/"), location
        elif where == "record":
            assert location == f"/people/{world.jack.pk}/", location
        else:
            assert location.startswith(where), location
    else:
        assert response.status_code == expected, (persona, path, response.status_code)
    return response


def _cases(table, personas):
    return [
        pytest.param(name, persona, id=f"{name}-{persona}")
        for name in table
        for persona in personas
    ]


@pytest.mark.parametrize(("endpoint", "persona"), _cases(WEB, ["anonymous", *PRACTITIONERS]))
def test_pages(world, endpoint, persona):
    method, template, body, special, default = WEB[endpoint]
    response = _check(world, persona, method, template, body, special.get(persona, default))
    if response.status_code in (403, 404) or response.status_code == 302:
        # Refused or redirected: nothing of Jack's record leaks.
        assert b"9434765919" not in response.content
        assert b"943 476 5919" not in response.content
        assert b"Alder House" not in response.content


@pytest.mark.parametrize(("endpoint", "persona"), _cases(API, EVERYONE))
def test_api(world, endpoint, persona):
    method, template, body, special, default = API[endpoint]
    response = _check(world, persona, method, template, body, special.get(persona, default))
    if response.status_code >= 400:
        payload = response.json()
        assert payload["errors"] and "message" in payload["errors"][0]
        assert "943 476 5919" not in response.content.decode()
        assert "Alder House" not in response.content.decode()
