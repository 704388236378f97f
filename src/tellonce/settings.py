"""TellOnce settings: one module, driven by environment variables only.

`TELLONCE_ENV` says where we run: `production` (the default, strict), `demo` (the
synthetic borough on one machine), `development` or `test`. In production a missing or
bad value stops start-up with `ImproperlyConfigured` naming it; elsewhere safe local
defaults apply (SQLite under `var/`, a generated secret key and email to files under
`var/`; tests use a fixed key and in-memory email).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE as CSP_NONCE
from django.core.exceptions import ImproperlyConfigured

from tellonce.env import (
    env_bool,
    env_choice,
    env_clock_time,
    env_hours_by_rag,
    env_int,
    env_list,
    env_rate,
    env_required,
    env_str,
)

TELLONCE_ENV = env_choice(
    "TELLONCE_ENV", ["production", "demo", "development", "test"], default="production"
)
PRODUCTION = TELLONCE_ENV == "production"
DEBUG = env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must not be on when TELLONCE_ENV is production.")

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("TELLONCE_VAR_DIR") or Path.cwd() / "var").resolve()


def _local_secret_key(name: str = "secret_key") -> str:
    """A per-machine key kept under var/, so demo sessions (and the audit chain's key)
    survive restarts."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


if PRODUCTION:
    SECRET_KEY = env_required("SECRET_KEY", "in production (50 or more random characters)")
    AUDIT_KEY = env_required(
        "AUDIT_KEY", "in production (32 or more random characters, kept out of the database)"
    )
    if len(AUDIT_KEY) < 32:
        raise ImproperlyConfigured("AUDIT_KEY must be at least 32 characters long.")
    WEBHOOK_KEY = env_required(
        "WEBHOOK_KEY", "in production (32 or more random characters, kept out of the database)"
    )
    if len(WEBHOOK_KEY) < 32:
        raise ImproperlyConfigured("WEBHOOK_KEY must be at least 32 characters long.")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long.")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must be set in production (comma-separated host names)."
        )
    _database_url = env_required("DATABASE_URL", "in production (postgres://…)")
elif TELLONCE_ENV == "test":
    SECRET_KEY = env_str("SECRET_KEY") or "test-only-key-" + "x" * 50
    AUDIT_KEY = env_str("AUDIT_KEY") or "test-only-audit-key-" + "x" * 32
    WEBHOOK_KEY = env_str("WEBHOOK_KEY") or "test-only-webhook-key-" + "x" * 32
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "testserver"])
    _database_url = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'test.sqlite3'}"
else:
    SECRET_KEY = env_str("SECRET_KEY") or _local_secret_key()
    AUDIT_KEY = env_str("AUDIT_KEY") or _local_secret_key("audit_key")
    WEBHOOK_KEY = env_str("WEBHOOK_KEY") or _local_secret_key("webhook_key")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
    _database_url = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tellonce.sqlite3'}"

try:
    _database = dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL we understand: {exc}") from exc
if _database["ENGINE"] not in (
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
):
    raise ImproperlyConfigured("DATABASE_URL must name a sqlite:// or postgres:// database.")
