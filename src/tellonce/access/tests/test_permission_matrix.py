"""Every route of the site, pages and API, for every persona: who gets the record, who
gets the flag, who may act, and who gets nothing. An uninvolved practitioner must get
the flag view or a 401/403/404, never data.

`test_every_route_has_a_row` walks the URL resolver: a route with no row here (or no
stated exemption in `EXEMPT`) fails, and so does a write route never tried with POST,
or a page never tried with GET. Object routes are tried, for every persona, with one
real object that some personas have a relationship with and the rest do not; write
routes with a POST whose body is empty or deliberately incomplete (or, for the API,
well-formed but short, so that the service's own checks of who may act are reached):
the persona allowed gets a 400 (or the page again with its errors), everyone else a
401/403/404, or the sign-in page. `test_lists` checks that the API's lists (inboxes,
queues) name a child only to those who may know of them; the content tests at the end,
what an agency's system and an unconfirmed involvement are told (two leaks this matrix
found, now closed).

The personas (tellonce.testing.world):

- anonymous: not signed in;
- sam, maria, tom, hannah, ed: the MASH (social worker, manager, police, health,
  education);
- dana: Oakfield's safeguarding lead, who works with Jack;
- priya (health visitor), erin (early help), paul (personal adviser): no relationship
  with Jack or Amir;
- erin_said: Erin after she has said early help works with Jack: an involvement nobody
  has confirmed yet, which opens nothing (she gets the flag, not the record). She is
  expected whatever Erin is, unless a row says otherwise;
- ana (partnership analyst) and adam (the administrator): no casework, so no names;
- olly: the police public protection unit, investigating Amir;
- police_system, desk_system, health_system and school_system: the agency systems' API
  accounts (the police's in public protection, the police MASH desk's, the health MASH
  team's, Oakfield's); tried on every API route, not on pages. A system reads its own
  team's inboxes as the team's people do (issue 14), and no more: the desk's and
  health's systems hold no MASH role, so the MASH's queue and its steps refuse them.

Jack is taught at Oakfield (Dana's team, and Oakfield's system account); he is not in
the MASH's work. Amir is in the MASH's work and has a police investigation (Olly's
team, the police system's agency). The objects a row needs (`{amir_case}`, `{rfi}`,
`{episode}`, ...) are built only by the tests that use them: see `BUILDERS`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import datetime, timedelta
from string import Formatter
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve
from django.utils import timezone

from tellonce.conftest import sign_in_fully

pytestmark = pytest.mark.django_db

PRACTITIONERS = "sam maria tom hannah ed dana priya erin erin_said paul ana adam olly".split()
SYSTEMS = ["police_system", "desk_system", "health_system", "school_system"]
TOKENS = {
    "police_system": "police_token",
    "desk_system": "desk_token",
    "health_system": "health_token",
    "school_system": "school_token",
}
EVERYONE = ["anonymous", *PRACTITIONERS, *SYSTEMS]
#: Whom a persona is expected to be like where a row does not name them.
ALIKE = {"erin_said": "erin"}
NO_NAMES = {"ana": 404, "adam": 404}
SIGN_IN = "302:/sign-in/"
MASH = "sam maria tom hannah ed".split()
SOCIAL_WORK = ["sam", "maria"]
IN_THE_MASH = {"sam": 200, "maria": 200, "tom": 200, "hannah": 200, "ed": 200}
FLAG = "302:flag"


def only(expected: int | str, *personas: str) -> dict[str, int | str]:
    return dict.fromkeys(personas, expected)


#: Routes no row tries, and why.
OPEN_BEFORE_SIGN_IN = "open before sign-in by design; tested in accounts/tests/test_sign_in.py"
EXEMPT = {
    "accounts:sign-in": OPEN_BEFORE_SIGN_IN,
    "accounts:sign-out": OPEN_BEFORE_SIGN_IN,
    "accounts:two-factor": OPEN_BEFORE_SIGN_IN,
    "accounts:two-factor-set-up": OPEN_BEFORE_SIGN_IN,
}

# endpoint -> (method, path template, body, {persona: expected}, default expected)
Row = tuple[str, str, Any, dict[str, Any], Any]
WEB: dict[str, Row] = {
    "home": ("get", "/", None, {"anonymous": SIGN_IN}, 200),
    # ----- the record (tellonce.record, access, chronology, voices)
    "search": (
        "get",
        "/people/search/",
        None,
        {"anonymous": SIGN_IN, "ana": 403, "adam": 403},
        200,
    ),
    # A POST with nothing in it: the empty form again, for those who may search.
    "search (post)": (
        "post",
        "/people/search/",
        {},
        {"anonymous": SIGN_IN, "ana": 403, "adam": 403},
        200,
    ),
    # An involvement nobody has confirmed opens nothing: Erin still gets the flag.
    "jack record": (
        "get",
        "/people/{jack}/",
        None,
        {"anonymous": SIGN_IN, "dana": 200, "erin_said": FLAG, **NO_NAMES},
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
    "jack break-glass (post)": (
        "post",
        "/people/{jack}/break-glass/",
        {"reason": ""},
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
    # Changing Jack's record is for the team that works with him now.
    "jack add identifier": (
        "get",
        "/people/{jack}/identifiers/add/",
        None,
        {"anonymous": SIGN_IN, "dana": 200, **NO_NAMES},
        403,
    ),
    "jack add identifier (post)": (
        "post",
        "/people/{jack}/identifiers/add/",
        {"scheme": "police", "value": ""},
        {"anonymous": SIGN_IN, "dana": 200, **NO_NAMES},
        403,
    ),
    "jack archive identifier": (
        "get",
        "/people/{jack}/identifiers/{identifier}/archive/",
        None,
        {"anonymous": SIGN_IN, "dana": 200, **NO_NAMES},
        403,
    ),
    "jack archive identifier (post)": (
        "post",
        "/people/{jack}/identifiers/{identifier}/archive/",
        {"reason": ""},
        {"anonymous": SIGN_IN, "dana": 200, **NO_NAMES},
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
    "jack chronology add": (
        "get",
        "/people/{jack}/chronology/add/",
        None,
        {"anonymous": SIGN_IN, "dana": 200, **NO_NAMES},
        403,
    ),
    "jack chronology add (post)": (
        "post",
        "/people/{jack}/chronology/add/",
        {"summary": ""},
        {"anonymous": SIGN_IN, "dana": 200, **NO_NAMES},
        403,
    ),
    "jack record words": (
        "get",
        "/people/{jack}/voices/add/",
        None,
        {"anonymous": SIGN_IN, "dana": 200, **NO_NAMES},
        403,
    ),
    "jack record words (post)": (
        "post",
        "/people/{jack}/voices/add/",
        {"words": ""},
        {"anonymous": SIGN_IN, "dana": 200, **NO_NAMES},
        403,
    ),
    # ----- the involvement register
    # Anyone who may know of Jack may say their team now works with him.
    "jack record involvement": (
        "get",
        "/involvements/people/{jack}/start/",
        None,
        {"anonymous": SIGN_IN, **NO_NAMES},
        200,
    ),
    "jack record involvement (post)": (
        "post",
        "/involvements/people/{jack}/start/",
        {"capacity": ""},
        {"anonymous": SIGN_IN, **NO_NAMES},
        200,
    ),
    # Only the team involved ends its involvement: a 404 for anyone else's.
    "dana's involvement end": (
        "get",
        "/involvements/{involvement}/end/",
        None,
        {"anonymous": SIGN_IN, "dana": 200},
        404,
    ),
    "dana's involvement end (post)": (
        "post",
        "/involvements/{involvement}/end/",
        {"reason": ""},
        {"anonymous": SIGN_IN, "dana": 200},
        404,
    ),
    # Everyone's own list of what they may confirm (empty for most).
    "involvements to confirm": (
        "get",
        "/involvements/to-confirm/",
        None,
        {"anonymous": SIGN_IN},
        200,
    ),
    # Erin's unconfirmed early help: a MASH manager may confirm it (a POST with no
    # decision confirms); never Erin herself, nor anyone else.
    "erin's involvement confirm": (
        "get",
        "/involvements/{awaiting}/confirm/",
        None,
        {"anonymous": SIGN_IN, "maria": 200},
        404,
    ),
    "erin's involvement confirm (post)": (
        "post",
        "/involvements/{awaiting}/confirm/",
        {},
        {"anonymous": SIGN_IN, "maria": "302:/involvements/to-confirm/"},
        404,
    ),
    # ----- linkage review
    # Reviewing possible matches shows any agency's records: MASH social workers and
    # managers only; undoing a merge: MASH managers only.
    "linkage review queue": (
        "get",
        "/linkage/review/",
        None,
        {"anonymous": SIGN_IN, "sam": 200, "maria": 200},
        403,
    ),
    "linkage pair": (
        "get",
        "/linkage/review/{pair}/",
        None,
        {"anonymous": SIGN_IN, "sam": 200, "maria": 200},
        403,
    ),
    "linkage pair (post)": (
        "post",
        "/linkage/review/{pair}/",
        {"decision": "same", "reason": ""},
        {"anonymous": SIGN_IN, "sam": 200, "maria": 200},
        403,
    ),
    "linkage unmerge": (
        "get",
        "/linkage/merges/{merge}/undo/",
        None,
        {"anonymous": SIGN_IN, "maria": 200},
        403,
    ),
    "linkage unmerge (post)": (
        "post",
        "/linkage/merges/{merge}/undo/",
        {"reason": ""},
        {"anonymous": SIGN_IN, "maria": 200},
        403,
    ),
    # ----- alerts
    # Everyone's own inbox: alerts to them and their team.
    "alerts inbox": ("get", "/alerts/", None, {"anonymous": SIGN_IN}, 200),
    # An alert to Dana's team about Jack: in her inbox, nobody else's.
    "jack alert": ("get", "/alerts/{alert}/", None, {"anonymous": SIGN_IN, "dana": 200}, 404),
    # ----- the MASH
    # Anyone who may know of Jack and does casework in a team may tell the MASH.
    "jack contact to the mash": (
        "get",
        "/mash/contacts/new/?person={jack}",
        None,
        {"anonymous": SIGN_IN, "ana": 403, "adam": 403},
        200,
    ),
    "contact to the mash (post)": (
        "post",
        "/mash/contacts/new/",
        {},
        {"anonymous": SIGN_IN, "ana": 403, "adam": 403},
        200,
    ),
    # Dana's contact about Jack: for Dana, who made it, and the MASH that received it.
    "dana's contact sent": (
        "get",
        "/mash/contacts/{contact}/sent/",
        None,
        {"anonymous": SIGN_IN, "dana": 200, **IN_THE_MASH},
        404,
    ),
    # Withdrawing it as recorded in error: Maria, a manager of the MASH that received
    # it; Dana and the rest of the MASH see it but may not.
    "dana's contact withdraw": (
        "get",
        "/mash/contacts/{contact}/withdraw/",
        None,
        {"anonymous": SIGN_IN, **only(403, "dana", *MASH), "maria": 200},
        404,
    ),
    # An empty reason: Maria is shown the form's error, nothing is withdrawn.
    "dana's contact withdraw (post)": (
        "post",
        "/mash/contacts/{contact}/withdraw/",
        {"reason": ""},
        {"anonymous": SIGN_IN, **only(403, "dana", *MASH), "maria": 200},
        404,
    ),
    # The MASH's queue, its cases and its meeting: the MASH only. Each step's form is
    # shown to everyone in the MASH; sent (incomplete), the service says who may take
    # the step (`mash.rules`): the page again with its errors for those who may, a
    # 403 for the rest of the MASH.
    "mash queue": ("get", "/mash/", None, {"anonymous": SIGN_IN, **IN_THE_MASH}, 403),
    "amir mash case": (
        "get",
        "/mash/cases/{amir_case}/",
        None,
        {"anonymous": SIGN_IN, **IN_THE_MASH},
        403,
    ),
    "amir screen": (
        "get",
        "/mash/cases/{amir_case}/screen/",
        None,
        {"anonymous": SIGN_IN, **IN_THE_MASH},
        403,
    ),
    "amir screen (post)": (
        "post",
        "/mash/cases/{amir_case}/screen/",
        {"rag": "amber", "rag_reason": ""},
        {"anonymous": SIGN_IN, **only(200, *SOCIAL_WORK), **only(403, "tom", "hannah", "ed")},
        403,
    ),
    "amir ask partners": (
        "get",
        "/mash/cases/{amir_case}/requests/",
        None,
        {"anonymous": SIGN_IN, **IN_THE_MASH},
        403,
    ),
    "amir ask partners (post)": (
        "post",
        "/mash/cases/{amir_case}/requests/",
        {"question": ""},
        {"anonymous": SIGN_IN, **IN_THE_MASH},
        403,
    ),
    "amir decision": (
        "get",
        "/mash/cases/{amir_case}/decision/",
        None,
        {"anonymous": SIGN_IN, **IN_THE_MASH},
        403,
    ),
    "amir decision (post)": (
        "post",
        "/mash/cases/{amir_case}/decision/",
        {"outcome_reason": ""},
        {"anonymous": SIGN_IN, **only(200, *SOCIAL_WORK), **only(403, "tom", "hannah", "ed")},
        403,
    ),
    # Signing off is for MASH managers: refused to the rest of the MASH before the form.
    "amir sign-off": (
        "get",
        "/mash/cases/{amir_case}/sign-off/",
        None,
        {"anonymous": SIGN_IN, "maria": 200},
        403,
    ),
    "amir sign-off (post)": (
        "post",
        "/mash/cases/{amir_case}/sign-off/",
        {"note": ""},
        {"anonymous": SIGN_IN, "maria": 200},
        403,
    ),
    "amir action add": (
        "get",
        "/mash/cases/{amir_case}/actions/",
        None,
        {"anonymous": SIGN_IN, **IN_THE_MASH},
        403,
    ),
    "amir action add (post)": (
        "post",
        "/mash/cases/{amir_case}/actions/",
        {"description": ""},
        {"anonymous": SIGN_IN, **IN_THE_MASH},
        403,
    ),
    "amir close": (
        "get",
        "/mash/cases/{amir_case}/close/",
        None,
        {"anonymous": SIGN_IN, **IN_THE_MASH},
        403,
    ),
    "amir close (post)": (
        "post",
        "/mash/cases/{amir_case}/close/",
        {"note": ""},
        {"anonymous": SIGN_IN, **only(200, *SOCIAL_WORK), **only(403, "tom", "hannah", "ed")},
        403,
    ),
    "amir strategy plan": (
        "get",
        "/mash/cases/{amir_case}/strategy/",
        None,
        {"anonymous": SIGN_IN, **IN_THE_MASH},
        403,
    ),
    "amir strategy plan (post)": (
        "post",
        "/mash/cases/{amir_case}/strategy/",
        {},
        {"anonymous": SIGN_IN, **only(200, *SOCIAL_WORK), **only(403, "tom", "hannah", "ed")},
        403,
    ),
    "amir strategy record": (
        "get",
        "/mash/strategy/{discussion}/record/",
        None,
        {"anonymous": SIGN_IN, **IN_THE_MASH},
        403,
    ),
    "amir strategy record (post)": (
        "post",
        "/mash/strategy/{discussion}/record/",
        {"information_shared": ""},
        {"anonymous": SIGN_IN, **only(200, *SOCIAL_WORK), **only(403, "tom", "hannah", "ed")},
        403,
    ),
    "amir conference held": (
        "get",
        "/mash/strategy/{discussion}/conference/",
        None,
        {"anonymous": SIGN_IN, **IN_THE_MASH},
        403,
    ),
    "amir conference held (post)": (
        "post",
        "/mash/strategy/{discussion}/conference/",
        {},
        {"anonymous": SIGN_IN, **only(200, *SOCIAL_WORK), **only(403, "tom", "hannah", "ed")},
        403,
    ),
    "mash meeting": ("get", "/mash/meeting/", None, {"anonymous": SIGN_IN, **IN_THE_MASH}, 403),
    # A POST opens today's meeting.
    "mash meeting open (post)": (
        "post",
        "/mash/meeting/",
        {},
        {"anonymous": SIGN_IN, **only("302:/mash/meeting/", *MASH)},
        403,
    ),
    "amir meeting item (post)": (
        "post",
        "/mash/meeting/items/{meeting_item}/",
        {},
        {"anonymous": SIGN_IN, **IN_THE_MASH},
        403,
    ),
    "mash meeting close (post)": (
        "post",
        "/mash/meeting/{meeting}/close/",
        {"attendees": ""},
        {"anonymous": SIGN_IN, **IN_THE_MASH},
        403,
    ),
    # Each team's requests for information from the MASH.
    "requests for information": (
        "get",
        "/mash/requests/",
        None,
        {"anonymous": SIGN_IN, "ana": 403, "adam": 403},
        200,
    ),
    # The MASH's request to health about Amir: for health (asked), the MASH's social
    # workers and managers, and Olly, whose team works with Amir; not the MASH's other
    # partners, who were not asked (`may_read_request`).
    "amir request for information": (
        "get",
        "/mash/requests/{rfi}/",
        None,
        {"anonymous": SIGN_IN, **only(200, "hannah", "sam", "maria", "olly")},
        404,
    ),
    "amir request for information (post)": (
        "post",
        "/mash/requests/{rfi}/",
        {"answer": ""},
        {"anonymous": SIGN_IN, "hannah": 200, **only(403, "sam", "maria", "olly")},
        404,
    ),
    # Everyone's own actions (none here): no child is named to anyone else.
    "your actions": ("get", "/mash/actions/", None, {"anonymous": SIGN_IN}, 200),
    # An action about Amir, owned by Olly: for Olly and the MASH that set it.
    "amir action done (post)": (
        "post",
        "/mash/actions/{action}/done/",
        {},
        {"anonymous": SIGN_IN, **only("302:/mash/actions/", "olly", *MASH)},
        404,
    ),
    # ----- missing children (tellonce.missing)
    # Anyone who may know of Jack and does casework may report him missing.
    "jack report missing": (
        "get",
        "/missing/report/{jack}/",
        None,
        {"anonymous": SIGN_IN, **NO_NAMES},
        200,
    ),
    "jack report missing (post)": (
        "post",
        "/missing/report/{jack}/",
        {"circumstances": ""},
        {"anonymous": SIGN_IN, **NO_NAMES},
        200,
    ),
    # Dana's report that Jack is missing: for Dana's team (it reported it, and works
    # with Jack) and the police MASH desk told of it (Tom); a 404 for everyone else.
    "jack missing episode": (
        "get",
        "/missing/episodes/{episode}/",
        None,
        {"anonymous": SIGN_IN, **only(200, "dana", "tom")},
        404,
    ),
    # Only the police desk acknowledges.
    "jack missing acknowledge (post)": (
        "post",
        "/missing/episodes/{episode}/acknowledge/",
        {},
        {"anonymous": SIGN_IN, "tom": "302:/missing/episodes/", "dana": 403},
        404,
    ),
    "jack missing return": (
        "get",
        "/missing/episodes/{episode}/return/",
        None,
        {"anonymous": SIGN_IN, **only(200, "dana", "tom")},
        404,
    ),
    "jack missing return (post)": (
        "post",
        "/missing/episodes/{episode}/return/",
        {"return_details": ""},
        {"anonymous": SIGN_IN, **only(200, "dana", "tom")},
        404,
    ),
    "jack missing withdraw": (
        "get",
        "/missing/episodes/{episode}/withdraw/",
        None,
        {"anonymous": SIGN_IN, **only(200, "dana", "tom")},
        404,
    ),
    "jack missing withdraw (post)": (
        "post",
        "/missing/episodes/{episode}/withdraw/",
        {"reason": ""},
        {"anonymous": SIGN_IN, **only(200, "dana", "tom")},
        404,
    ),
    # Each team's own interviews to do (none here).
    "interview worklist": (
        "get",
        "/missing/interviews/",
        None,
        {"anonymous": SIGN_IN, "ana": 403, "adam": 403},
        200,
    ),
    # Jack's return home interview, not yet assigned (no independent interview team
    # here): it is recorded only by the team it is assigned to, so those who see the
    # episode (Dana, Tom, and Maria, who is to assign it) are refused its forms.
    "jack interview record": (
        "get",
        "/missing/interviews/{interview}/record/",
        None,
        {"anonymous": SIGN_IN, **only(403, "dana", "tom", "maria")},
        404,
    ),
    "jack interview record (post)": (
        "post",
        "/missing/interviews/{interview}/record/",
        {},
        {"anonymous": SIGN_IN, **only(403, "dana", "tom", "maria")},
        404,
    ),
    "jack interview refuse": (
        "get",
        "/missing/interviews/{interview}/refuse/",
        None,
        {"anonymous": SIGN_IN, **only(403, "dana", "tom", "maria")},
        404,
    ),
    "jack interview refuse (post)": (
        "post",
        "/missing/interviews/{interview}/refuse/",
        {"refused_reason": ""},
        {"anonymous": SIGN_IN, **only(403, "dana", "tom", "maria")},
        404,
    ),
    # Assigning is for managers of the interview team or of the MASH: Dana and Tom see
    # the interview but are not managers. Maria, a MASH manager, is alerted to assign
    # it (no interview team is set up), so she sees the episode while it is to be done.
    "jack interview assign": (
        "get",
        "/missing/interviews/{interview}/assign/",
        None,
        {"anonymous": SIGN_IN, "maria": 200, **only(403, "dana", "tom")},
        404,
    ),
    "jack interview assign (post)": (
        "post",
        "/missing/interviews/{interview}/assign/",
        {},
        {"anonymous": SIGN_IN, "maria": 200, **only(403, "dana", "tom")},
        404,
    ),
    # Jack's missing-pattern flag: for those who see his record in full; taking it
    # down is for a manager among them (the service's to refuse: see the API row).
    "jack missing flag review": (
        "get",
        "/missing/flags/{flag}/review/",
        None,
        {"anonymous": SIGN_IN, "dana": 200},
        404,
    ),
    # The form takes any reason; the service then refuses Dana, who is not a manager.
    "jack missing flag review (post)": (
        "post",
        "/missing/flags/{flag}/review/",
        {"reason": ""},
        {"anonymous": SIGN_IN, "dana": 403},
        404,
    ),
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
    # ----- Operation Encompass
    # Each team's own notifications (none but Dana's here).
    "encompass notifications": ("get", "/encompass/", None, {"anonymous": SIGN_IN}, 200),
    # Only the police record domestic abuse incidents.
    "encompass incident new": (
        "get",
        "/encompass/incidents/new/",
        None,
        {"anonymous": SIGN_IN, **only(200, "tom", "olly")},
        403,
    ),
    "encompass incident new (post)": (
        "post",
        "/encompass/incidents/new/",
        {"police_ref": ""},
        {"anonymous": SIGN_IN, **only(200, "tom", "olly")},
        403,
    ),
    # Tom's incident in Jack's household, notified to Oakfield: for Dana's team only
    # (the head and the council's education team only once it is escalated).
    "jack encompass notification": (
        "get",
        "/encompass/notifications/{notification}/",
        None,
        {"anonymous": SIGN_IN, "dana": 200},
        404,
    ),
    "jack encompass acknowledge (post)": (
        "post",
        "/encompass/notifications/{notification}/acknowledge/",
        {},
        {"anonymous": SIGN_IN, "dana": "302:/encompass/notifications/"},
        404,
    ),
    # Tom's incident: the recording force's page of it (Tom and Olly of the same force);
    # to everyone else, Dana's school included, it does not exist.
    "jack encompass incident": (
        "get",
        "/encompass/incidents/{incident}/",
        None,
        {"anonymous": SIGN_IN, "tom": 200, "olly": 200},
        404,
    ),
    # Withdrawing it: Tom on the police MASH desk; Olly sees it but may not.
    "jack encompass incident withdraw": (
        "get",
        "/encompass/incidents/{incident}/withdraw/",
        None,
        {"anonymous": SIGN_IN, "tom": 200, "olly": 403},
        404,
    ),
    # An empty reason: Tom is shown the form's error, nothing is withdrawn.
    "jack encompass incident withdraw (post)": (
        "post",
        "/encompass/incidents/{incident}/withdraw/",
        {"reason": ""},
        {"anonymous": SIGN_IN, "tom": 200, "olly": 403},
        404,
    ),
    "encompass coverage": (
        "get",
        "/encompass/coverage/",
        None,
        {"anonymous": SIGN_IN, "ana": 200, "maria": 200, "adam": 200, "ed": 200},
        403,
    ),
    # The council's education team (and administrators) keep the list of schools.
    "oakfield encompass sign-up (post)": (
        "post",
        "/encompass/coverage/{school}/sign-up/",
        {},
        {"anonymous": SIGN_IN, **only("302:/encompass/coverage/", "adam", "ed")},
        403,
    ),
    "encompass figures": (
        "get",
        "/encompass/figures/",
        None,
        {"anonymous": SIGN_IN, "ana": 200, "maria": 200, "adam": 200, "ed": 200},
        403,
    ),
    # ----- early help (tellonce.earlyhelp)
    # Everyone's own early help worklist (empty for most); no casework, no worklist.
    "early help worklist": (
        "get",
        "/early-help/",
        None,
        {"anonymous": SIGN_IN, "ana": 403, "adam": 403},
        200,
    ),
    # Anyone who may know of Jack and does casework in a team may ask for early help;
    # sent empty, the form is shown again with the service's errors.
    "jack ask for early help": (
        "get",
        "/early-help/people/{jack}/new/",
        None,
        {"anonymous": SIGN_IN, **NO_NAMES},
        200,
    ),
    "jack ask for early help (post)": (
        "post",
        "/early-help/people/{jack}/new/",
        {"reason": ""},
        {"anonymous": SIGN_IN, **NO_NAMES},
        200,
    ),
    # Dana asked for early help for Jack, naming Erin: for Dana (her team asked, and
    # works with Jack) and Erin (asked to lead); a 404 for everyone else.
    "jack early help": (
        "get",
        "/early-help/{early_help}/",
        None,
        {"anonymous": SIGN_IN, **only(200, "dana", "erin")},
        404,
    ),
    # Only Erin, asked, answers: to everyone else no request to lead waits (a 404).
    "jack early help answer": (
        "get",
        "/early-help/{early_help}/answer/",
        None,
        {"anonymous": SIGN_IN, "erin": 200},
        404,
    ),
    "jack early help answer (post)": (
        "post",
        "/early-help/{early_help}/answer/",
        {"answer": "decline", "decline_reason": ""},
        {"anonymous": SIGN_IN, "erin": 200},
        404,
    ),
    # Asking someone else while it waits: Dana's team, which asked; Erin sees it but may not.
    "jack early help lead": (
        "get",
        "/early-help/{early_help}/lead/",
        None,
        {"anonymous": SIGN_IN, "dana": 200, "erin": 403},
        404,
    ),
    "jack early help lead (post)": (
        "post",
        "/early-help/{early_help}/lead/",
        {"lead": ""},
        {"anonymous": SIGN_IN, "dana": 200, "erin": 403},
        404,
    ),
    # Closing it while it waits (not needed after all): Dana's team, which asked; Erin,
    # not yet its lead, may not.
    "jack early help close": (
        "get",
        "/early-help/{early_help}/close/",
        None,
        {"anonymous": SIGN_IN, "dana": 200, "erin": 403},
        404,
    ),
    "jack early help close (post)": (
        "post",
        "/early-help/{early_help}/close/",
        {"closure": ""},
        {"anonymous": SIGN_IN, "dana": 200, "erin": 403},
        404,
    ),
}
REASON = {"reason": "Called by the hospital about an injury; need history now"}
#: Refused before the body is read: everyone outside the MASH (and the systems).
NOT_THE_MASH = 403
API: dict[str, Row] = {
    "openapi": ("get", "/api/v1/openapi.json", None, {}, 200),
    "teams": ("get", "/api/v1/teams/", None, {"anonymous": 401}, 200),
    # ----- the record
    # Search is for practitioners: an agency system cannot learn who a child is.
    "search": (
        "post",
        "/api/v1/people/search/",
        {"identifier": "9434765919"},
        {"anonymous": 401, "ana": 403, "adam": 403, **only(403, *SYSTEMS)},
        200,
    ),
    # An involvement nobody has confirmed opens nothing: Erin still gets the flag (403).
    "jack record": (
        "get",
        "/api/v1/people/{jack}/",
        None,
        {"anonymous": 401, "dana": 200, "school_system": 200, "erin_said": 403, **NO_NAMES},
        403,
    ),
    "jack flag": ("get", "/api/v1/people/{jack}/flag/", None, {"anonymous": 401, **NO_NAMES}, 200),
    "jack break-glass": (
        "post",
        "/api/v1/people/{jack}/break-glass/",
        REASON,
        {"anonymous": 401, "dana": 400, **only(403, *SYSTEMS), **NO_NAMES},
        201,
    ),
    "amir access log": (
        "get",
        "/api/v1/people/{amir}/access-log/",
        None,
        {"anonymous": 401, "maria": 200, **NO_NAMES},
        403,
    ),
    # Changing Jack's record is for the team (or agency system) working with him now.
    "jack add identifier": (
        "post",
        "/api/v1/people/{jack}/identifiers/",
        {"scheme": "police", "value": "NBP-20931"},
        {"anonymous": 401, "dana": 201, "school_system": 201, **NO_NAMES},
        403,
    ),
    # A reason too short to accept: refused first to those who may not change it.
    "jack archive identifier": (
        "post",
        "/api/v1/people/{jack}/identifiers/{identifier}/archive/",
        {"reason": ""},
        {"anonymous": 401, "dana": 400, "school_system": 400, **NO_NAMES},
        403,
    ),
    "jack voices": (
        "get",
        "/api/v1/people/{jack}/voices/",
        None,
        {"anonymous": 401, "dana": 200, "school_system": 200, **NO_NAMES},
        403,
    ),
    "jack record a voice": (
        "post",
        "/api/v1/people/{jack}/voices/",
        {
            "kind": "child",
            "speaker": "Jack",
            "words": "x",
            "said_on": "{today}",
            "consent": "given",
        },
        {"anonymous": 401, "dana": 400, "school_system": 400, **NO_NAMES},
        403,
    ),
    "jack chronology": (
        "get",
        "/api/v1/people/{jack}/chronology/",
        None,
        {"anonymous": 401, "dana": 200, "school_system": 200, **NO_NAMES},
        403,
    ),
    "jack chronology add": (
        "post",
        "/api/v1/people/{jack}/chronology/",
        {"kind": "other", "occurred_on": "{today}", "summary": "x"},
        {"anonymous": 401, "dana": 400, "school_system": 400, **NO_NAMES},
        403,
    ),
    # ----- the involvement register
    # Early help is recorded by the early help team, a school or a health visitor; any
    # other team is told the capacity is not its work (issue 12), not let in. Erin, who
    # has said so already, is told so.
    "jack record involvement": (
        "post",
        "/api/v1/people/{jack}/involvements/",
        {"capacity": "early_help", "started_on": "{today}"},
        {
            "anonymous": 401,
            **only(403, *SYSTEMS),
            "erin_said": 400,
            **NO_NAMES,
            **{p: 400 for p in ("sam", "maria", "tom", "hannah", "ed", "paul", "olly")},
        },
        201,
    ),
    # Only the team involved (Dana's, and Oakfield's system) ends its involvement.
    "dana's involvement end": (
        "post",
        "/api/v1/involvements/{involvement}/end/",
        {"ended_on": "{today}", "reason": "x"},
        {"anonymous": 401, "dana": 400, "school_system": 400},
        404,
    ),
    "involvements to confirm": (
        "get",
        "/api/v1/involvements/to-confirm/",
        None,
        {"anonymous": 401},
        200,
    ),
    # A MASH manager decides on Erin's unconfirmed early help; a refusal needs a reason.
    "erin's involvement confirm": (
        "post",
        "/api/v1/involvements/{awaiting}/confirm/",
        {"confirmed": False, "reason": ""},
        {"anonymous": 401, "maria": 400},
        404,
    ),
    # ----- linkage
    "linkage review queue": (
        "get",
        "/api/v1/linkage/review/",
        None,
        {"anonymous": 401, "sam": 200, "maria": 200},
        403,
    ),
    "linkage pair decision": (
        "post",
        "/api/v1/linkage/review/{pair}/decision/",
        {"decision": "same", "reason": "x"},
        {"anonymous": 401, "sam": 400, "maria": 400},
        403,
    ),
    "linkage unmerge": (
        "post",
        "/api/v1/linkage/merges/{merge}/undo/",
        {"reason": "x"},
        {"anonymous": 401, "maria": 400},
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
    # Only agency systems send their records.
    "agency record": (
        "post",
        "/api/v1/records/",
        {"system": "SIMS", "record_id": "P-1", "family_name": "Cole"},
        {"anonymous": 401, **only(201, *SYSTEMS)},
        403,
    ),
    # ----- alerts
    "alerts inbox": ("get", "/api/v1/alerts/", None, {"anonymous": 401}, 200),
    # An alert to Dana's team about Jack: Dana's, and Oakfield's system's (a system
    # reads its own team's alerts, as the team's people do).
    "jack alert": (
        "get",
        "/api/v1/alerts/{alert}/",
        None,
        {"anonymous": 401, "dana": 200, "school_system": 200},
        404,
    ),
    "jack alert read": (
        "post",
        "/api/v1/alerts/{alert}/read/",
        None,
        {"anonymous": 401, "dana": 200, "school_system": 200},
        404,
    ),
    # Webhooks are agency systems' own: every system lists its own and may register one
    # (an empty body is refused naming `url`); the desk's system stops its own, which to
    # the other systems does not exist; people are refused.
    "webhooks": ("get", "/api/v1/webhooks/", None, {"anonymous": 401, **only(200, *SYSTEMS)}, 403),
    "webhook register": (
        "post",
        "/api/v1/webhooks/",
        {},
        {"anonymous": 401, **only(400, *SYSTEMS)},
        403,
    ),
    "webhook deactivate": (
        "post",
        "/api/v1/webhooks/{webhook}/deactivate/",
        None,
        {"anonymous": 401, **only(404, *SYSTEMS), "desk_system": 200},
        403,
    ),
    # ----- the MASH
    # Contacts are made by practitioners in a team and agency systems.
    "contact to the mash": (
        "post",
        "/api/v1/contacts/",
        {},
        {"anonymous": 401, "ana": 403, "adam": 403},
        400,
    ),
    # Dana's contact: Maria, a manager of the MASH that received it, may withdraw it;
    # Dana and the rest of the MASH see it but may not; to everyone else it does not exist.
    "dana's contact withdraw": (
        "post",
        "/api/v1/mash/contacts/{contact}/withdraw/",
        {"reason": "x"},
        {"anonymous": 401, **only(403, "dana", *MASH), "maria": 400},
        404,
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
    # Each step on Amir's case (just received) with a body the service refuses: the
    # steps a role may take get a 400, the rest of the MASH a 403 (`mash.rules`).
    # Screening and deciding: MASH social workers and managers.
    "amir screen": (
        "post",
        "/api/v1/mash/cases/{amir_case}/screening/",
        {"rag": "amber", "reason": ""},
        {"anonymous": 401, **only(400, *SOCIAL_WORK), **only(403, "tom", "hannah", "ed")},
        NOT_THE_MASH,
    ),
    # Asking a partner: anyone in the MASH (not before the case is rated: a 400).
    "amir ask partners": (
        "post",
        "/api/v1/mash/cases/{amir_case}/requests/",
        {"team": "{health_mash}", "question": ""},
        {"anonymous": 401, **only(400, *MASH)},
        NOT_THE_MASH,
    ),
    "amir decision": (
        "post",
        "/api/v1/mash/cases/{amir_case}/decision/",
        {"outcome": "nfa_advice", "reason": ""},
        {"anonymous": 401, **only(400, *SOCIAL_WORK), **only(403, "tom", "hannah", "ed")},
        NOT_THE_MASH,
    ),
    # Signing off: MASH managers.
    "amir sign-off": (
        "post",
        "/api/v1/mash/cases/{amir_case}/sign-off/",
        {"agree": True},
        {"anonymous": 401, "maria": 400, **only(403, "sam", "tom", "hannah", "ed")},
        NOT_THE_MASH,
    ),
    # Adding an action: anyone in the MASH.
    "amir action add": (
        "post",
        "/api/v1/mash/cases/{amir_case}/actions/",
        {"description": "", "owner": None},
        {"anonymous": 401, **only(400, *MASH)},
        NOT_THE_MASH,
    ),
    "amir close": (
        "post",
        "/api/v1/mash/cases/{amir_case}/close/",
        {"closure_reason": "RC8", "note": ""},
        {"anonymous": 401, **only(400, *SOCIAL_WORK), **only(403, "tom", "hannah", "ed")},
        NOT_THE_MASH,
    ),
    "amir strategy plan": (
        "post",
        "/api/v1/mash/cases/{amir_case}/strategy-discussions/",
        {"invitees": []},
        {"anonymous": 401, **only(400, *SOCIAL_WORK), **only(403, "tom", "hannah", "ed")},
        NOT_THE_MASH,
    ),
    # The strategy discussion planned about Amir: recorded by social work.
    "amir strategy record": (
        "post",
        "/api/v1/mash/strategy-discussions/{discussion}/record/",
        {
            "held_on": "{an_hour_ago}",
            "attended": [],
            "information_shared": "",
            "outcome": "no_enquiry",
            "rationale": "",
        },
        {"anonymous": 401, **only(400, *SOCIAL_WORK), **only(403, "tom", "hannah", "ed")},
        NOT_THE_MASH,
    ),
    "amir conference held": (
        "post",
        "/api/v1/mash/strategy-discussions/{discussion}/conference/",
        {"held_on": "{today}"},
        {"anonymous": 401, **only(400, *SOCIAL_WORK), **only(403, "tom", "hannah", "ed")},
        NOT_THE_MASH,
    ),
    "response times": (
        "get",
        "/api/v1/mash/rfi-response-times/",
        None,
        {"anonymous": 401, "maria": 200, "ana": 200},
        403,
    ),
    # The daily meeting: anyone in the MASH opens it, minutes it and closes it.
    "mash meeting open": (
        "post",
        "/api/v1/mash/meetings/",
        None,
        {"anonymous": 401, **only(201, *MASH)},
        NOT_THE_MASH,
    ),
    "amir meeting minutes": (
        "post",
        "/api/v1/mash/meetings/items/{meeting_item}/minutes/",
        {"minutes": "", "decisions": ""},
        {"anonymous": 401, **only(400, *MASH)},
        NOT_THE_MASH,
    ),
    "mash meeting close": (
        "post",
        "/api/v1/mash/meetings/{meeting}/close/",
        {"attendees": ""},
        {"anonymous": 401, **only(400, *MASH)},
        NOT_THE_MASH,
    ),
    "requests for information": (
        "get",
        "/api/v1/requests/",
        None,
        {"anonymous": 401, "ana": 403, "adam": 403},
        200,
    ),
    # The MASH's request to health about Amir: health (asked: Hannah and its system),
    # the MASH's social workers and managers, and those whose own team or agency works
    # with Amir (Olly, and the police's systems, the desk's among them: the desk's
    # officers read it as the MASH's partners, which they are not told); a 404 for the
    # rest, the MASH's other partners included.
    "amir request for information": (
        "get",
        "/api/v1/requests/{rfi}/",
        None,
        {
            "anonymous": 401,
            **only(200, "hannah", "health_system", "sam", "maria", "olly"),
            **only(200, "police_system", "desk_system"),
        },
        404,
    ),
    # Only the team asked answers: its people and its system.
    "amir request answer": (
        "post",
        "/api/v1/requests/{rfi}/answer/",
        {"answer": ""},
        {
            "anonymous": 401,
            **only(400, "hannah", "health_system"),
            **only(403, "sam", "maria", "olly", "police_system", "desk_system"),
        },
        404,
    ),
    "your actions": ("get", "/api/v1/actions/", None, {"anonymous": 401}, 200),
    # An action about Amir owned by Olly: done by Olly, or by the MASH that set it.
    "amir action done": (
        "post",
        "/api/v1/actions/{action}/done/",
        None,
        {"anonymous": 401, **only(200, "olly", *MASH)},
        404,
    ),
    # ----- missing children
    # Any practitioner or agency system that may know of Jack reports him missing.
    "jack report missing": (
        "post",
        "/api/v1/people/{jack}/missing-episodes/",
        {},
        {"anonymous": 401, **NO_NAMES},
        400,
    ),
    "missing episodes": (
        "get",
        "/api/v1/missing-episodes/",
        None,
        {"anonymous": 401, "ana": 403, "adam": 403},
        200,
    ),
    # Dana's report: her team (and its system), and the police desk told of it (Tom
    # and the desk's system).
    "jack missing episode": (
        "get",
        "/api/v1/missing-episodes/{episode}/",
        None,
        {"anonymous": 401, **only(200, "dana", "tom", "school_system", "desk_system")},
        404,
    ),
    # The desk acknowledges: Tom, or the desk's system, as Tom does.
    "jack missing acknowledge": (
        "post",
        "/api/v1/missing-episodes/{episode}/acknowledge/",
        None,
        {"anonymous": 401, **only(200, "tom", "desk_system"), **only(403, "dana", "school_system")},
        404,
    ),
    # Withdrawing and recording the return: named practitioners, not systems.
    "jack missing withdraw": (
        "post",
        "/api/v1/missing-episodes/{episode}/withdraw/",
        {"reason": "x"},
        {"anonymous": 401, **only(400, "dana", "tom"), **only(403, "school_system", "desk_system")},
        404,
    ),
    "jack missing return": (
        "post",
        "/api/v1/missing-episodes/{episode}/return/",
        {"return_details": ""},
        {"anonymous": 401, **only(400, "dana", "tom"), **only(403, "school_system", "desk_system")},
        404,
    ),
    # Only the interview team records the interview: nobody here is in it.
    "jack interview record": (
        "post",
        "/api/v1/return-interviews/{interview}/",
        {"outcome": "refused", "refused_reason": ""},
        {
            "anonymous": 401,
            **only(403, "dana", "tom", "maria", "school_system", "desk_system"),
        },
        404,
    ),
    # A manager who sees Jack in full takes the flag down: Dana sees him but is not a
    # manager; the school's system is not a person.
    "jack missing flag review": (
        "post",
        "/api/v1/missing-flags/{flag}/review/",
        {"reason": "x"},
        {"anonymous": 401, **only(403, "dana", "school_system")},
        404,
    ),
    "missing figures": (
        "get",
        "/api/v1/missing/figures/",
        None,
        {"anonymous": 401, "ana": 200, "maria": 200},
        403,
    ),
    # ----- Operation Encompass
    # The police (people and systems) record incidents.
    "encompass incident": (
        "post",
        "/api/v1/encompass/incidents/",
        {},
        {"anonymous": 401, **only(400, "tom", "olly", "police_system", "desk_system")},
        403,
    ),
    # Each team's own notifications.
    "encompass notifications": (
        "get",
        "/api/v1/encompass/notifications/",
        None,
        {"anonymous": 401},
        200,
    ),
    # Tom's incident, notified to Oakfield: Dana and Oakfield's system read it; Dana
    # acknowledges, but a system does not (the chase is to reach a person).
    "jack encompass notification": (
        "get",
        "/api/v1/encompass/notifications/{notification}/",
        None,
        {"anonymous": 401, "dana": 200, "school_system": 200},
        404,
    ),
    "jack encompass acknowledge": (
        "post",
        "/api/v1/encompass/notifications/{notification}/acknowledge/",
        None,
        {"anonymous": 401, "dana": 200, "school_system": 403},
        404,
    ),
    # Tom's incident: the force that recorded it may withdraw it (Tom on the police
    # MASH desk and the force's systems); Olly, of the same force, sees it but may not;
    # to everyone else it does not exist.
    "jack encompass incident withdraw": (
        "post",
        "/api/v1/encompass/incidents/{incident}/withdraw/",
        {"reason": "x"},
        {"anonymous": 401, **only(400, "tom", "police_system", "desk_system"), "olly": 403},
        404,
    ),
    "encompass coverage": (
        "get",
        "/api/v1/encompass/coverage/",
        None,
        {"anonymous": 401, "ana": 200, "maria": 200, "adam": 200, "ed": 200},
        403,
    ),
    "encompass figures": (
        "get",
        "/api/v1/encompass/figures/",
        None,
        {"anonymous": 401, "ana": 200, "maria": 200, "adam": 200, "ed": 200},
        403,
    ),
    # ----- early help
    # Any practitioner or agency system that may know of Jack asks for early help; a
    # lead who cannot lead it is refused by the service, naming `lead`.
    "jack ask for early help": (
        "post",
        "/api/v1/people/{jack}/early-help/",
        {"reason": "Jack is often late and hungry at school", "lead": "tom"},
        {"anonymous": 401, **NO_NAMES},
        400,
    ),
    "early help": (
        "get",
        "/api/v1/early-help/",
        None,
        {"anonymous": 401, "ana": 403, "adam": 403},
        200,
    ),
    # Dana's request, naming Erin: Dana's team (and Oakfield's system) and Erin.
    "jack early help": (
        "get",
        "/api/v1/early-help/{early_help}/",
        None,
        {"anonymous": 401, **only(200, "dana", "erin", "school_system")},
        404,
    ),
    # Only Erin, asked, answers (a reason too short is refused by field).
    "jack early help answer": (
        "post",
        "/api/v1/early-help/{early_help}/answer/",
        {"answer": "decline", "decline_reason": "x"},
        {"anonymous": 401, "erin": 400},
        404,
    ),
    # Dana, whose team asked, names someone else (no one has the username: a 400);
    # Erin and Oakfield's system see it but may not (a system never asks a lead).
    "jack early help lead": (
        "post",
        "/api/v1/early-help/{early_help}/lead/",
        {"lead": "nobody"},
        {"anonymous": 401, "dana": 400, **only(403, "erin", "school_system")},
        404,
    ),
}

# ----- the objects the rows need, built only for the tests that use them -------------

Need = Callable[[str], Any]


def _via() -> Any:
    from tellonce.audit.models import Channel
    from tellonce.audit.services import Via

    return Via(Channel.WEB)


def _amir_case(world, need: Need):
    """A contact about Amir, so the MASH has a case to show (or refuse)."""
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
        via=_via(),
    )
    return MashCase.objects.get(contact_children__contact=contact)


def _contact(world, need: Need):
    """Dana tells the MASH about Jack (which puts Jack in the MASH's work)."""
    from tellonce.mash.models import Channel as ContactChannel
    from tellonce.mash.services import ChildDetails, ContactDetails, contact_make

    return contact_make(
        user=world.dana,
        details=ContactDetails(
            children=[ChildDetails(person_id=world.jack.pk)],
            source="2A",
            referrer_name="Dana Whyte",
            referrer_role="Designated safeguarding lead",
            referrer_phone="020 7946 1234",
            referrer_email="",
            concern=(
                "Jack came to school with a bruise on his cheek and said his mum's boyfriend"
                " pushed him into a door last night."
            ),
            help_so_far="Spoke with Jack with the class teacher; gave breakfast; logged it.",
            child_needs="Jack needs to be safe at home, fed, and his speech delay followed up.",
            child_voice="Jack said 'I don't want to go home when he is there'.",
            household="Mum Kerry, baby sister Lily, and mum's boyfriend (name not known).",
            family_knows=True,
            consent="given",
        ),
        channel=ContactChannel.WEB,
        via=_via(),
    )


def _screened(world, need: Need):
    from tellonce.mash.services import case_screen

    return case_screen(
        user=world.sam,
        case=need("amir_case"),
        rag="amber",
        reason="Found at 2am with older men he met online: a risk of exploitation tonight.",
        via=_via(),
    )


def _rfi(world, need: Need):
    """The MASH asks the health MASH team what it knows of Amir."""
    from tellonce.mash.services import rfi_send

    return rfi_send(
        user=world.sam,
        case=need("screened"),
        team=world.health_mash,
        question="Has Amir attended A&E or a sexual health clinic this year, and with whom?",
        via=_via(),
    )


def _discussion(world, need: Need):
    """A strategy discussion about Amir, planned after Maria signed off the decision."""
    from tellonce.mash.models import Outcome
    from tellonce.mash.services import (
        ActionDetails,
        decision_propose,
        decision_sign_off,
        strategy_discussion_plan,
    )

    case = need("screened")
    decision_propose(
        user=world.sam,
        case=case,
        outcome=Outcome.STRATEGY_DISCUSSION,
        reason="Found at 2am with older men he met online: a risk of sexual exploitation.",
        actions=[ActionDetails("Check Amir is in school every day", world.sam, _today())],
        via=_via(),
    )
    decision_sign_off(user=world.maria, case=case, agree=True, note="", via=_via())
    return strategy_discussion_plan(
        user=world.sam,
        case=case,
        team_ids=[world.mash.pk, world.police_mash.pk, world.health_mash.pk],
        via=_via(),
    )


def _meeting(world, need: Need):
    """Today's MASH meeting, with Amir's case on its agenda."""
    from tellonce.mash.services import meeting_open

    need("amir_case")
    return meeting_open(user=world.sam, via=_via())


def _meeting_item(world, need: Need):
    return need("meeting").items.get(case=need("amir_case"))


def _action(world, need: Need):
    """An action on Amir's case for Olly, whose team investigates."""
    from tellonce.mash.services import action_add

    return action_add(
        user=world.sam,
        case=need("amir_case"),
        description="Share what the police know of the men Amir was found with",
        owner=world.olly,
        due_on=_today(),
        via=_via(),
    )


def _awaiting(world, need: Need):
    """Erin says early help works with Jack: awaiting confirmation, it opens nothing."""
    from tellonce.involvements.services import involvement_record

    return involvement_record(
        user=world.erin,
        person=world.jack,
        capacity="early_help",
        started_on=_today(),
        via=_via(),
    )


def _alert(world, need: Need):
    """Erin's word that early help works with Jack, delivered to Dana's team."""
    from tellonce.alerts.models import Alert, AlertKind
    from tellonce.alerts.services import deliveries_send

    need("awaiting")
    deliveries_send()
    return Alert.objects.get(
        kind=AlertKind.NOW_INVOLVED, team=world.oakfield_dsl, person=world.jack
    )


def _missing(world, hours_ago: int):
    from tellonce.missing.services import EpisodeDetails, episode_report

    return episode_report(
        user=world.dana,
        person=world.jack,
        details=EpisodeDetails(
            last_seen_at=timezone.now() - timedelta(hours=hours_ago),
            last_seen_where="Oakfield Primary School gates, at home time",
            circumstances="Jack did not come into his after-school club; red coat, grey bag.",
            risk="high",
            reporter_name="Dana Whyte",
            reporter_role="Designated safeguarding lead",
            reporter_phone="020 7946 1234",
        ),
        via=_via(),
    )


def _episode(world, need: Need):
    """Dana reports Jack missing; the police MASH desk (Tom's) is told."""
    return _missing(world, 3)


def _interview(world, need: Need):
    """Jack is back: his return home interview is due (no independent team to do it)."""
    from tellonce.missing.services import episode_return

    return episode_return(
        user=world.dana,
        episode=need("episode"),
        returned_on=timezone.now() - timedelta(hours=1),
        details="Found by the police at Northbrook station and brought home.",
        via=_via(),
    )


def _flag(world, need: Need):
    """Jack missing three times in 90 days: his record is flagged."""
    from tellonce.missing.models import MissingPatternFlag

    _missing(world, 60)
    _missing(world, 30)
    need("episode")  # the third, last seen most recently: it raises the flag
    return MissingPatternFlag.objects.get(person=world.jack)


def _notification(world, need: Need):
    """Tom records a domestic abuse incident in Jack's household; Oakfield is told."""
    from tellonce.alerts.services import deliveries_send
    from tellonce.encompass.calendar import borough_calendar_ensure
    from tellonce.encompass.models import Notification, Recipient
    from tellonce.encompass.services import (
        ChildDetails,
        IncidentDetails,
        incident_record,
        school_sign_up,
    )

    borough_calendar_ensure()
    school_sign_up(school=world.school)
    incident = incident_record(
        user=world.tom,
        details=IncidentDetails(
            police_ref="NBP/DA/1",
            occurred_at=timezone.now() - timedelta(hours=3),
            place="Flat 3, Alder House, Northbrook NB1 4QT",
            children=[
                ChildDetails(person_id=world.jack.pk, present=True, voice="Jack was crying.")
            ],
        ),
        via=_via(),
    )
    deliveries_send()
    return Notification.objects.get(incident=incident, recipient=Recipient.SCHOOL)


def _incident(world, need: Need):
    """The incident of Tom's notification to Oakfield."""
    return need("notification").incident


def _early_help(world, need: Need):
    """Dana asks for early help for Jack, naming Erin to lead it: it waits for Erin."""
    from tellonce.earlyhelp.services import Consent, EpisodeRequest, episode_request

    return episode_request(
        user=world.dana,
        person=world.jack,
        request=EpisodeRequest(
            reason="Jack is often late and hungry; his mother asked the school for help.",
            lead=world.erin,
            consent=Consent(),
        ),
        via=_via(),
    )


def _identifier(world, need: Need):
    from tellonce.people.models import IdentifierScheme

    return world.jack.identifiers.get(scheme=IdentifierScheme.NHS_NUMBER)


def _involvement(world, need: Need):
    """Dana's team's school involvement with Jack."""
    from tellonce.involvements.models import Involvement

    return Involvement.objects.get(person=world.jack, team=world.oakfield_dsl)


def _jack_barnes(world):
    """A health record's Jack Barnes (Jack's birth name): another person, for now."""
    from tellonce.people.models import Person

    return Person.objects.create(
        given_name="Jack",
        family_name="Barnes",
        date_of_birth=world.jack.date_of_birth,
        sex=world.jack.sex,
        source_agency=world.health,
        source_system="SystmOne",
    )


def _pair(world, need: Need):
    """Jack's school record and a health record of a Jack Barnes, waiting for review."""
    from tellonce.linkage.models import LinkageModel, ReviewPair
    from tellonce.people.models import AgencyRecord

    def record(agency, system: str, local_id: str, family_name: str, person) -> AgencyRecord:
        return AgencyRecord.objects.create(
            agency=agency,
            system=system,
            local_id=local_id,
            given_name="Jack",
            family_name=family_name,
            date_of_birth=world.jack.date_of_birth,
            postcode="NB1 4QT",
            person=person,
        )

    model = LinkageModel.objects.create(
        version=1, splink_version="4.0.0", settings={}, records_trained_on=2
    )
    return ReviewPair.objects.create(
        left=record(world.school, "SIMS", "P-1001", "Taylor", world.jack),
        right=record(world.health, "SystmOne", "H-2002", "Barnes", _jack_barnes(world)),
        model=model,
        match_probability=0.8,
        match_weight=2.0,
        explanation=[{"comparison": "Date of birth", "label": "same", "weight": 6.2}],
    )


def _merge(world, need: Need):
    """Jack Barnes's health record, merged into Jack by a linkage run."""
    from tellonce.linkage.models import LinkEvent, LinkEventKind
    from tellonce.people.models import AgencyRecord, Person

    merged = _jack_barnes(world)
    record = AgencyRecord.objects.create(
        agency=world.health,
        system="SystmOne",
        local_id="H-2002",
        given_name="Jack",
        family_name="Barnes",
        date_of_birth=world.jack.date_of_birth,
        person=world.jack,
    )
    Person.all_objects.filter(pk=merged.pk).update(
        archived_on=timezone.now(), archive_reason="Merged into Jack Taylor"
    )
    return LinkEvent.objects.create(
        kind=LinkEventKind.MERGE,
        person=world.jack,
        other_person=merged,
        record_ids=[record.pk],
        match_probability=0.995,
    )


def _webhook(world, need: Need):
    """The police MASH desk's system's webhook."""
    from tellonce.alerts.services import webhook_register

    webhook, _ = webhook_register(
        account=world.desk_system, url="https://desk.example/tellonce", via=_via()
    )
    return webhook


def _today():
    return timezone.localdate()


BUILDERS: dict[str, Callable[[Any, Need], Any]] = {
    "jack": lambda world, need: world.jack,
    "amir": lambda world, need: world.amir,
    "school": lambda world, need: world.school,
    "health_mash": lambda world, need: world.health_mash,
    "today": lambda world, need: _today().isoformat(),
    "an_hour_ago": lambda world, need: (timezone.now() - timedelta(hours=1)).isoformat(),
    "amir_case": _amir_case,
    "contact": _contact,
    "screened": _screened,
    "rfi": _rfi,
    "discussion": _discussion,
    "meeting": _meeting,
    "meeting_item": _meeting_item,
    "action": _action,
    "awaiting": _awaiting,
    "alert": _alert,
    "episode": _episode,
    "interview": _interview,
    "flag": _flag,
    "notification": _notification,
    "incident": _incident,
    "early_help": _early_help,
    "identifier": _identifier,
    "involvement": _involvement,
    "pair": _pair,
    "merge": _merge,
    "webhook": _webhook,
}
#: What a persona has done before the test: Erin has said she works with Jack.
PERSONA_NEEDS = {"erin_said": ["awaiting"]}
PERSONA_USER = {"erin_said": "erin"}
PEOPLE = {"jack", "amir"}


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in Formatter().parse(text) if field}


