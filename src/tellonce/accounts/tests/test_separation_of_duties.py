"""Separation of duties (issue 12): an administrator manages accounts but cannot make
anyone, least of all themself, a superuser, a caseworker or a reader of records alone;
tokens and second-factor secrets are never shown, and tokens expire and are revoked."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tellonce.accounts.models import AccountChange, AccountChangeKind, ApiToken, UserRole
from tellonce.accounts.services import (
    account_change_decide,
    account_change_request,
    administrator_grant,
    api_token_issue,
)
from tellonce.alerts.models import Alert, AlertKind
from tellonce.audit.models import Action, AuditEvent
from tellonce.audit.services import COMMAND_LINE
from tellonce.organisations.models import Role
from tellonce.testing.world import practitioner_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins(world):
    administrator_grant(user=world.adam)
    bea = practitioner_make("bea", "Bea", "Kaur", world.adam.team, Role.ADMINISTRATOR)
    administrator_grant(user=bea)
    return world.adam, bea


def test_the_administrator_cannot_become_a_superuser_or_a_caseworker(world, admins, signed_in):
    adam, _ = admins
    client = signed_in(adam)
    url = f"/admin/accounts/user/{adam.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "is_superuser" not in form.fields and "team" not in form.fields
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update(
        {
            "is_superuser": "on",
            "is_staff": "on",
            "roles-TOTAL_FORMS": "1",
            "roles-INITIAL_FORMS": "0",
            "roles-0-role": Role.MASH_SOCIAL_WORKER,
            "roles-0-user": adam.pk,
        }
    )
    client.post(url, data)
    adam.refresh_from_db()
    assert not adam.is_superuser
    assert not UserRole.objects.filter(user=adam, role=Role.MASH_SOCIAL_WORKER).exists()
    assert client.get(f"/people/{world.jack.pk}/").status_code == 404


def test_a_widening_change_needs_a_second_administrator(world, admins):
    adam, bea = admins
    change = account_change_request(
        by=adam,
        user=adam,
        kind=AccountChangeKind.ADD_ROLE,
        value=Role.MASH_SOCIAL_WORKER,
        reason="Covering the MASH rota in December",
        via=COMMAND_LINE,
    )
    told = Alert.objects.filter(kind=AlertKind.ACCOUNT_CHANGE)
    assert {a.user for a in told} == {adam, bea}
    # Neither the one who asked nor the account's holder decides.
    with pytest.raises(PermissionDenied):
        account_change_decide(by=adam, change=change, approve=True, via=COMMAND_LINE)
    # Nor someone who is no administrator.
    with pytest.raises(PermissionDenied):
        account_change_decide(by=world.maria, change=change, approve=True, via=COMMAND_LINE)
    account_change_decide(by=bea, change=change, approve=True, via=COMMAND_LINE)
    assert UserRole.objects.filter(user=adam, role=Role.MASH_SOCIAL_WORKER).exists()
    decided = AuditEvent.objects.filter(action=Action.ADMIN, actor=bea).last()
    assert decided.detail["before"] == {"roles": [Role.ADMINISTRATOR]}
    assert Role.MASH_SOCIAL_WORKER in decided.detail["after"]["roles"]
    assert decided.detail["asked_by"] == "adam"
    assert AccountChange.objects.get().approved is True


def test_tokens_are_kept_as_hashes_shown_once_expire_and_are_revoked(world, admins, signed_in):
    adam, _ = admins
    raw = api_token_issue(user=world.police_system, by=adam, via=COMMAND_LINE)
    assert not ApiToken.objects.filter(key_hash=raw).exists()
    assert ApiToken.objects.filter(key_hash=hashlib.sha256(raw.encode()).hexdigest()).exists()
    police = Client(HTTP_AUTHORIZATION=f"Token {raw}")
    assert police.get("/api/v1/teams/").status_code == 200
    # The old token was revoked by the rotation.
    old = Client(HTTP_AUTHORIZATION=f"Token {world.police_token}")
    assert old.get("/api/v1/teams/").status_code == 401
    # The admin lists tokens by their first characters only.
    listed = signed_in(adam).get("/admin/accounts/apitoken/").content.decode()
    assert raw[:8] in listed and raw not in listed
    with time_machine.travel(timezone.now() + timedelta(days=366), tick=False):
        assert police.get("/api/v1/teams/").status_code == 401
    token = ApiToken.objects.get(prefix=raw[:8])
    from tellonce.accounts.services import api_token_revoke

    api_token_revoke(token=token, by=adam, via=COMMAND_LINE)
    assert police.get("/api/v1/teams/").status_code == 401
    assert AuditEvent.objects.filter(detail__change="API token revoked").exists()
    with pytest.raises(PermissionDenied):
        api_token_issue(user=world.sam, by=adam, via=COMMAND_LINE)


def test_the_admin_never_shows_a_second_factors_secret(world, admins, signed_in):
    adam, _ = admins
    device = TOTPDevice.objects.create(user=world.sam, name="Authenticator app", confirmed=True)
    client = signed_in(adam)
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in page and "qrcode" not in page.lower()
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404
