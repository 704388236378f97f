"""API tokens belong to agency system accounts; a token can do what its agency may.
Tokens are kept only as hashes, expire and can be revoked (`accounts.services`).
A token that opens nothing (unknown, revoked, expired, or not a system's) is audited as
a failed sign-in, with the address it came from, never the token."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.request import Request

from tellonce.accounts.services import api_token_user
from tellonce.audit.models import Action, Channel
from tellonce.audit.services import audit_record, client_ip


class AgencyTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed as exc:
            audit_record(
                actor=None,
                actor_label="unknown",
                action=Action.SIGN_IN_FAILED,
                channel=Channel.API,
                ip_address=client_ip(request),  # type: ignore[arg-type]
                detail={"stage": "API token", "why": str(exc.detail)[:100]},
            )
            raise

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        found = api_token_user(key)
        if found is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        user, token = found
        if not user.is_system_account:
            raise exceptions.AuthenticationFailed(
                "API tokens are issued to agency system accounts only"
            )
        if user.team is None:
            raise exceptions.AuthenticationFailed("This system account belongs to no agency")
        return user, token