def _needer(world) -> Need:
    built: dict[str, Any] = {}

    def need(name: str) -> Any:
        if name not in built:
            built[name] = BUILDERS[name](world, need)
        return built[name]

    return need


def _filled(value: Any, need: Need) -> Any:
    """A body value with its placeholders filled: "{x}" alone is x's id itself."""
    if isinstance(value, dict):
        return {k: _filled(v, need) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v, need) for v in value]
    if not isinstance(value, str):
        return value
    names = _placeholders(value)
    ids = {name: getattr(need(name), "pk", need(name)) for name in names}
    if len(names) == 1 and value == "{" + next(iter(names)) + "}":
        return next(iter(ids.values()))
    return value.format(**ids)


def _client_for(world, persona: str) -> Client:
    client = Client()
    if persona == "anonymous":
        return client
    if persona in SYSTEMS:
        return Client(HTTP_AUTHORIZATION=f"Token {getattr(world, TOKENS[persona])}")
    return sign_in_fully(client, getattr(world, PERSONA_USER.get(persona, persona)))


def _expected(special: dict[str, Any], default: Any, persona: str) -> Any:
    if persona in special:
        return special[persona]
    if ALIKE.get(persona) in special:
        return special[ALIKE[persona]]
    return default


def _check(world, persona, method, template, body, expected, *, api: bool):
    need = _needer(world)
    for name in PERSONA_NEEDS.get(persona, []):
        need(name)
    client = _client_for(world, persona)
    path = template.format(
        **{name: getattr(need(name), "pk", need(name)) for name in _placeholders(template)}
    )
    if method == "get":
        response = client.get(path)
    elif api:
        response = client.post(path, _filled(body, need), content_type="application/json")
    else:
        response = client.post(path, _filled(body or {}, need))  # a form, as a browser sends
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
    expected = _expected(special, default, persona)
    response = _check(world, persona, method, template, body, expected, api=False)
    if response.status_code in (403, 404) or response.status_code == 302:
        # Refused or redirected: nothing of Jack's or Amir's record leaks.
        assert b"9434765919" not in response.content
        assert b"943 476 5919" not in response.content
        assert b"Alder House" not in response.content
        assert b"Hassan" not in response.content


