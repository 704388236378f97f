"""Real-time matching: one new record, its candidate persons ranked in the web process
from the blocking-key index, with the evidence for each."""

from __future__ import annotations

import pytest
from django.test import Client

from tellonce.accounts.models import User
from tellonce.audit.models import Action, AuditEvent
from tellonce.audit.services import COMMAND_LINE
from tellonce.linkage.matching import person_match
from tellonce.linkage.models import BlockingKey, LinkageModel
from tellonce.people.models import AgencyRecord

pytestmark = pytest.mark.django_db


def _as(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _a_child_record() -> AgencyRecord:
    return (
        AgencyRecord.objects.exclude(date_of_birth=None)
        .exclude(given_name="")
        .filter(date_of_birth__year__gte=2012)
        .order_by("pk")
        .first()
    )


def test_the_run_indexes_every_record_under_its_blocking_keys(linked):
    model = LinkageModel.objects.get(is_active=True)
    indexed = BlockingKey.objects.filter(model=model).values("record").distinct().count()
    assert indexed >= 0.99 * AgencyRecord.objects.count()


def test_a_record_with_a_typo_finds_its_person_first(linked):
    known = _a_child_record()
    typo = known.given_name[:-1] + ("a" if known.given_name[-1] != "a" else "e")
    response = _as("sam.mash").post(
        "/api/v1/people/match/",
        {
            "given_name": typo,
            "family_name": known.family_name,
            "date_of_birth": known.date_of_birth.isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    best = response.json()[0]
    assert best["person"]["id"] == str(known.person_id)
    comparisons = {c["comparison"] for c in best["explanation"]}
    assert {"Given name", "Family name", "Date of birth"} <= comparisons
    event = AuditEvent.objects.filter(action=Action.SEARCH).latest("seq")
    assert event.detail["kind"] == "real-time match"
    assert known.family_name not in str(event.detail)


def test_bad_values_are_named(linked):
    response = _as("sam.mash").post(
        "/api/v1/people/match/",
        {"family_name": "Taylor", "nhs_number": "9434765918", "favourite": "blue"},
        content_type="application/json",
    )
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"nhs_number", "favourite"}


def test_analysts_cannot_match(linked):
    assert (
        _as("ana.analyst")
        .post("/api/v1/people/match/", {"family_name": "Taylor"}, content_type="application/json")
        .status_code
        == 403
    )


def test_results_say_what_the_caller_may_open(linked):
    known = _a_child_record()
    found = person_match(
        user=User.objects.get(username="dana.dsl"),
        record={
            "given_name": known.given_name,
            "family_name": known.family_name,
            "date_of_birth": known.date_of_birth.isoformat(),
        },
        via=COMMAND_LINE,
    )
    assert found and all(isinstance(c.full_access, bool) for c in found)


def test_the_search_page_ranks_by_the_model_and_says_why(linked):
    known = _a_child_record()
    dob = known.date_of_birth
    page = (
        _as("sam.mash")
        .post(
            "/people/search/",
            {
                "given_name": known.given_name,
                "family_name": known.family_name,
                "dob_day": dob.day,
                "dob_month": dob.month,
                "dob_year": dob.year,
                "identifier": "",
            },
        )
        .content.decode()
    )
    assert "likely, by the linkage model" in page
    assert "Why this match" in page and "Date of birth: same date of birth (for)" in page
    assert str(known.person_id) in page


def test_beyond_the_candidate_limit_the_records_sharing_most_keys_are_scored(linked, monkeypatch):
    from tellonce.linkage import matching
    from tellonce.linkage.services import RECORD_FIELDS, agency_records_canonical

    known = _a_child_record()
    canonical = agency_records_canonical(
        AgencyRecord.objects.filter(pk=known.pk).values_list(*RECORD_FIELDS)
    )[0]
    model = LinkageModel.objects.get(is_active=True)
    # With room for a single candidate, it is the record itself: it shares every key.
    monkeypatch.setattr(matching, "CANDIDATE_LIMIT", 1)
    [only] = matching.candidates_for(canonical, model)
    assert only.record_id == known.pk and only.person_id == known.person_id


def test_an_agency_system_is_told_which_person_its_record_may_be_never_who(linked):
    # Finding 2: a school's system harvested names and dates of birth by searching.
    from tellonce.accounts.services import api_token_issue

    school_system = User.objects.get(username="school-system")
    token = api_token_issue(user=school_system, by=None, via=COMMAND_LINE)
    school = Client(HTTP_AUTHORIZATION=f"Token {token}")
    known = _a_child_record()
    searched = school.post(
        "/api/v1/people/search/",
        {"family_name": known.family_name, "date_of_birth": str(known.date_of_birth.year)},
        content_type="application/json",
    )
    assert searched.status_code == 403
    assert "Agency systems do not search for people" in searched.json()["errors"][0]["message"]
    matched = school.post(
        "/api/v1/people/match/",
        {"family_name": known.family_name, "date_of_birth": known.date_of_birth.isoformat()},
        content_type="application/json",
    )
    assert matched.status_code == 200 and matched.json()
    for candidate in matched.json():
        if not candidate["full_access"]:
            assert candidate["person"]["given_name"] == ""
            assert candidate["person"]["date_of_birth"] is None
    strangers = [c["person"]["id"] for c in matched.json() if not c["full_access"]]
    assert strangers
    assert known.given_name not in str([c for c in matched.json() if not c["full_access"]])
    # Nor does the flag of a child its agency does not work with say who they are.
    flag = school.get(f"/api/v1/people/{strangers[0]}/flag/").json()
    assert (flag["given_name"], flag["family_name"], flag["date_of_birth"]) == ("", "", None)
