"""Settings come from the environment; a bad production value stops start-up by name."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

GOOD = {
    "TELLONCE_ENV": "production",
    "SECRET_KEY": "k" * 60,
    "AUDIT_KEY": "a" * 40,
    "WEBHOOK_KEY": "w" * 40,
    "ALLOWED_HOSTS": "tellonce.example",
    "DATABASE_URL": "postgres://u@localhost/tellonce",
    "EMAIL_HOST": "smtp.example",
    "DEFAULT_FROM_EMAIL": "TellOnce <noreply@tellonce.example>",
    "SITE_URL": "https://tellonce.example",
}


def _clean_environment() -> dict[str, str]:
    """This process's environment without the settings under test (or pytest's)."""
    dropped = {*GOOD, "DEBUG", "DJANGO_SETTINGS_MODULE"}
    return {k: v for k, v in os.environ.items() if k not in dropped}


def _load(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = _clean_environment()
    code = (
        "import tellonce.settings as s;"
        " print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_settings_load_with_every_value_given():
    result = _load(GOOD)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "31536000"]


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY must be set"),
        ("AUDIT_KEY", "AUDIT_KEY must be set"),
        ("WEBHOOK_KEY", "WEBHOOK_KEY must be set"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS must be set"),
        ("DATABASE_URL", "DATABASE_URL must be set"),
        ("EMAIL_HOST", "EMAIL_HOST must be set"),
        ("SITE_URL", "SITE_URL must be set"),
    ],
)
def test_a_missing_production_value_is_named(missing, message):
    env = {k: v for k, v in GOOD.items() if k != missing}
    result = _load(env)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SECRET_KEY", "short", "SECRET_KEY must be at least 50 characters"),
        ("AUDIT_KEY", "short", "AUDIT_KEY must be at least 32 characters"),
        ("WEBHOOK_KEY", "short", "WEBHOOK_KEY must be at least 32 characters"),
        (
            "WEBHOOK_ALLOW_LOOPBACK_HTTP",
            "true",
            "WEBHOOK_ALLOW_LOOPBACK_HTTP must not be on in production",
        ),
        ("AUDIT_CHECKPOINT_ENTRIES", "0", "AUDIT_CHECKPOINT_ENTRIES must be at least 1"),
        ("DEBUG", "maybe", "DEBUG must be true or false"),
        ("DEBUG", "true", "DEBUG must not be on"),
        ("DATABASE_URL", "mysql://x@y/z", "DATABASE_URL must name a sqlite:// or postgres://"),
        ("SESSION_IDLE_MINUTES", "soon", "SESSION_IDLE_MINUTES must be a whole number"),
        ("TELLONCE_ENV", "staging", "TELLONCE_ENV must be one of"),
    ],
)
def test_a_bad_value_is_named(name, value, message):
    result = _load({**GOOD, name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_the_tellonce_command_reports_configuration_problems_plainly():
    env = {k: v for k, v in GOOD.items() if k != "SECRET_KEY"}
    clean = _clean_environment()
    result = subprocess.run(
        [sys.executable, "-m", "tellonce.cli", "check"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 78
    assert "tellonce: configuration problem: SECRET_KEY must be set" in result.stderr
    assert "Traceback" not in result.stderr


def test_secrets_can_come_from_files(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("f" * 64)
    env = {k: v for k, v in GOOD.items() if k != "SECRET_KEY"}
    env["SECRET_KEY_FILE"] = str(secret)
    assert _load(env).returncode == 0


def test_the_audit_key_can_come_from_a_file(tmp_path):
    key = tmp_path / "audit_key"
    key.write_text("b" * 40)
    env = {k: v for k, v in GOOD.items() if k != "AUDIT_KEY"}
    env["AUDIT_KEY_FILE"] = str(key)
    assert _load(env).returncode == 0


def test_the_demo_keeps_an_audit_key_of_its_own_under_var(tmp_path):
    env = {"TELLONCE_ENV": "demo", "TELLONCE_VAR_DIR": str(tmp_path)}
    code = "import tellonce.settings as s; print(s.AUDIT_KEY)"
    runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            env={**_clean_environment(), **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.strip()
        for _ in range(2)
    ]
    kept = tmp_path / "audit_key"
    assert runs[0] == runs[1] == kept.read_text().strip()
    assert kept.stat().st_mode & 0o777 == 0o600
    assert runs[0] != (tmp_path / "secret_key").read_text().strip()


def test_production_hashes_passwords_with_argon2():
    import tellonce.settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.django_db
def test_postgresql_sessions_compile_no_query_just_in_time():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("show jit")
        assert cursor.fetchone()[0] == "off"