@pytest.mark.parametrize(("endpoint", "persona"), _cases(API, EVERYONE))
def test_api(world, endpoint, persona):
    method, template, body, special, default = API[endpoint]
    expected = _expected(special, default, persona)
    response = _check(world, persona, method, template, body, expected, api=True)
    if response.status_code >= 400:
        payload = response.json()
        assert payload["errors"] and "message" in payload["errors"][0]
        assert "943 476 5919" not in response.content.decode()
        assert "Alder House" not in response.content.decode()
    if response.status_code in (401, 403, 404):
        assert "Hassan" not in response.content.decode()


# ----- lists: a child is named only to those who may know of them ------------------

#: A Tuesday in term time, 10:00: each list is read then, whatever day the suite runs.
SCHOOL_DAY_MORNING = datetime(2027, 3, 9, 10, 0, tzinfo=ZoneInfo("Europe/London"))
# list endpoint -> (path, the object it should list, what names the child, who sees it)
LISTS = {
    # Erin's word reaches Dana's team (and its system), and Priya, Lily's health
    # visitor (Jack's household); Erin is told who is already involved. Early help has
    # no manager, so the council's (Maria) is asked to confirm it, in the MASH team's
    # inbox, which Sam reads too: Jack's name and birth date, no more than his flag.
    "alerts inbox": (
        "/api/v1/alerts/",
        "alert",
        "Jack Taylor",
        {"dana", "school_system", "priya", "erin", "erin_said", "sam", "maria"},
    ),
    "mash queue": ("/api/v1/mash/cases/", "amir_case", "Hassan", set(MASH)),
    # A team's inbox lists the requests to it: health's (Hannah's and its system's).
    "requests for information": (
        "/api/v1/requests/",
        "rfi",
        "Hassan",
        {"hannah", "health_system"},
    ),
    # An action names its child only in what is to be done.
    "your actions": ("/api/v1/actions/", "action", "men Amir was found with", {"olly"}),
    # Dana's report: her team's, and the police desk's inbox (Tom's and its system's).
    "missing episodes": (
        "/api/v1/missing-episodes/",
        "episode",
        "Jack Taylor",
        {"dana", "tom", "school_system", "desk_system"},
    ),
    "encompass notifications": (
        "/api/v1/encompass/notifications/",
        "notification",
        "Jack",
        {"dana", "school_system"},
    ),
    # What Erin said waits for a MASH manager (never for Erin herself).
    "involvements to confirm": (
        "/api/v1/involvements/to-confirm/",
        "awaiting",
        "Taylor",
        {"maria"},
    ),
    "linkage review queue": ("/api/v1/linkage/review/", "pair", "Barnes", {"sam", "maria"}),
    # Dana's request for Jack's early help, naming Erin: her team's (and its system's)
    # list, and Erin's, who is asked to lead it.
    "early help": (
        "/api/v1/early-help/",
        "early_help",
        "Jack Taylor",
        {"dana", "school_system", "erin", "erin_said"},
    ),
}


