"""Settings, all read from the environment.

Defaults are safe for production (DEBUG off, secure cookies, HSTS, SSL redirect); `make run` turns
DEBUG on for local use. Production needs at least SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
"""

import datetime
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for local development)."
        )
    SECRET_KEY = "django-insecure-local-development-only-never-use-in-production"

# Loopback names are always safe to answer; a public host name must be given.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "django_tables2",
    "simple_history",
    "axes",
    "kb",
    "sources",
    "groups",
    "claims",
    "changes",
    "exchange",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that static files carry the header too.
    "kb.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Staff pages (drafts, admin links) are never kept by a shared cache for the public.
    "kb.middleware.PrivateForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]
# Benchmarks only (`make bench`): each response says how many SQL queries it ran and their time
# (kb/querystats.py). Off unless KB_QUERY_STATS=1; never on in production.
if env_bool("KB_QUERY_STATS", False):
    MIDDLEWARE.insert(0, "kb.querystats.QueryStatsMiddleware")

ROOT_URLCONF = "kb.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Django's, with selects and checkboxes rendered in Python (hundreds of options per list page).
FORM_RENDERER = "kb.renderers.Renderer"

WSGI_APPLICATION = "kb.wsgi.application"

# SQLite file by default so that a newcomer needs nothing installed; PostgreSQL in production.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Answers that read many rows, until the data changes (kb.cache): in each worker's memory.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 2000)},
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", "").strip() or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "admin:login"

# Sign-in protection (django-axes; see kb/signin.py). The axes backend comes first so that a
# locked-out sign-in is refused before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 15)
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured("AXES_FAILURE_LIMIT and AXES_COOLOFF_MINUTES must be at least 1.")
AXES_COOLOFF_TIME = datetime.timedelta(minutes=AXES_COOLOFF_MINUTES)
# Each on its own: one address guessing many accounts, and one account guessed from many addresses.
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
# A sign-in forgets only that user's failures from that address (kb.signin.forget_own_failures).
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "kb.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "kb.signin.client_ip"
AXES_VERBOSE = False  # no banner on every manage.py command; lockouts are still logged
# The largest CSV file a publisher may import in the admin (exchange/admin.py), in bytes: the
# preview and the confirmation each import it within one request (GUNICORN_TIMEOUT). Larger
# files go through `manage.py import_csv`, which has no limit.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024)
if IMPORT_MAX_BYTES < 1:
    raise ImproperlyConfigured("IMPORT_MAX_BYTES must be at least 1.")
# Reverse proxies in front of the app that append to X-Forwarded-For; 0: REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 (no proxy) or more.")

# Security: safe by default, relaxed only with DEBUG on.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# Preloading bakes HTTPS-only for the domain and its subdomains into browsers and is slow to undo:
# the operator opts in (SECURE_HSTS_PRELOAD=1) once every subdomain serves HTTPS.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features no page of this site uses, off for it and for anything it embeds (all of them
# known to Chromium, which warns about names it does not know).
PERMISSIONS_POLICY_DISABLED = [
    "accelerometer",
    "autoplay",
    "browsing-topics",
    "camera",
    "clipboard-read",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "gamepad",
    "geolocation",
    "gyroscope",
    "hid",
    "identity-credentials-get",
    "idle-detection",
    "interest-cohort",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "otp-credentials",
    "payment",
    "picture-in-picture",
    "publickey-credentials-create",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "storage-access",
    "usb",
    "window-management",
    "xr-spatial-tracking",
]
# HSTS preload is off by default: hard to undo, so the operator's decision.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A covering index's extra columns (INCLUDE) are PostgreSQL's speed-up; SQLite skips them.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# The map's basemap: country outlines shipped in static/ (works offline). A deployment with a tile
# server may set MAP_TILE_URL (e.g. https://tile.example.org/{z}/{x}/{y}.png) and its attribution.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
MAP_TILE_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(MAP_TILE_URL)) if MAP_TILE_URL else ""

# Django's built-in Content Security Policy: nothing from other origins, scripts only with a nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *([MAP_TILE_ORIGIN] if MAP_TILE_ORIGIN else [])],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# django-simple-history: keep who/why, and let the admin show field-by-field differences.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

# The whole-dataset package (exchange/package.py; README, "Dataset package"). No licence is stated
# for the data: until DATASET_LICENSE is set (an SPDX identifier such as CC-BY-4.0, with its
# DATASET_LICENSE_URL), the package says that none has been set and `export_dataset` warns.
DATASET_NAME = os.environ.get("DATASET_NAME", "incident-claims-kb")
DATASET_TITLE = os.environ.get("DATASET_TITLE", "Incident-claims knowledge base")
DATASET_LICENSE = os.environ.get("DATASET_LICENSE", "")
DATASET_LICENSE_URL = os.environ.get("DATASET_LICENSE_URL", "")
# How to cite a version: {title}, {version}, {date} (the data's, YYYY-MM-DD) and {url} (the site).
DATASET_CITATION = os.environ.get(
    "DATASET_CITATION", "{title}, dataset version {version} ({date}). {url}"
)
# The site the command's permalinks point to (the download uses the address it was asked on).
DATASET_SITE_URL = os.environ.get("DATASET_SITE_URL", "http://127.0.0.1:8000")
# Where /dataset.zip keeps the package of the current version of the data (one file per audience).
DATASET_CACHE_DIR = Path(os.environ.get("DATASET_CACHE_DIR", BASE_DIR / "var" / "dataset"))