if _database["ENGINE"] == "django.db.backends.sqlite3":
    Path(_database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _database["CONN_MAX_AGE"] = 0
    _database["OPTIONS"] = {
        # WAL lets the web server and the task worker read while the other writes;
        # IMMEDIATE takes the write lock at BEGIN, so writers queue instead of failing.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
if _database["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: TellOnce's queries are short, and PostgreSQL compiling one the
    # planner guesses is costly took 240 ms of a 10 ms home page on the demo borough.
    options = _database.setdefault("OPTIONS", {})
    options["options"] = " ".join(filter(None, [options.get("options", ""), "-c jit=off"]))
if PRODUCTION and _database["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must be a postgres:// URL in production.")
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "tellonce.core",
    "tellonce.audit",
    "tellonce.organisations",
    "tellonce.accounts",
    "tellonce.people",
    "tellonce.involvements",
    "tellonce.alerts",
    "tellonce.cpis",
    "tellonce.chronology",
    "tellonce.voices",
    "tellonce.mash",
    "tellonce.missing",
    "tellonce.encompass",
    "tellonce.earlyhelp",
    "tellonce.feeds",
    "tellonce.access",
    "tellonce.record",
    "tellonce.home",
    "tellonce.linkage",
    "tellonce.borough",
    "tellonce.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tellonce.core.middleware.PrivacyHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tellonce.accounts.middleware.SessionLifetimeMiddleware",
    "tellonce.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "tellonce.core.limits.RateLimitMiddleware",
]

ROOT_URLCONF = "tellonce.urls"
WSGI_APPLICATION = "tellonce.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tellonce.core.context_processors.service",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lock an account out after repeated failures (django-axes).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
# Lock an account from the address the failures come from: a stranger elsewhere cannot
# lock a worker out at will, and a whole MASH office signing in from one address is not
# locked together. Guessing from one address across accounts is a rate limit
# (RATE_SIGN_IN_ADDRESS). Wrong second-factor codes count too.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "tellonce.audit.services.client_ip"
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Rate limits (django-ratelimit, counted in the shared cache below), "N/s|m|h|d": a
# search or a match per user or system account, breaking the glass per user, signing in
# per address and across every account. Beyond them: a 429, a JSON error on the API
# and a page on the web.
RATE_SEARCH = env_rate("RATE_SEARCH", "30/m")
RATE_MATCH = env_rate("RATE_MATCH", "120/m")
RATE_BREAK_GLASS = env_rate("RATE_BREAK_GLASS", "3/h")
RATE_SIGN_IN_ADDRESS = env_rate("RATE_SIGN_IN_ADDRESS", "30/h")
RATE_SIGN_IN_ALL = env_rate("RATE_SIGN_IN_ALL", "600/h")
# The counts must be shared by every web worker: a table in the database, so no other
# service is needed (created by core's migration). Tests count in memory.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "tellonce_cache",
    }
}
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = "tellonce.audit.services.client_ip"

# Two-factor is set up only through an administrator's one-time invitation, valid for
# this many hours; a session lasts at most this many hours, however active.
ENROLMENT_INVITATION_HOURS = env_int("ENROLMENT_INVITATION_HOURS", 72, minimum=1)
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12, minimum=1)
# Agency systems' API tokens expire this many days after they are issued.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 365, minimum=1)

# Sessions end after inactivity: activity pushes the expiry forward, written at most once a
# minute (`accounts.middleware.SessionLifetimeMiddleware`), so idle means 30 to 31 minutes.
SESSION_COOKIE_AGE = 60 * env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_REFRESH_SECONDS = 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Over HTTPS (always in production) cookies are secure and HSTS is sent.
HTTPS = env_bool("HTTPS", PRODUCTION)
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Behind a reverse proxy that overwrites X-Forwarded-For and X-Forwarded-Proto, trust
# them: audit the client address it gives, and know the request came over HTTPS.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", CSP_NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False

# Email: SMTP in production (EMAIL_HOST required); files under var/mail elsewhere.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "TellOnce <tellonce@localhost>"
if PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_required("EMAIL_HOST", "in production (the SMTP relay)")
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER") or ""
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD") or ""
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    if not env_str("DEFAULT_FROM_EMAIL"):
        raise ImproperlyConfigured("DEFAULT_FROM_EMAIL must be set in production.")
elif TELLONCE_ENV == "test":
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
else:
    # Another backend may be named outside production (the worker crash test's slow one).
    EMAIL_BACKEND = env_str("EMAIL_BACKEND") or "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