@pytest.mark.parametrize(
    ("endpoint", "persona"),
    [pytest.param(n, p, id=f"{n}-{p}") for n in LISTS for p in EVERYONE if p != "anonymous"],
)
def test_lists(world, endpoint, persona):
    path, thing, name, sees = LISTS[endpoint]
    need = _needer(world)
    # A school-day morning: an incident on a Friday night is told to the council too.
    with time_machine.travel(SCHOOL_DAY_MORNING, tick=True):
        for setup in PERSONA_NEEDS.get(persona, []):
            need(setup)
        need(thing)
        response = _client_for(world, persona).get(path)
    if response.status_code != 200:
        # Refused outright (the matrix says to whom): nobody who sees it is refused.
        assert persona not in sees, (persona, response.status_code)
        assert response.status_code == 403, (persona, response.status_code)
        return
    assert (name in response.content.decode()) == (persona in sees), persona


# ----- content: what an agency system is told ---------------------------------------


def test_a_system_is_not_told_who_a_child_is_by_reporting_them_missing(world):
    police = _client_for(world, "police_system")
    flag = police.get(f"/api/v1/people/{world.jack.pk}/flag/").json()
    assert flag["given_name"] == "" and flag["family_name"] == ""  # as `may_learn_who` says
    response = police.post(
        f"/api/v1/people/{world.jack.pk}/missing-episodes/",
        {
            "last_seen_at": (timezone.now() - timedelta(hours=2)).isoformat(),
            "last_seen_where": "Northbrook station",
            "circumstances": "Seen boarding a train alone late at night, with no coat.",
            "risk": "high",
            "reporter_name": "Niche RMS",
            "reporter_phone": "101",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert "Taylor" not in response.content.decode()
    listed = police.get("/api/v1/missing-episodes/").content.decode()
    assert "Taylor" not in listed


def test_an_unconfirmed_involvement_tells_no_one_who_the_child_lives_with(world):
    """Erin says early help works with Jack: until a manager confirms it she hears who
    works with Jack (as his flag says), not who Jack lives with; once confirmed, she
    does."""
    from tellonce.alerts.services import deliveries_send
    from tellonce.audit.models import Channel
    from tellonce.audit.services import Via
    from tellonce.involvements.services import involvement_confirm

    involvement = _needer(world)("awaiting")
    deliveries_send()  # the worker, at once
    erin = _client_for(world, "erin_said")
    flag = erin.get(f"/api/v1/people/{world.jack.pk}/flag/").content.decode()
    assert "Lily" not in flag and "Kerry" not in flag  # the flag does not say
    inbox = erin.get("/api/v1/alerts/").content.decode()
    assert "Oakfield" in inbox  # who works with Jack himself
    assert "Lily" not in inbox and "Kerry" not in inbox
    assert "once a manager confirms" in inbox

    involvement_confirm(user=world.maria, involvement=involvement, via=Via(Channel.WEB))
    deliveries_send()
    inbox = erin.get("/api/v1/alerts/").content.decode()
    assert "Who works with the people Jack Taylor lives with" in inbox
    assert "Kerry Taylor" in inbox


# ----- every route has a row --------------------------------------------------------


def _routes(resolver: URLResolver | None = None, namespace: str = "") -> dict[str, Any]:
    """Every route's namespaced name (as `resolve` gives it) and its view."""
    resolver = resolver or get_resolver()
    routes: dict[str, Any] = {}
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            routes.update(_routes(pattern, inner))
        else:
            callback = pattern.callback
            name = pattern.name or f"{callback.__module__}.{callback.__name__}"
            routes[f"{namespace}:{name}" if namespace else name] = callback
    return routes


def _methods(callback: Any) -> set[str]:
    """The methods a route answers: a class-based view's handlers; a page's GET unless
    it is POST only, and POST where its code reads a POST."""
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is not None:
        return {m for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)}
    source = inspect.getsource(inspect.unwrap(callback))
    methods = set() if "@require_POST" in source else {"get"}
    if "POST" in source:
        methods.add("post")
    return methods


class _AnyId(dict):
    def __missing__(self, name: str) -> str:
        return "00000000-0000-0000-0000-000000000001" if name in PEOPLE else "1"


def _tried() -> dict[str, set[str]]:
    """Each route's name and the methods its rows try it with."""
    tried: dict[str, set[str]] = {}
    for table in (WEB, API):
        for method, template, *_ in table.values():
            path = template.format_map(_AnyId()).split("?")[0]
            tried.setdefault(resolve(path).view_name, set()).add(method)
    return tried


def test_every_route_has_a_row():
    routes = {n: cb for n, cb in _routes().items() if not n.startswith("admin:")}
    tried = _tried()
    assert not set(EXEMPT) - set(routes), "an exemption for a route that is gone"
    missing = sorted(set(routes) - set(tried) - set(EXEMPT))
    untried = sorted(
        f"{name} {method.upper()}"
        for name, callback in routes.items()
        if name not in EXEMPT and name in tried
        for method in _methods(callback) & {"get", "post"}
        if method not in tried[name]
    )
    assert not missing and not untried, (
        f"routes with no row in the matrix and no exemption: {missing};"
        f" routes never tried with these methods: {untried}"
    )


def test_every_placeholder_has_a_builder():
    for table in (WEB, API):
        for _, template, body, *_ in table.values():
            names = _placeholders(template) | _strings_placeholders(body)
            assert names <= set(BUILDERS), names - set(BUILDERS)


def _strings_placeholders(value: Any) -> set[str]:
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return set().union(*(_strings_placeholders(v) for v in value))
    return _placeholders(value) if isinstance(value, str) else set()
