"""Sign-ins, failed sign-ins and sign-outs go to the audit log. The password alone is
`PASSWORD_ACCEPTED`; `SIGN_IN` is recorded once the second factor is given too
(`sign_in_completed`), or at once for a demo account that needs none."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from tellonce.audit.models import Action
from tellonce.audit.services import audit_record, client_ip, request_channel


@receiver(user_logged_in)
def audit_sign_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    from tellonce.accounts.services import user_needs_second_factor

    # The session's absolute lifetime counts from here (`SessionLifetimeMiddleware`).
    request.session["signed_in_at"] = timezone.now().isoformat()
    audit_record(
        actor=user,
        action=Action.PASSWORD_ACCEPTED if user_needs_second_factor(user) else Action.SIGN_IN,
        channel=request_channel(request),
        ip_address=client_ip(request),
    )


def sign_in_completed(request: HttpRequest, user: Any) -> None:
    """The second factor is given: the user is signed in."""
    audit_record(
        actor=user,
        action=Action.SIGN_IN,
        channel=request_channel(request),
        ip_address=client_ip(request),
        detail={"second_factor": "totp"},
    )


@receiver(user_logged_out)
def audit_sign_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(
            actor=user,
            action=Action.SIGN_OUT,
            channel=request_channel(request),
            ip_address=client_ip(request),
        )


@receiver(user_login_failed)
def audit_sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    audit_record(
        actor=None,
        actor_label="unknown",
        action=Action.SIGN_IN_FAILED,
        channel=request_channel(request) if request else "web",
        ip_address=client_ip(request) if request else None,
        detail={
            "username": str(credentials.get("username", ""))[:150],
            **({"stage": str(credentials["stage"])} if credentials.get("stage") else {}),
        },
    )
