"""Signing in: password, then a TOTP code; lockout; timeouts; security headers."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tellonce.audit.models import Action, AuditEvent
from tellonce.testing.world import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(client, username, password=PASSWORD):
    return client.post(reverse("accounts:sign-in"), {"username": username, "password": password})


def _code(device: TOTPDevice) -> str:
    return str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)).zfill(6)


def test_sam_sets_up_two_factor_on_first_sign_in(world, client):
    response = _sign_in(client, "sam")
    assert response["Location"] == reverse("accounts:two-factor-set-up")
    page = client.get(response["Location"]).content.decode()
    assert "Set up two-factor authentication" in page and "<svg" in page
    device = TOTPDevice.objects.get(user=world.sam, confirmed=False)
    response = client.post(reverse("accounts:two-factor-set-up"), {"token": _code(device)})
    assert response["Location"] == reverse("home:home")
    assert client.get(reverse("home:home")).status_code == 200


def test_until_the_code_is_given_sam_reaches_nothing(world, client):
    _sign_in(client, "sam")
    response = client.get(reverse("people:record", args=[world.amir.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:two-factor-set-up")
    api = client.get(f"/api/v1/people/{world.amir.pk}/")
    assert api.status_code == 403


def test_a_wrong_code_is_refused_with_a_clear_message(world, client):
    device = TOTPDevice.objects.create(user=world.sam, name="app", confirmed=True)
    response = _sign_in(client, "sam")
    assert response["Location"].startswith(reverse("accounts:two-factor"))
    bad = str((int(_code(device)) + 1) % 1_000_000).zfill(6)
    page = client.post(reverse("accounts:two-factor"), {"token": bad}).content.decode()
    assert "The security code is wrong or has expired" in page
    page = client.post(reverse("accounts:two-factor"), {"token": _code(device)}).content.decode()
    assert "Too many wrong codes. Wait a few seconds" in page
    time.sleep(1.1)  # django-otp's throttle after one failure
    good = client.post(reverse("accounts:two-factor"), {"token": _code(device)})
    assert good["Location"] == reverse("home:home")


def test_demo_accounts_skip_two_factor_only_where_demo_accounts_are_allowed(
    world, client, settings
):
    world.sam.is_demo_account = True
    world.sam.save()
    assert _sign_in(client, "sam")["Location"] == reverse("home:home")
    settings.ALLOW_DEMO_ACCOUNTS = False
    other = Client()
    assert _sign_in(other, "sam")["Location"] == reverse("accounts:two-factor-set-up")


def test_a_wrong_password_is_explained_and_audited(world, client):
    page = _sign_in(client, "sam", "wrong password").content.decode()
    assert "Enter a correct username and password" in page
    assert AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED).count() == 1


def test_five_failures_lock_the_account(world, client):
    for _ in range(5):
        _sign_in(client, "sam", "wrong password")
    response = _sign_in(client, "sam")  # even the right password
    assert response.status_code == 429
    assert "Your account is locked" in response.content.decode()


def test_system_accounts_cannot_sign_in_to_the_web(world, client):
    world.police_system.set_password(PASSWORD)
    world.police_system.save()
    page = _sign_in(client, "police-system").content.decode()
    assert "System accounts use the API with a token" in page


def test_sign_in_and_out_are_audited(world, client):
    world.sam.is_demo_account = True
    world.sam.save()
    _sign_in(client, "sam")
    client.post(reverse("accounts:sign-out"))
    actions = list(AuditEvent.objects.filter(actor=world.sam).values_list("action", flat=True))
    assert actions == [Action.SIGN_IN, Action.SIGN_OUT]


def test_sessions_end_after_thirty_idle_minutes(world, signed_in, settings):
    client = signed_in(world.sam)
    client.get(reverse("home:home"))
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST  # each request restarts the idle clock
    assert client.session.get_expiry_age() == 30 * 60


def test_pages_carry_a_content_security_policy_and_refuse_framing(world, signed_in):
    response = signed_in(world.sam).get(reverse("home:home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "'nonce-" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()


def test_forms_need_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:sign-in"), {"username": "sam", "password": PASSWORD})
    assert response.status_code == 403


def test_an_administrator_manages_teams_but_never_sees_people(world, signed_in):
    from tellonce.accounts.services import administrator_grant

    administrator_grant(user=world.adam)
    client = signed_in(world.adam)
    index = client.get("/admin/").content.decode()
    assert "Teams" in index and "Users" in index
    assert "Person" not in index
    assert client.get("/admin/organisations/team/add/").status_code == 200
    assert client.get(f"/admin/organisations/team/{world.mash.pk}/delete/").status_code == 403
