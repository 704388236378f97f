"""What every agency system meets first: the schema, and tokens that belong to agency
system accounts only (each domain's API is tested in its own app)."""

from __future__ import annotations

import pytest
from django.test import Client

from tellonce.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def system(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def test_the_schema_is_openapi_3_and_lists_the_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/people/search/",
        "/api/v1/people/{person_id}/",
        "/api/v1/people/{person_id}/flag/",
        "/api/v1/people/{person_id}/break-glass/",
    ):
        assert path in schema["paths"]
    assert "tokenAuth" in str(schema["components"]["securitySchemes"])


def test_a_bad_token_is_refused(world):
    response = system("not-a-token").get("/api/v1/teams/")
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == "Invalid token."


def test_a_practitioner_cannot_hold_an_api_token(world):
    import hashlib
    from datetime import timedelta

    from django.utils import timezone

    from tellonce.accounts.models import ApiToken

    # However a practitioner came by a token (the service issues none), it opens nothing.
    token = "practitioner-token-0123456789"
    ApiToken.objects.create(
        user=world.sam,
        key_hash=hashlib.sha256(token.encode()).hexdigest(),
        prefix=token[:8],
        expires_on=timezone.now() + timedelta(days=1),
    )
    response = system(token).get("/api/v1/teams/")
    assert response.status_code == 401
    assert "agency system accounts only" in response.json()["errors"][0]["message"]


def test_a_token_that_opens_nothing_is_audited_without_the_token(world):
    response = system("not-a-token-at-all").get("/api/v1/teams/")
    assert response.status_code == 401
    event = AuditEvent.objects.get(action=Action.SIGN_IN_FAILED)
    assert event.channel == "api" and event.detail["stage"] == "API token"
    assert "not-a-token-at-all" not in str(event.detail)
