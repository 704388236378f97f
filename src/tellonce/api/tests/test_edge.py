"""What an agency system meets at the API's edge when it sends something wrong: never a
server error, always the one JSON error format naming the field."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings
from django.urls import path

from tellonce.mash.tests.test_api import jacks_case_by_api
from tellonce.testing.world import World

pytestmark = pytest.mark.django_db


def system(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token}", raise_request_exception=False)


def test_an_api_address_that_matches_no_route_is_a_json_404(world: World) -> None:
    response = system(world.police_token).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "openapi.json" in response.json()["errors"][0]["message"]


def test_a_page_address_that_matches_no_route_is_the_html_page(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def _boom(request: object) -> None:
    raise RuntimeError("a bug")


urlpatterns = [path("api/v1/boom/", _boom)]
handler500 = "tellonce.api.errors.handler500"


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_outside_any_api_view_is_json_and_says_nothing_was_saved(
    world: World,
) -> None:
    response = system(world.police_token).get("/api/v1/boom/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "nothing was saved" in response.json()["errors"][0]["message"]


def test_reporting_a_child_missing_with_an_empty_body_names_what_is_missing(
    world: World,
) -> None:
    response = system(world.police_token).post(
        f"/api/v1/people/{world.jack.pk}/missing-episodes/", {}, content_type="application/json"
    )
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"last_seen_at", "circumstances", "risk"} <= fields


def test_json_nested_a_thousand_deep_is_refused_at_the_edge(world: World) -> None:
    body = "[" * 1000 + "]" * 1000
    response = system(world.police_token).post(
        "/api/v1/people/search/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested more than" in response.json()["errors"][0]["message"]


def test_a_lone_surrogate_in_a_name_is_refused_naming_the_field(world: World) -> None:
    body = '{"given_name": "Ja\\ud800ck", "family_name": "Taylor"}'
    response = system(world.police_token).post(
        "/api/v1/people/search/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "given_name"


def test_a_case_whose_proposed_team_has_no_named_worker_shows_practitioner_null(
    world: World, signed_in
) -> None:
    case_id = jacks_case_by_api(world)
    body = signed_in(world.sam).get(f"/api/v1/mash/cases/{case_id}/").json()
    proposed = {team["id"]: team for team in body["proposed_rfi_teams"]}
    # The police MASH desk is always asked, and no one there is named for Jack.
    assert proposed[world.police_mash.pk]["practitioner"] is None
    assert "method-wrapper" not in json.dumps(body)


def test_a_flag_is_true_or_false_and_nothing_else(world: World) -> None:
    response = system(world.police_token).get("/api/v1/actions/?done=1")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "done", "message": "Must be true or false"}]
    assert system(world.police_token).get("/api/v1/actions/?done=true").status_code == 200


def test_a_query_parameter_given_twice_is_refused_naming_it(world: World, signed_in) -> None:
    response = signed_in(world.sam).get("/api/v1/mash/cases/?state=open&state=all")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "state"


def test_the_schema_states_the_rules_the_views_enforce(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    bodies = schema["components"]["schemas"]
    episode = bodies["EpisodeCreateRequest"]
    assert {"last_seen_at", "circumstances", "risk"} <= set(episode["required"])
    assert bodies["AgencyRecordReceiveRequest"]["additionalProperties"] is False
    assert bodies["AgencyRecordReceiveRequest"]["properties"]["nhs_number"]["format"] == (
        "nhs-number"
    )
    assert bodies["ContactCreateRequest"]["properties"]["children"]["minItems"] == 1
    contact = schema["paths"]["/api/v1/contacts/"]["post"]
    assert "referrer.phone" in {rule["field"] for rule in contact["x-refused-when"]}
