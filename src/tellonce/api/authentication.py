"""API tokens belong to agency system accounts; a token can do what its agency may."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


class AgencyTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if not user.is_system_account:
            raise exceptions.AuthenticationFailed(
                "API tokens are issued to agency system accounts only"
            )
        if user.team is None:
            raise exceptions.AuthenticationFailed("This system account belongs to no agency")
        return user, token
