"""Settings for the Billing Portal, read from the environment.

Every variable is listed in `.env.example`. Defaults are safe for production (debug off, secure
cookies); `make demo` and `make test` set the few variables a laptop needs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-dev-key-change-me" if DEBUG else None)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

# Key for the encrypted SSN column; a Fernet key (base64, 32 bytes). Derived from SECRET_KEY when unset.
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "django_tables2",
    "django_bootstrap5",
    # Bootstrap's CSS and JS as static files (no CDN): bootstrap/css/bootstrap.min.css.
    "bootstrap",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "axes",
    "csp",
    "accounts",
    "clients",
    "coverage",
    "diagnosis",
    "services",
    "nightly",
    "reports",
    "imports",
    "pages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: static files keep their caching; everything else is no-store.
    "accounts.middleware.NoStoreMiddleware",
    # Content-Security-Policy (CONTENT_SECURITY_POLICY below) on every page and answer.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Records the acting user and URL on every audit row written during the request.
    "pghistory.middleware.HistoryMiddleware",
    # Last, as django-axes asks: it turns lockouts raised by the backend into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "billing_portal.urls"
WSGI_APPLICATION = "billing_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database connections. Under gunicorn (the Dockerfile) each worker thread keeps its connection for
# DATABASE_CONN_MAX_AGE seconds, checked before reuse (CONN_HEALTH_CHECKS), so the web container
# holds at most workers x threads of them (README, "Database connections"). `manage.py runserver`
# (`make demo`) runs every request in a new thread: a kept connection would outlive its thread and
# pile up until PostgreSQL refuses new clients, so there each request closes its own.
RUNSERVER = len(sys.argv) > 1 and sys.argv[1] == "runserver"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/billing_portal"),
        conn_max_age=0 if RUNSERVER else env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# PostgreSQL's JIT compiler is off for the portal's connections: on the nightly run's statements and
# the reports over a million services it spent more time compiling (seconds per statement, seen in
# EXPLAIN ANALYZE) than it saved, because their cost estimates are high but their real work is short.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # A username longer than any user's is a 400 once ModelBackend found no such user, before axes
    # records the failure in a column too short for it. After ModelBackend: `force_login` and
    # `login()` take the first backend that can load a user, which must be ModelBackend.
    "accounts.backends.UsernameLengthBackend",
    "accounts.backends.RolePermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # SmartCare's rule, which staff know: an uppercase letter and a number.
    {"NAME": "accounts.password_validation.UppercaseAndDigitValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock an account (username + address) for 30 minutes after 5 failed logins.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# API tokens (accounts/tokens.py) end after this long without a request, and this long after sign-in
# whatever the use: a working day's script keeps its token, a forgotten one does not open records.
API_TOKEN_IDLE_SECONDS = env_int("API_TOKEN_IDLE_SECONDS", 8 * 60 * 60)
API_TOKEN_MAX_AGE_SECONDS = env_int("API_TOKEN_MAX_AGE_SECONDS", 24 * 60 * 60)

# Database sessions whose cookie must look like a key Django issued (accounts/sessions.py).
SESSION_ENGINE = "accounts.sessions"
# Sessions end after 30 minutes without a request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# Secure cookies unless explicitly served over plain http on a laptop (`make demo`, the tests).
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = 0 if DEBUG else 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-us"
# The county's time zone: a date of service and every calendar period are read in it.
TIME_ZONE = env_str("TIME_ZONE", "America/Los_Angeles")
USE_I18N = False
# MM/DD/YYYY on every page (billing_portal/formats/en/formats.py).
FORMAT_MODULE_PATH = ["billing_portal.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".local" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names need `collectstatic` first (the Dockerfile runs it and sets this).
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("DJANGO_STATIC_MANIFEST", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve from the finders too, so `runserver` and tests need no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Content-Security-Policy (django-csp): scripts and styles from this site's own files only, no inline
# <script>, <style>, style="..." or on...= handlers (templates use classes of static/css/portal.css);
# images also as data: URLs (the empty favicon, Bootstrap's and Swagger UI's icons). The API docs page
# serves its start-up script as a file too (SpectacularSwaggerSplitView), so it needs no exception.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# django-bootstrap5 renders forms only; its CDN links are replaced by the packaged static files.
BOOTSTRAP5 = {
    # A valid field keeps its plain look: only the rejected ones are marked (red, with their message).
    "success_css_class": "",
    "css_url": {"url": STATIC_URL + "bootstrap/css/bootstrap.min.css"},
    "javascript_url": {"url": STATIC_URL + "bootstrap/js/bootstrap.bundle.min.js"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's token authentication with expiry and revocation (accounts/tokens.py).
        "accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "common.rest.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DATE_INPUT_FORMATS": ["%Y-%m-%d"],
    # Dates go out as DRF's default ISO 8601 (YYYY-MM-DD): strftime's "%Y" drops a year's leading zeros.
    "COERCE_DECIMAL_TO_STRING": True,
    "EXCEPTION_HANDLER": "common.rest.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Billing Portal API",
    "DESCRIPTION": "Clients, coverage, diagnoses, services and the nightly billing validation.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Staff credentials and a procedure's allowed credentials are the same choice set.
    "ENUM_NAME_OVERRIDES": {
        "CredentialEnum": "clients.models.Staff.Credential",
        # /api/services/ is served by nightly.api.CheckedServiceSerializer (with `check`) while some
        # actions still name services.api.ServiceSerializer: one choice set, one name.
        "ServiceStatusEnum": "services.models.Service.Status",
    },
    # The error answers of API.md (400/401/403/404/409) are documented on every operation.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.rest.document_error_responses",
    ],
}

# No broker configured: tasks run in-process (the demo); otherwise Redis.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A chunk is re-delivered if its worker dies mid-way; chunks are idempotent, so that is safe.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 60 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 55 * 60)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Redis re-delivers a task whose worker died once this many seconds passed unacknowledged; longer
# than any chunk may run (the hard time limit), so a slow chunk is never delivered twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 2 * 60 * 60)}
# The nightly validation at 01:00 county time: the day's services and notes are in (staff sign
# notes up to midnight), the county's billing staff find the results in the morning, and 01:00 is
# clear of the 02:00 hour that daylight saving skips. On the night 01:00 repeats, the second start
# is refused by the one-active-run lock or revalidates what is still in Show (nothing twice).
CELERY_BEAT_SCHEDULE = {
    "nightly-validation": {"task": "nightly.run_nightly", "schedule": crontab(hour=1, minute=0)},
}
# Candidates per chunk of the nightly run (one task, one transaction each). Bounded so that a
# chunk's sorts and hashes stay within work_mem and several workers can share a run; at 1,000,000
# services the 38 chunks of 20,000 take 1.06x the one-statement floor (see nightly/bench.py).
NIGHTLY_CHUNK_SERVICES = env_int("NIGHTLY_CHUNK_SERVICES", 20_000)
# Seconds without a heartbeat after which a queued or running run counts as abandoned (its worker
# died): the next start marks it failed. Workers beat every fifth of it while a chunk works, so it
# only needs to exceed a few missed beats, not the longest chunk.
NIGHTLY_HEARTBEAT_TIMEOUT = env_int("NIGHTLY_HEARTBEAT_TIMEOUT", 300)

# Correction due date when no deadline row of the county covers a month of service:
# the end of the month of service plus this many days.
CORRECTION_DAYS_AFTER_MONTH = env_int("CORRECTION_DAYS_AFTER_MONTH", 30)

# Whether "Note signed" starts ticked on a new service. Off by default: staff tick it for each service
# whose note is signed. A county whose EHR only lets signed notes reach billing turns it on.
NOTE_SIGNED_DEFAULT = env_bool("NOTE_SIGNED_DEFAULT", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request logs carry URLs only; URLs never hold client data (ids only).
        "django.request": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
        # django-axes announces itself at INFO in every process and command; lockouts are warnings.
        "axes": {"level": "WARNING"},
    },
}

# Imports (imports/): a file past these limits is refused with a message naming the limit. The
# uncompressed limit guards against an .xlsx zip bomb (checked in the zip's directory before opening).
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 400 * 1024 * 1024)
# Files with more data rows than this go to the Celery worker when a broker is configured.
IMPORT_ASYNC_ROWS = env_int("IMPORT_ASYNC_ROWS", 2_000)