#: Where the people an email points to sign in (no trailing slash).
SITE_URL = (
    env_required("SITE_URL", "in production (the address emails point people to)")
    if PRODUCTION
    else env_str("SITE_URL") or "http://127.0.0.1:8000"
).rstrip("/")
#: The domain part of the Message-ID of alert emails (the same id on every attempt).
EMAIL_MESSAGE_ID_DOMAIN = env_str("EMAIL_MESSAGE_ID_DOMAIN") or "tellonce.localhost"
#: How long a worker holds an alert delivery before another may take it over.
ALERT_DELIVERY_LEASE_SECONDS = env_int("ALERT_DELIVERY_LEASE_SECONDS", 60, minimum=1)
# Webhooks (tellonce.alerts): each new alert for an agency system's team, POSTed to the
# URL it registered, signed with a secret derived from WEBHOOK_KEY (above). https only,
# except http to this machine (127.0.0.1, localhost, ::1) where this allows it.
WEBHOOK_ALLOW_LOOPBACK_HTTP = env_bool("WEBHOOK_ALLOW_LOOPBACK_HTTP", not PRODUCTION)
if PRODUCTION and WEBHOOK_ALLOW_LOOPBACK_HTTP:
    raise ImproperlyConfigured("WEBHOOK_ALLOW_LOOPBACK_HTTP must not be on in production.")
#: How long TellOnce waits for a receiver to answer before it tries again later.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1)
#: How many times a webhook delivery is tried, with a growing delay, before it fails.
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 10, minimum=1)

