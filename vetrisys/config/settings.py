"""Django settings: everything comes from the environment (see README's configuration table)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from vetrisys.config.env import (
    env_bool,
    env_int,
    env_list,
    env_secret,
    env_str,
    parse_database_url,
    parse_email_url,
)
from vetrisys.reporting.routers import replica_settings

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = Path(env_str("VETRISYS_HOME", str(Path.cwd()))).resolve()
VAR_DIR = BASE_DIR / "var"

TESTING = "pytest" in sys.modules or env_bool("VETRISYS_TESTING", False)
DEBUG = env_bool("DEBUG", False)

DATABASE_URL = env_str("DATABASE_URL", "sqlite:///var/vetrisys.sqlite3")
EMBEDDED = DATABASE_URL.startswith("sqlite:")

_secret = env_secret("SECRET_KEY")
if not _secret:
    if DEBUG or TESTING or EMBEDDED:
        # Embedded single-clinic install: keep a generated key next to the data.
        key_file = VAR_DIR / "secret_key"
        if not key_file.exists():
            from django.core.management.utils import get_random_secret_key

            VAR_DIR.mkdir(parents=True, exist_ok=True)
            key_file.write_text(get_random_secret_key(), encoding="utf-8")
            key_file.chmod(0o600)
        _secret = key_file.read_text(encoding="utf-8").strip()
    else:
        # Several web processes must share one key: a server database needs it given.
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set.")
SECRET_KEY: str = _secret

# Key for the audit log's hash chain: separate from SECRET_KEY so that rotating one
# does not invalidate the other.
AUDIT_HMAC_KEY: str = env_secret("AUDIT_HMAC_KEY") or f"audit-chain:{SECRET_KEY}"

# Encryption at rest of owners' identifiers (docs/encryption.md): `id:base64key,...` (the
# first encrypts, all decrypt) or a key file; a separate key for the lookup hashes.
ENCRYPTION_KEYS = env_str("ENCRYPTION_KEYS", "")
ENCRYPTION_KEY_FILE = env_str("ENCRYPTION_KEY_FILE", "")
ENCRYPTION_HASH_KEY = env_secret("ENCRYPTION_HASH_KEY") or ""
ENCRYPTION_KEY_FILE_CREATE = False  # make the key file on first use (embedded shape)
if TESTING and not (ENCRYPTION_KEYS or ENCRYPTION_KEY_FILE):
    # Fixed test keys (32 bytes each), never used anywhere else.
    ENCRYPTION_KEYS = "test:dGVzdC1lbmNyeXB0aW9uLWtleS0wMDAwMDAwMDAwMDA="
    ENCRYPTION_HASH_KEY = ENCRYPTION_HASH_KEY or "dGVzdC1ibGluZC1pbmRleC1oYXNoLWtleS0wMDAwMDA="
elif not (ENCRYPTION_KEYS or ENCRYPTION_KEY_FILE):
    if DEBUG or EMBEDDED:
        ENCRYPTION_KEY_FILE = str(VAR_DIR / "encryption_keys.json")
        ENCRYPTION_KEY_FILE_CREATE = True
    else:
        raise ImproperlyConfigured(
            "ENCRYPTION_KEYS (or ENCRYPTION_KEY_FILE) must be set: see docs/encryption.md."
        )
if ENCRYPTION_KEYS and not ENCRYPTION_HASH_KEY:
    raise ImproperlyConfigured("ENCRYPTION_HASH_KEY must be set with ENCRYPTION_KEYS.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "huey.contrib.djhuey",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "vetrisys.core",
    "vetrisys.accounts",
    "vetrisys.audit",
    "vetrisys.clients",
    "vetrisys.patients",
    "vetrisys.inventory",
    "vetrisys.scheduling",
    "vetrisys.billing",
    "vetrisys.records",
    "vetrisys.vaccinations",
    "vetrisys.pharmacy",
    "vetrisys.notifications",
    "vetrisys.reporting",
    "vetrisys.backups",
    "vetrisys.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "vetrisys.core.middleware.RequestIdMiddleware",
    "vetrisys.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "vetrisys.accounts.middleware.SessionIdleTimeoutMiddleware",
    "vetrisys.accounts.middleware.UserLanguageMiddleware",
    "vetrisys.accounts.middleware.CurrentLocationMiddleware",
    "vetrisys.accounts.middleware.RequireMfaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "vetrisys.config.urls"
WSGI_APPLICATION = "vetrisys.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vetrisys.accounts.context_processors.navigation",
            ],
        },
    },
]

# A streaming replica for reports (chain shape): report selectors read from it when set.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
DATABASES = replica_settings(
    parse_database_url(DATABASE_URL, base_dir=BASE_DIR),
    parse_database_url(DATABASE_REPLICA_URL, base_dir=BASE_DIR) if DATABASE_REPLICA_URL else None,
)
DATABASE_ROUTERS = ["vetrisys.reporting.routers.ReportsReplicaRouter"]
REPORTS_DB = "replica" if DATABASE_REPLICA_URL else "default"
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: staff sign in with a username; nobody signs up on their own.
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_ADAPTER = "vetrisys.accounts.adapters.StaffAccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_RATE_LIMITS = {
    # Login throttling: failed attempts per IP and per username.
    "login_failed": env_str("LOGIN_FAILED_RATE_LIMIT", "10/m/ip,5/5m/key"),
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "VetriSys"
MFA_RECOVERY_CODE_COUNT = 10

SESSION_COOKIE_AGE = env_int("SESSION_ABSOLUTE_TIMEOUT", 12 * 3600, minimum=60)
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
API_TOKEN_TTL = env_int("API_TOKEN_TTL", 12 * 3600, minimum=60)
# POST /api/v1/auth/token: after this many failures in the window, answer 429 without
# checking the password (counted per username and per client address).
API_TOKEN_FAILURES_PER_USERNAME = env_int("API_TOKEN_FAILURES_PER_USERNAME", 5, minimum=1)
API_TOKEN_FAILURES_PER_IP = env_int("API_TOKEN_FAILURES_PER_IP", 20, minimum=1)
API_TOKEN_FAILURE_WINDOW = env_int("API_TOKEN_FAILURE_WINDOW", 15 * 60, minimum=1)

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "es")
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Project-wide assets (vendored libraries, the base layout's CSS and JS) live outside any app.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Attachments: the local disk, or an S3-compatible object store (pip install "vetrisys[s3]").
S3_BUCKET = env_str("S3_BUCKET", "")
if S3_BUCKET:
    try:
        import storages  # noqa: F401
    except ImportError:
        raise ImproperlyConfigured(
            "S3_BUCKET is set but django-storages is not installed: pip install 'vetrisys[s3]'."
        ) from None
    DEFAULT_STORAGE: dict[str, Any] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "access_key": env_secret("S3_ACCESS_KEY_ID"),
            "secret_key": env_secret("S3_SECRET_ACCESS_KEY"),
            "location": env_str("S3_PREFIX", "attachments"),
            # Private objects, reached only through the permission-checked download view.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES: dict[str, dict[str, Any]] = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG
WHITENOISE_AUTOREFRESH = TESTING or DEBUG

globals().update(parse_email_url(env_str("EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "VetriSys <no-reply@localhost>")
# A provider through django-anymail instead of SMTP: EMAIL_BACKEND=anymail.backends.sendgrid.
# EmailBackend and ANYMAIL='{"SENDGRID_API_KEY": "..."}' (JSON; or ANYMAIL_FILE).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", str(globals()["EMAIL_BACKEND"]))
ANYMAIL: dict[str, Any] = json.loads(env_secret("ANYMAIL") or "{}")

# Messages to owners: SMS and WhatsApp through Twilio; unset = those channels are off.
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env_secret("TWILIO_AUTH_TOKEN") or ""
TWILIO_SMS_FROM = env_str("TWILIO_SMS_FROM", "")
TWILIO_WHATSAPP_FROM = env_str("TWILIO_WHATSAPP_FROM", "")
TWILIO_API_BASE = env_str("TWILIO_API_BASE", "https://api.twilio.com")
# The owners' portal, linked from messages ({{ portal_url }}); empty = no link.
PORTAL_URL = env_str("PORTAL_URL", "")

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background jobs: Redis in the cloud, a SQLite file next to the data in the embedded shape.
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", TESTING)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "vetrisys",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
    }
else:
    # Opened when the app loads, also with PostgreSQL and no Redis: the folder must exist.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "vetrisys",
        "filename": str(VAR_DIR / "jobs.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
    }

# Security: strict by default; production turns the HTTPS-only parts on (see README).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS: list[str] = []
if not IS_POSTGRES:
    # Covering indexes (INCLUDE) are a PostgreSQL speed-up; SQLite uses them as plain indexes.
    SILENCED_SYSTEM_CHECKS.append("models.W040")
if not SECURE_HSTS_PRELOAD:
    # Preloading is a deliberate, hard-to-undo choice per domain; it stays opt-in.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# Uploads: refuse oversized requests before they reach a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Patient attachments (X-rays, lab PDFs, photos). DATA_UPLOAD_MAX_MEMORY_SIZE counts only the
# non-file part of a request; files larger than FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to a
# temporary file, and the attachment service refuses those above ATTACHMENT_MAX_BYTES (422).
# The type is read from the file's first bytes, never from the name or the browser's word.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
INVENTORY_EXPIRY_WARNING_DAYS = env_int("INVENTORY_EXPIRY_WARNING_DAYS", 60, minimum=1)
ATTACHMENT_ALLOWED_TYPES = env_list(
    "ATTACHMENT_ALLOWED_TYPES",
    [
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/dicom",
        "text/plain",
    ],
)

# Backups (docs/operations.md): encrypted under BACKUP_KEY (or BACKUP_KEY_FILE); without
# either, one clinic on SQLite gets a key generated in var/backup.key. The key is never inside
# a backup: keep a copy of it away from them, or the backups cannot be restored.
BACKUP_KEY: str | None = env_secret("BACKUP_KEY")
BACKUP_KEY_PATH = VAR_DIR / "backup.key"
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(VAR_DIR / "backups")))
# Hour(s) of the daily backup, in UTC and crontab syntax ("2", "*/6"); "off" to disable.
BACKUP_SCHEDULE = env_str("BACKUP_SCHEDULE", "2")
BACKUP_KEEP_DAILY = env_int("BACKUP_KEEP_DAILY", 7, minimum=1)
BACKUP_KEEP_WEEKLY = env_int("BACKUP_KEEP_WEEKLY", 4, minimum=0)
# Append-only journal of client erasures, outside the database: a restore of an older backup
# applies them again. In the cloud shape, a path on durable storage shared by every process.
PRIVACY_JOURNAL = Path(env_str("PRIVACY_JOURNAL", str(VAR_DIR / "erasures.jsonl")))

NINJA_PAGINATION_MAX_LIMIT = 200
NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
