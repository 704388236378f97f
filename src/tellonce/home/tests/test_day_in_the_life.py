"""A day in the life of each demo role, walked in Debian's chromium on the seeded demo
(`tellonce seed --link`, served by `tellonce serve` as `make demo` does): from sign-in
through the role's main journey. Every page is checked with axe-core (WCAG 2.2 AA),
for GOV.UK markup on every form control (a label for each box; a fieldset and legend
for each group), and for width at 320 pixels; a screenshot of each, at desktop and
phone widths, is saved under $TELLONCE_SHOTS (default: the test's temporary folder).

The walk runs once, on the embedded demo database: the PostgreSQL run of the suite
skips it (its pages are the same; the database under them is covered by every other
page test)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tellonce.borough.demo import DEMO_PASSWORD
from tellonce.testing.browser import chromium_page, require_chromium

pytestmark = [pytest.mark.browser]

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
#: Children in the demo borough the walk runs on: enough for every page to have rows.
CHILDREN = 2000

#: The checks run in the page: every control labelled, every group in a fieldset with
#: a legend, and nothing wider than the screen.
MARKUP_PROBLEMS = """() => {
  const problems = [];
  const controls = document.querySelectorAll(
    'main input:not([type=hidden]), main select, main textarea');
  for (const c of controls) {
    const labelled = c.id && document.querySelector(`label[for="${CSS.escape(c.id)}"]`);
    if (!labelled && !c.getAttribute('aria-label')) problems.push(`no label: ${c.name}`);
    if (!/govuk-(input|select|textarea|radios__input|checkboxes__input)/.test(c.className))
      problems.push(`not a GOV.UK control: ${c.name}`);
    const group = c.type === 'radio' || c.closest('.govuk-date-input')
      || (c.type === 'checkbox' && c.closest('.govuk-checkboxes')
          && c.closest('.govuk-checkboxes').querySelectorAll('input').length > 1);
    if (group) {
      const fieldset = c.closest('fieldset');
      const legend = fieldset && fieldset.querySelector('legend');
      if (!legend || !legend.textContent.trim()) problems.push(`group without legend: ${c.name}`);
    }
  }
  return problems;
}"""
WIDER_THAN_SCREEN = "() => document.documentElement.scrollWidth > window.innerWidth + 1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tellonce(env: dict[str, str], *args: str, timeout: int = 900) -> str:
    command = [str(Path(sys.executable).with_name("tellonce")), *args]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def demo_var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("DATABASE_URL"):
        pytest.skip("the day in the life runs once, on the embedded demo database")
    require_chromium()
    return tmp_path_factory.mktemp("demo")


@pytest.fixture(scope="module")
def demo(demo_var: Path) -> Iterator[str]:
    var = demo_var
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {
        "TELLONCE_ENV": "demo",
        "TELLONCE_VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "tellonce.settings",
    }
    _tellonce(env, "migrate", "--noinput")
    seeded = _tellonce(env, "seed", "--children", str(CHILDREN), "--link")
    (var / "seed-output.txt").write_text(seeded)
    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("tellonce")),
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/sign-in/", timeout=5) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("TELLONCE_SHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Walk:
    """One role's walk: each page visited is checked and photographed."""

    page: Any
    base: str
    role: str
    shots: Path
    axe: Any
    problems: dict[str, list[str]] = field(default_factory=dict)
    visited: list[str] = field(default_factory=list)

    def sign_in(self, username: str) -> None:
        self.page.context.clear_cookies()
        self.page.goto(f"{self.base}/sign-in/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(DEMO_PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()
        self.check("home")

    def go(self, path: str, name: str) -> None:
        self.page.goto(f"{self.base}{path}")
        self.check(name)

    def check(self, name: str) -> None:
        page = self.page
        found: list[str] = []
        title = page.title()
        if "Page not found" in title or "Sorry" in title:
            found.append(f"error page: {title}")
        results = self.axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
        found += [f"axe {v['id']}: {v['help']}" for v in results.response["violations"]]
        found += page.evaluate(MARKUP_PROBLEMS)
        slug = re.sub(r"[^a-z0-9]+", "-", f"{self.role} {len(self.visited):02d} {name}".lower())
        page.screenshot(path=str(self.shots / f"{slug}-desktop.png"), full_page=True)
        page.set_viewport_size({"width": 320, "height": 800})
        if page.evaluate(WIDER_THAN_SCREEN):
            found.append("wider than a 320-pixel screen")
        page.screenshot(path=str(self.shots / f"{slug}-phone.png"), full_page=False)
        page.set_viewport_size({"width": 1200, "height": 900})
        self.visited.append(name)
        if found:
            self.problems[name] = found

    def submit(self, button: Any, name: str) -> None:
        """Press a form's button and check the page it leads to, once it has loaded
        (checking the page it leaves, mid-navigation, finds no document)."""
        with self.page.expect_navigation():
            button.click()
        self.check(name)

    def follow(self, link: Any, name: str) -> None:
        link.first.click()
        self.page.wait_for_load_state()
        self.check(name)


def _walk(demo: str, shots: Path, role: str, journey: Callable[[Walk], None]) -> Walk:
    from axe_playwright_python.sync_playwright import Axe

    with chromium_page() as page:
        walk = Walk(page=page, base=demo, role=role, shots=shots, axe=Axe())
        journey(walk)
    return walk


def _mash_worker(walk: Walk) -> None:
    page = walk.page
    walk.sign_in("sam.mash")
    assert page.get_by_text("Overdue").count() and page.get_by_text("Due today").count()
    walk.go("/mash/", "queue")
    walk.follow(page.locator("table a[href^='/mash/cases/']"), "case")
    walk.follow(page.locator("main dd a[href^='/people/']"), "the child's record")
    walk.follow(page.get_by_role("link", name="Multi-agency chronology"), "chronology")


def _mash_manager(walk: Walk) -> None:
    walk.sign_in("maria.manager")
    walk.go("/mash/?overdue=on", "overdue cases")
    walk.go("/mash/meeting/", "the daily meeting")
    walk.go("/linkage/review/", "linkage review")


def _police(walk: Walk) -> None:
    page = walk.page
    walk.sign_in("tom.police")
    walk.go("/missing/police/", "missing children")
    walk.go("/encompass/incidents/new/", "record an incident")
    walk.submit(page.get_by_role("button", name="Record the incident"), "incident with errors")


def _health(walk: Walk) -> None:
    page = walk.page
    walk.sign_in("hannah.health")
    walk.go("/mash/requests/", "requests for information")
    if not page.locator("table a[href^='/mash/requests/']").count():
        walk.follow(page.get_by_role("link", name="Answered"), "answered requests")
    walk.follow(page.locator("table a[href^='/mash/requests/']"), "a request")


def _education(walk: Walk) -> None:
    walk.sign_in("ed.education")
    walk.go("/encompass/", "encompass notifications")
    walk.go("/encompass/coverage/", "encompass coverage")


def _school(walk: Walk) -> None:
    page = walk.page
    walk.sign_in("dana.dsl")
    walk.go("/encompass/", "encompass notifications")
    if not page.locator("table a[href^='/encompass/notifications/']").count():
        walk.follow(page.get_by_role("link", name="Acknowledged"), "acknowledged notifications")
    walk.follow(page.locator("table a[href^='/encompass/notifications/']"), "a notification")


def _early_help(walk: Walk) -> None:
    page = walk.page
    walk.sign_in("erin.earlyhelp")
    # A request to lead waits for her answer, on her home page and her worklist.
    assert page.get_by_text("Early help: asked to lead").count()
    walk.go("/early-help/", "early help worklist")
    assert page.get_by_text("Early help you lead").count()
    walk.follow(page.locator("main table a[href^='/early-help/']"), "an episode asked of her")
    walk.follow(page.get_by_role("link", name="Accept or decline"), "her answer")
    walk.submit(page.get_by_role("button", name="Send your answer"), "her answer with errors")
    walk.go("/", "home again")
    walk.follow(page.locator("main table a[href^='/people/']"), "a child's record")
    walk.follow(page.get_by_role("link", name="Multi-agency chronology"), "chronology")
    walk.follow(page.get_by_role("link", name="Add a significant event"), "add an event")
    walk.submit(
        page.get_by_role("button", name="Add to the chronology"), "add an event with errors"
    )


def _searcher(username: str) -> Callable[[Walk], None]:
    def journey(walk: Walk) -> None:
        page = walk.page
        walk.sign_in(username)
        walk.go("/people/search/", "search")
        page.get_by_label("Last name").fill("Oduya")
        walk.submit(page.get_by_role("button", name="Search"), "search with a problem")
        page.get_by_label("First name").fill("Jaxon")
        walk.submit(page.get_by_role("button", name="Search"), "search results")

    return journey


def _out_of_hours(walk: Walk) -> None:
    page = walk.page
    _searcher("eddie.edt")(walk)
    walk.follow(page.locator("main table a[href^='/people/']"), "a child's record")
    report = page.get_by_role("link", name=re.compile("missing", re.I))
    if report.count():
        walk.follow(report, "report missing")
        walk.submit(
            page.get_by_role("button", name=re.compile("report", re.I)).first,
            "report missing with errors",
        )


def _interviewer(walk: Walk) -> None:
    page = walk.page
    walk.sign_in("rita.rhi")
    walk.go("/missing/interviews/", "return home interviews")
    walk.follow(page.locator("table a[href^='/missing/']"), "an episode")


def _analyst(walk: Walk) -> None:
    page = walk.page
    walk.sign_in("ana.analyst")
    walk.go("/missing/figures/", "missing figures")
    walk.go("/encompass/figures/", "encompass figures")
    page.goto(f"{walk.base}/mash/")
    assert "You cannot do this" in page.title()


def _early_help_manager(walk: Walk) -> None:
    page = walk.page
    walk.sign_in("gwen.ehmanager")
    assert page.get_by_text("Early help waiting for a lead").count()
    walk.go("/early-help/", "early help worklist")
    assert page.get_by_text("Waiting for a lead in the borough").count()
    assert page.get_by_text("Overdue").count()  # one waits past its 5 working days
    walk.follow(page.locator("main table a[href^='/early-help/']").last, "an episode waiting")
    walk.follow(page.get_by_role("link", name="Ask someone else to lead"), "ask someone else")


def _administrator(walk: Walk) -> None:
    walk.sign_in("adam.admin")


JOURNEYS: dict[str, Callable[[Walk], None]] = {
    "mash social worker": _mash_worker,
    "mash manager": _mash_manager,
    "police": _police,
    "health mash": _health,
    "education mash": _education,
    "school dsl": _school,
    "early help": _early_help,
    "early help manager": _early_help_manager,
    "personal adviser": _searcher("paul.adviser"),
    "health visitor": _searcher("priya.visitor"),
    "emergency duty": _out_of_hours,
    "return interviews": _interviewer,
    "analyst": _analyst,
    "administrator": _administrator,
}


@pytest.mark.parametrize("role", list(JOURNEYS))
def test_a_day_in_the_life(role: str, demo: str, shots: Path) -> None:
    walk = _walk(demo, shots, role, JOURNEYS[role])
    assert walk.visited
    assert walk.problems == {}


# ----- issue 14's trial, with the worker running ------------------------------------

_ADEBAYO = {"family_name": "Adebayo", "postcode": "NB7 9ZY"}
_MUM = {**_ADEBAYO, "given_name": "Folasade", "date_of_birth": "1991-02-17", "sex": "F"}
_SON = {**_ADEBAYO, "given_name": "Tobiloba", "date_of_birth": "2017-10-03", "sex": "M"}
_DAUGHTER = {**_ADEBAYO, "given_name": "Morenike", "date_of_birth": "2024-04-29", "sex": "F"}


def _tokens(var: Path) -> dict[str, str]:
    lines = (var / "seed-output.txt").read_text().splitlines()
    return dict(re.findall(r"^\s+([a-z-]+-system): (\S+)$", "\n".join(lines), flags=re.M))


def _post(base: str, token: str, body: dict[str, object]) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 (the test's own server)
        f"{base}/api/v1/records/",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        assert answer.status in (200, 201)
        return dict(json.loads(answer.read()))


def _team(database: Path, username: str) -> tuple[int, str]:
    with sqlite3.connect(database) as db:
        row = db.execute(
            "select t.id, t.name from organisations_team t"
            " join accounts_user u on u.team_id = t.id where u.username = ?",
            (username,),
        ).fetchone()
    return int(row[0]), str(row[1])


def _told(database: Path, local_ids: list[str]) -> set[tuple[int, int]]:
    """(team told, team now involved) of the delivered alerts about these records."""
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "select a.team_id, i.team_id from alerts_alert a"
            " join involvements_involvement i on i.id = a.involvement_id"
            " where a.kind = 'now_involved' and a.delivered_on is not null"
            " and i.person_id in (select person_id from people_agencyrecord"
            " where local_id in (select value from json_each(?)))",
            (json.dumps(local_ids),),
        ).fetchall()
    return {(int(a), int(b)) for a, b in rows}


def test_a_new_family_sent_by_three_agency_systems_is_told_to_each_within_a_minute(
    demo: str, demo_var: Path
) -> None:
    """The practice study, tried as the agencies' systems would with `tellonce serve`
    running: each team hears of the other two within 60 seconds, from the worker."""
    tokens = _tokens(demo_var)
    database = demo_var / "tellonce.sqlite3"
    school_team, housing_team, health_team = (
        _team(database, name) for name in ("school-system", "housing-system", "health-system")
    )
    started = "2026-11-02"
    sent = time.monotonic()
    school = _post(
        demo,
        tokens["school-system"],
        {
            "system": "SIMS",
            "record_id": "UPN-AD-1",
            **_SON,
            "team": school_team[1],
            "capacity": "school",
            "started_on": started,
            "contact1_given_name": _MUM["given_name"],
            "contact1_family_name": _MUM["family_name"],
            "contact1_is": "Mum",
            "contact1_phone": "07700 900456",
            "contact1_lives_with": True,
        },
    )
    housing = [
        _post(
            demo,
            tokens["housing-system"],
            {"system": "Abritas", "record_id": rid, **who, "household_ref": "TA-3310", **work},
        )
        for rid, who, work in (
            (
                "TA-AD-F",
                _MUM,
                {"team": housing_team[1], "capacity": "housing", "started_on": started},
            ),
            ("TA-AD-T", _SON, {}),
            ("TA-AD-M", _DAUGHTER, {}),
        )
    ]
    health = [
        _post(
            demo, tokens["health-system"], {"system": "SystmOne", "record_id": "HV-AD-F", **_MUM}
        ),
        _post(
            demo,
            tokens["health-system"],
            {
                "system": "SystmOne",
                "record_id": "HV-AD-M",
                **_DAUGHTER,
                "team": health_team[1],
                "capacity": "health_visiting",
                "started_on": started,
                "relative1_record": "HV-AD-F",
                "relative1_is": "mother",
                "relative1_lives_with": True,
            },
        ),
    ]
    assert all(r["linkage"]["person"] for r in (school, *housing, *health))
    teams = {school_team[0], housing_team[0], health_team[0]}
    wanted = {(a, b) for a in teams for b in teams if a != b}
    records = ["UPN-AD-1", "TA-AD-F", "TA-AD-T", "TA-AD-M", "HV-AD-F", "HV-AD-M"]
    while time.monotonic() - sent < 60 and not wanted <= _told(database, records):
        time.sleep(0.5)
    assert wanted <= _told(database, records), sorted(wanted - _told(database, records))


# ----- the README's walk-throughs, as written -----------------------------------------


def _named(given: str, family: str) -> re.Pattern[str]:
    """A person's name as pages show it: their first and last names, any middle between."""
    return re.compile(rf"{re.escape(given)}( .+)? {re.escape(family)}")


def _pupil_of(database: Path, username: str) -> tuple[str, str, str]:
    """(first name, last name, date of birth) of a child at the user's school."""
    with sqlite3.connect(database) as db:
        row = db.execute(
            "select p.given_name, p.family_name, p.date_of_birth from people_person p"
            " join involvements_involvement i on i.person_id = p.id"
            " join accounts_user u on u.team_id = i.team_id"
            " where u.username = ? and i.ended_on is null and p.date_of_birth > '2012-01-01'"
            " order by p.family_name, p.given_name limit 1",
            (username,),
        ).fetchone()
    return str(row[0]), str(row[1]), str(row[2])


def test_an_incident_for_a_pupil_typed_as_on_her_school_page_reaches_her_school(
    demo: str, demo_var: Path, shots: Path
) -> None:
    """README, Operation Encompass: as tom.police, record a domestic abuse incident for
    a child at dana.dsl's school; dana.dsl sees it and acknowledges it."""
    from playwright.sync_api import expect

    given, family, born = _pupil_of(demo_var / "tellonce.sqlite3", "dana.dsl")
    year, month, day = born.split("-")

    def journey(walk: Walk) -> None:
        page = walk.page
        walk.sign_in("tom.police")
        walk.go("/encompass/incidents/new/", "record an incident")
        page.get_by_label("Police reference").fill("NBP/DEMO/77")
        page.get_by_label("Day").first.fill("1")
        page.get_by_label("Month").first.fill("12")
        page.get_by_label("Year").first.fill("2026")
        page.get_by_label("Hour").fill("23")
        page.get_by_label("Minute").fill("10")
        page.get_by_label("Where it happened").fill("Flat 2, Cedar Court")
        page.get_by_label("First name").first.fill(given)
        page.get_by_label("Last name").first.fill(family)
        page.get_by_label("Day").nth(1).fill(str(int(day)))
        page.get_by_label("Month").nth(1).fill(str(int(month)))
        page.get_by_label("Year").nth(1).fill(year)
        page.get_by_label("Yes", exact=True).first.check()
        page.get_by_label("What the child said, or how they presented").first.fill(
            "Hiding upstairs; said she was scared of the shouting."
        )
        walk.submit(page.get_by_role("button", name="Record the incident"), "incident recorded")
        expect(page.get_by_text("Matched to a known child")).to_be_visible()
        expect(page.get_by_text("Designated safeguarding lead").first).to_be_visible()
        walk.sign_in("dana.dsl")
        walk.go("/encompass/", "encompass notifications")
        walk.follow(page.get_by_role("link", name=_named(given, family)), "the notification")
        walk.submit(page.get_by_role("button", name=re.compile("Acknowledge")), "acknowledged")

    walk = _walk(demo, shots, "readme encompass", journey)
    assert walk.problems == {}


def test_a_missing_report_from_the_emergency_duty_team_reaches_the_police_desk(
    demo: str, shots: Path
) -> None:
    """README, missing children: as eddie.edt, find a child and report them missing;
    tom.police sees the report, waiting for his acknowledgement."""
    from playwright.sync_api import expect

    def journey(walk: Walk) -> None:
        page = walk.page
        walk.sign_in("eddie.edt")
        walk.go("/people/search/", "search")
        page.get_by_label("First name").fill("Jaxon")
        page.get_by_label("Last name").fill("Oduya")
        page.get_by_role("button", name="Search").click()
        walk.follow(page.get_by_role("link", name="Jaxon Oduya"), "the child")
        walk.follow(page.get_by_role("link", name=re.compile("Report .* missing")), "report")
        walk.submit(
            page.get_by_role("button", name=re.compile("Report")).last, "report with problems"
        )
        hours_ago = time.localtime(time.time() - 2 * 3600)
        page.get_by_label("Day").fill(str(hours_ago.tm_mday))
        page.get_by_label("Month").fill(str(hours_ago.tm_mon))
        page.get_by_label("Year").fill(str(hours_ago.tm_year))
        page.get_by_label("Hour").fill(str(hours_ago.tm_hour))
        page.get_by_label("Minute").fill(f"{hours_ago.tm_min:02d}")
        page.get_by_label("Where were they last seen?").fill("Outside Cedar Court")
        page.get_by_label("What happened?").fill(
            "Did not come home after school; grey school jumper; may be with older boys."
        )
        page.get_by_label("High", exact=False).first.check()
        page.get_by_label("A phone number the police can reach you on now").fill("07700 900777")
        walk.submit(page.get_by_role("button", name=re.compile("Report")).last, "episode")
        expect(page.get_by_text("Not yet acknowledged")).to_be_visible()
        walk.sign_in("tom.police")
        walk.go("/missing/police/", "missing children")
        expect(page.get_by_role("link", name="Jaxon Oduya").first).to_be_visible()

    walk = _walk(demo, shots, "readme missing", journey)
    assert walk.problems == {}


def _child_known_elsewhere(database: Path, username: str) -> tuple[str, str]:
    """(first name, last name) of a child whom other teams work with, and not the user's."""
    with sqlite3.connect(database) as db:
        row = db.execute(
            "select p.given_name, p.family_name from people_person p"
            " join involvements_involvement i on i.person_id = p.id and i.ended_on is null"
            " where p.date_of_birth between '2012-01-01' and '2019-08-31'"
            " and p.archived_on is null and not exists (select 1 from involvements_involvement mine"
            "   join accounts_user u on u.team_id = mine.team_id"
            "   where mine.person_id = p.id and u.username = ?)"
            " and (select count(*) from people_person same where same.given_name = p.given_name"
            "   and same.family_name = p.family_name) = 1"
            " group by p.id having count(i.id) >= 2 order by p.family_name limit 1",
            (username,),
        ).fetchone()
    return str(row[0]), str(row[1])


def test_a_school_tells_the_mash_and_the_child_is_in_the_mash_queue(demo: str, shots: Path) -> None:
    """README, the MASH: as dana.dsl, find a child at her school and tell the MASH; as
    sam.mash, the child is in the MASH queue."""
    from playwright.sync_api import expect

    def journey(walk: Walk) -> None:
        page = walk.page
        walk.sign_in("dana.dsl")
        pupil = page.locator("main table a[href^='/people/']").first
        name = pupil.inner_text().strip()
        walk.follow(pupil, "a pupil's record")
        walk.follow(page.get_by_role("link", name=re.compile("Tell the MASH about")), "contact")
        walk.submit(page.get_by_role("button", name="Send to the MASH"), "contact with problems")
        page.get_by_label("What worries you about the child?").fill(
            "Came in with a bruise on the cheek and said mum's boyfriend pushed them last night."
        )
        page.get_by_label("What has already been done to help").fill(
            "Spoke with them with the class teacher; gave breakfast; logged it."
        )
        page.get_by_label("The child's own needs").fill("To be safe at home and fed.")
        page.get_by_label("What the child has said, or how they seem").fill(
            "Said 'I don't want to go home when he is there'."
        )
        page.get_by_label("Who the child lives with").fill("Mum and mum's boyfriend.")
        page.get_by_label("No", exact=True).check()
        page.get_by_label("No: the family was not asked").check()
        page.get_by_label("Why you are sharing without the family's agreement").fill(
            "Asking mum first could put the child at risk of further harm tonight."
        )
        walk.submit(page.get_by_role("button", name="Send to the MASH"), "contact sent")
        expect(page.get_by_role("heading", name="Contact sent to the MASH")).to_be_visible()
        walk.sign_in("sam.mash")
        walk.go("/mash/", "queue")
        expect(page.get_by_role("link", name=name).first).to_be_visible()

    walk = _walk(demo, shots, "readme mash", journey)
    assert walk.problems == {}


def test_a_school_records_its_work_with_a_child_and_hears_who_else_is_involved(
    demo: str, demo_var: Path, shots: Path
) -> None:
    """README, alerts: as dana.dsl, find a child who is not at her school and record that
    her team works with them: her alerts say who else is involved."""
    from playwright.sync_api import expect

    given, family = _child_known_elsewhere(demo_var / "tellonce.sqlite3", "dana.dsl")

    def journey(walk: Walk) -> None:
        page = walk.page
        walk.sign_in("dana.dsl")
        walk.go("/people/search/", "search")
        page.get_by_label("First name").fill(given)
        page.get_by_label("Last name").fill(family)
        page.get_by_role("button", name="Search").click()
        walk.follow(page.get_by_role("link", name=_named(given, family)), "the flag")
        walk.follow(
            page.get_by_role("link", name=re.compile("Record that your team is working with")),
            "record the involvement",
        )
        page.get_by_label("How your team is working with them").select_option(label="School")
        today = time.localtime()
        page.get_by_label("Day").fill(str(today.tm_mday))
        page.get_by_label("Month").fill(str(today.tm_mon))
        page.get_by_label("Year").fill(str(today.tm_year))
        walk.submit(page.get_by_role("button", name="Record involvement"), "involvement recorded")
        # The worker tells her, within seconds: the alerts page shows it once it has.
        deadline = time.monotonic() + 60
        while True:
            page.goto(f"{walk.base}/alerts/")
            if page.get_by_text(_named(given, family)).count() or time.monotonic() > deadline:
                break
            time.sleep(1)
        walk.check("alerts")
        expect(page.get_by_text(_named(given, family)).first).to_be_visible()

    walk = _walk(demo, shots, "readme alerts", journey)
    assert walk.problems == {}