# The largest request body TellOnce reads (bytes): a police system's morning batch of
# 10,000 Operation Encompass incidents is about 4 MB of JSON.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int(
    "DATA_UPLOAD_MAX_MEMORY_SIZE", 16 * 1024 * 1024, minimum=1024 * 1024
)

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TELLONCE_ENV == "test"
            else "django_tasks_db.DatabaseBackend"
        ),
        # "linkage": long linkage runs; "alerts_email": alerts' emails, which may be
        # slow; "webhooks": alerts POSTed to agency systems, whose receivers may be slow
        # or down; each with a worker of its own (see `serve`).
        "QUEUES": ["default", "alerts_email", "webhooks", "linkage"],
    }
}
# The task workers `tellonce serve` starts and keeps running: each its name and queues.
TASK_WORKERS = {
    "worker": ["default"],
    "email worker": ["alerts_email"],
    "webhook worker": ["webhooks"],
    "linkage worker": ["linkage"],
}
# Each worker renews its lease this often; a task whose worker's lease has run out is
# run again, by another worker (tellonce.core.task_lease), at most this many times.
TASK_HEARTBEAT_SECONDS = env_int("TASK_HEARTBEAT_SECONDS", 5, minimum=1)
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 60, minimum=2)
if TASK_LEASE_SECONDS <= 2 * TASK_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "TASK_LEASE_SECONDS must be more than twice TASK_HEARTBEAT_SECONDS, or live"
        " workers would lose their tasks."
    )
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 5, minimum=1)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tellonce.accounts.authentication.AgencyTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["tellonce.api.parsers.CheckedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tellonce.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
# How deeply an API request's JSON may nest: deeper is refused at the edge.
API_MAX_DEPTH = env_int("API_MAX_DEPTH", 32, minimum=4)
SPECTACULAR_SETTINGS = {
    "TITLE": "TellOnce API",
    "DESCRIPTION": (
        "The API of a local safeguarding partnership. Agency systems call it with their"
        " system account's token (`Authorization: Token …`) and see only what their"
        " agency may see; signed-in practitioners may call it with their session. The"
        " same need-to-know rules apply as on the pages, and every look at a person's"
        " record is audited. Text anywhere in a body is Unicode without NUL characters"
        " or lone surrogates; a rule the schema cannot state (one field against"
        " another) is listed in the operation's `x-refused-when`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation's error answers, in the one error format (tellonce.api.schema).
    # One name for the sex codes wherever they appear (otherwise "Sex2b4Enum").
    "ENUM_NAME_OVERRIDES": {"Sex": "tellonce.people.models.Sex"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tellonce.api.schema.error_answers",
        "tellonce.api.schema.strict_bodies",
        "tellonce.api.schema.blank_text_plain",
    ],
}

# Where `tellonce import` looks for an agency's mapping (`<CODE>.yaml`) when no
# mapping sits beside the feed file.
FEED_MAPPINGS_DIR = Path(env_str("FEED_MAPPINGS_DIR") or VAR_DIR / "mappings")
# A running import beats its heart (its counts) with every batch, well under a second
# apart; one silent for three times this many seconds was stopped (killed, or its machine
# lost) and is marked stopped part way (tellonce.feeds.services.mark_stopped_imports).
FEED_HEARTBEAT_SECONDS = env_int("FEED_HEARTBEAT_SECONDS", 30, minimum=1)

# How long a break-glass grant lasts, and how long access outlives an ended involvement.
BREAK_GLASS_HOURS = env_int("BREAK_GLASS_HOURS", 4, minimum=1)
INVOLVEMENT_ACCESS_GRACE_DAYS = env_int("INVOLVEMENT_ACCESS_GRACE_DAYS", 30)
# An involvement a practitioner records waits for confirmation (by a manager of their
# team, the child's lead professional or a MASH manager) before it opens the record,
# and lapses after this many days unconfirmed; it may start at most this many days ago
# (an agency's own system of record may say any date).
INVOLVEMENT_CONFIRM_DAYS = env_int("INVOLVEMENT_CONFIRM_DAYS", 5, minimum=1)
INVOLVEMENT_BACKDATE_DAYS = env_int("INVOLVEMENT_BACKDATE_DAYS", 90, minimum=0)
# An agency system that opens more involvements than this in an hour is held back: what
# it opens next waits for a person to confirm, and the administrators are told.
SYSTEM_INVOLVEMENTS_PER_HOUR = env_int("SYSTEM_INVOLVEMENTS_PER_HOUR", 60, minimum=1)

# The MASH (tellonce.mash). Deadlines for requests for information, in working hours
# (09:00-17:00 on working days), by the case's rating: when an answer is due, and how
# much later an unanswered request is escalated to the agency's managers.
MASH_RFI_DUE_HOURS = env_hours_by_rag("MASH_RFI_DUE_HOURS", "red=4,amber=8,green=24")
MASH_RFI_ESCALATE_HOURS = env_hours_by_rag("MASH_RFI_ESCALATE_HOURS", "red=2,amber=4,green=8")
# A second contact about a child whose MASH case opened within this many days joins it.
MASH_DUPLICATE_DAYS = env_int("MASH_DUPLICATE_DAYS", 5, minimum=0)
# People who share a current address where no agency says they live together are a
# possible household (decision 0010), shown as such; alerts follow it only on this
# evidence: "uprn" (the same property reference), "address" (the same UPRN, or the same
# first line and postcode), or "none". Never at a multi-occupancy address, nor where
# more than POSSIBLE_HOUSEHOLD_AT_MOST people live.
POSSIBLE_HOUSEHOLD_ALERTS = env_choice(
    "POSSIBLE_HOUSEHOLD_ALERTS", ["uprn", "address", "none"], "uprn"
)
POSSIBLE_HOUSEHOLD_AT_MOST = env_int("POSSIBLE_HOUSEHOLD_AT_MOST", 8, minimum=2)

# The worker's clock (tellonce.core.tasks.clock): how often it runs (minutes), and the
# ticks it runs each time, each finding deadlines passed and following them up once.
CLOCK_MINUTES = env_int("CLOCK_MINUTES", 5, minimum=1)
CLOCK_TICKS = [
    "tellonce.involvements.services.involvements_clock_tick",
    "tellonce.mash.services.mash_clock_tick",
    "tellonce.missing.services.missing_clock_tick",
    "tellonce.encompass.services.encompass_clock_tick",
    "tellonce.earlyhelp.services.early_help_clock_tick",
    "tellonce.linkage.tasks.unlinked_records_tick",
    "tellonce.core.tasks.finished_tasks_prune",
    "tellonce.feeds.services.feed_imports_clock_tick",
    "tellonce.audit.checkpoints.audit_clock_tick",
]
# The audit log (tellonce.audit): each entry carries an HMAC keyed with AUDIT_KEY (above,
# never stored in the database), and the chain's head is written, signed, outside the
# database: to this append-only file every AUDIT_CHECKPOINT_ENTRIES entries, on each
# clock round that finds new entries and on `tellonce audit checkpoint`; also to syslog
# when AUDIT_CHECKPOINT_SYSLOG names "host:port" (UDP) or a socket such as /dev/log.
AUDIT_CHECKPOINT_FILE = Path(
    env_str("AUDIT_CHECKPOINT_FILE") or VAR_DIR / "audit-checkpoints.jsonl"
)
AUDIT_CHECKPOINT_ENTRIES = env_int("AUDIT_CHECKPOINT_ENTRIES", 1000, minimum=1)
AUDIT_CHECKPOINT_SYSLOG = env_str("AUDIT_CHECKPOINT_SYSLOG") or ""
# Hooks (tellonce.core.hooks): what `tellonce serve` books before its workers start
# (each may return a line for the operator) ...
ON_SERVE = [
    "tellonce.alerts.tasks.alerts_deliver_ensure",
    "tellonce.core.tasks.clock_ensure",
    "tellonce.linkage.tasks.nightly_link_booked",
    "tellonce.feeds.services.stopped_imports_said",
]
# ... who is told when an import lands new agency records (after its transaction) ...
RECORDS_LANDED = ["tellonce.linkage.tasks.feed_records_link_soon"]
# ... when an account's powers are asked to change, or change (administrators are told) ...
ACCOUNT_CHANGED = ["tellonce.alerts.services.account_change_told"]
# ... and when an involvement starts or ends (in its transaction).
INVOLVEMENT_CHANGED = [
    "tellonce.chronology.services.involvement_entries_write",
    "tellonce.earlyhelp.services.no_lead_check",
]

# Missing children (tellonce.missing): how long the police have to acknowledge a
# missing child before their MASH supervisor is told (minutes, around the clock); when
# a return home interview is due after the child's return, and how long before that
# deadline an interview not yet done is escalated (hours).
MISSING_POLICE_ACK_MINUTES = env_int("MISSING_POLICE_ACK_MINUTES", 60, minimum=1)
RHI_DUE_HOURS = env_int("RHI_DUE_HOURS", 72, minimum=1)
RHI_WARN_HOURS = env_int("RHI_WARN_HOURS", 24, minimum=1)
# Operation Encompass (tellonce.encompass): when the school day starts (HH:MM, UK
# time): a school's safeguarding lead is told before then on the next school day.
ENCOMPASS_SCHOOL_DAY_STARTS = env_clock_time("ENCOMPASS_SCHOOL_DAY_STARTS", "08:30")
# Early help (tellonce.earlyhelp): how many working days an episode may wait for its
# lead professional to accept before the early help service's managers are asked to
# broker one (the partnership's measure: a lead within 5 working days).
EARLY_HELP_LEAD_WORKING_DAYS = env_int("EARLY_HELP_LEAD_WORKING_DAYS", 5, minimum=1)
# When two or more agencies work with a child and none leads (nor social care), the
# teams are told at once, and after this many working days the early help service's
# managers are asked to broker a lead.
EARLY_HELP_BROKER_WORKING_DAYS = env_int("EARLY_HELP_BROKER_WORKING_DAYS", 10, minimum=1)
EARLY_HELP_NO_LEAD_AGENCIES = env_int("EARLY_HELP_NO_LEAD_AGENCIES", 2, minimum=2)

# Demo accounts sign in without a second factor only in the demo and in tests:
# their password is published.
ALLOW_DEMO_ACCOUNTS = TELLONCE_ENV in ("demo", "test")
SERVICE_NAME = env_str("SERVICE_NAME") or "TellOnce"
PARTNERSHIP_NAME = env_str("PARTNERSHIP_NAME") or "Northbrook Safeguarding Children Partnership"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", ["debug", "info", "warning", "error"], "info").upper(),
    },
    "loggers": {
        "axes": {"level": "WARNING"},
        # Splink narrates every step at INFO; our commands say what matters.
        "splink": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}
