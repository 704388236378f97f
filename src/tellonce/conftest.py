"""Shared fixtures: the test world of named people (see tellonce.testing.world)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tellonce.accounts.models import User
from tellonce.testing.world import World, build_world


@pytest.fixture(autouse=True)
def no_rates_counted() -> None:
    """Rate limits count in the cache: every test starts with nothing counted."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def audit_checkpoints_apart(settings: Any, tmp_path: Path) -> Path:
    """Each test writes the audit chain's checkpoints to a file of its own."""
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"
    return settings.AUDIT_CHECKPOINT_FILE


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def committed_world(transactional_db: None) -> World:
    """The world, committed: for tests where two connections race (`testing.races`)."""
    return build_world()


def sign_in_fully(client: Client, user: User) -> Client:
    """Sign `user` in past two-factor, as if they had entered their TOTP code."""
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="Authenticator app", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def signed_in(client: Client) -> Callable[[User], Client]:
    """`signed_in(world.sam)`: the test client, signed in as Sam past two-factor."""
    return lambda user: sign_in_fully(client, user)
