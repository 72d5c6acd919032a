"""Settings shared by every environment; the only module that reads the environment.

Development defaults live here (DEBUG on, SQLite, eager tasks, fake gateways) so that
`make run` works on a machine with no services. `production.py` tightens and checks them.
"""

import shutil
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(str(BASE_DIR / ".env"))

DEV_SECRET_KEY = "django-insecure-development-key-never-use-in-production"  # noqa: S105 - refused by production.py
DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default=DEV_SECRET_KEY)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Absolute address of the portal, used where no request is at hand (worker, e-mails, CMI URLs).
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://localhost:8000").rstrip("/")
# "production" in the image (Dockerfile): the Celery worker and beat then refuse these development settings.
DJANGO_ENV = env("DJANGO_ENV", default="development")
# The load benchmark's bare view /bench/ok (its ceiling), routed only when the benchmark turns it on.
BENCH_ENDPOINT = env.bool("MACNSS_BENCH_ENDPOINT", default=False)

INSTALLED_APPS = [
    # First: its admin/base_site.html (the language switch) overrides the stock one.
    "backoffice",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "captcha",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "auditlog",
    "macnss.core",
    "accounts",
    "shared_steps",
    "tns_enrollment",
    "pension",
    "taawidaty",
    "asvi_payment",
    "passkeys",
    "privacy",
    "insured_space",
    "family",
]

MIDDLEWARE = [
    "macnss.core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
]

ROOT_URLCONF = "macnss.urls"
# Widgets render with the TEMPLATES engines (Django's Jinja2 widget templates, which django.forms ships; the
# admin's own with the Django engine), the smallest ones written in Python: see macnss/core/form_rendering.py.
FORM_RENDERER = "macnss.core.form_rendering.PortalFormRenderer"
WSGI_APPLICATION = "macnss.wsgi.application"

# Pages, e-mails and receipts are Jinja2 templates, in templates/ and in each app's jinja2/ folder: see
# macnss/core/jinja2env.py and docs/PERFORMANCE.md. The Django engine renders the admin (with the
# templates/admin/ overrides of each app) and the admin's widgets.
PORTAL_CONTEXT_PROCESSORS = [
    "django.template.context_processors.i18n",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "macnss.core.context_processors.portal",
]
TEMPLATES = [
    # First: a page's template is found at the first try (a miss costs an exception on every request).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "macnss.core.jinja2env.environment",
            "context_processors": [*PORTAL_CONTEXT_PROCESSORS, "macnss.core.context_processors.csrf_once"],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request", *PORTAL_CONTEXT_PROCESSORS]},
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Persistent connections checked by Django before a request reuses them: one killed by a PostgreSQL restart
# is replaced instead of failing the request. No psycopg pool: in production PgBouncer already pools.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side parameters, so that psycopg prepares a statement the fifth time a connection runs it:
    # PostgreSQL then skips parsing and planning, most of the cost of the pages' short indexed queries.
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": env.int("DB_PREPARE_THRESHOLD", default=5),
    }
    # Behind PgBouncer in transaction mode (1.18 keeps no prepared statements, and a transaction may land
    # on another server connection): no prepared statements, no server-side binding, no named cursors.
    DB_BEHIND_PGBOUNCER = env.bool("DB_BEHIND_PGBOUNCER", default=False)
    if DB_BEHIND_PGBOUNCER:
        DATABASES["default"]["OPTIONS"] = {"server_side_binding": False, "prepare_threshold": None}
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # A cache outage must not take the portal down: rate limits fail open, pages still render.
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        },
        # The fail-closed limiter (macnss.core.throttle) must see Redis errors to fall back on the database.
        "throttle": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"},
    }
THROTTLE_CACHE = "throttle"
# The client address (macnss.core.client_ip): REMOTE_ADDR with no proxy in front; behind N trusted
# proxies, the N-th address from the right of X-Forwarded-For. Used by every limit, log and record.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
RATELIMIT_IP_META_KEY = "macnss.core.client_ip.client_ip"
# Per-IP rate limits live in the cache: while Redis is down they let requests through rather than
# refuse everyone. The limits kept in the database still hold (OTP sends per phone, login lockout,
# attempts per identity document).
RATELIMIT_FAIL_OPEN = True

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.PortalAccountBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "home"

# Sessions: 30 minutes of inactivity ends a session (ASVS 3.3.2); the idle middleware refreshes it.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
# ... and 12 hours after the sign-in whatever the activity (accounts.middleware.IdleTimeoutMiddleware).
SESSION_ABSOLUTE_AGE = timedelta(hours=12)
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
# Re-authentication before sensitive actions (accounts/reauth.py): the last sign-in, password, code or
# passkey must be at most this old.
REAUTH_MAX_AGE = timedelta(minutes=10)
SESSION_COOKIE_SAMESITE = "Lax"


# Login throttling (accounts/login_guard.py, docs/SECURITY.md). Failures are counted per person, whichever
# identifier was typed (per normalised identifier when it matches no account), across all addresses:
# the captcha after LOGIN_CAPTCHA_AFTER_FAILURES in an hour, a lock of LOGIN_LOCK_DURATION after
# LOGIN_LOCK_AFTER_FAILURES in an hour. Per address across persons (password spraying): the captcha on
# every try after LOGIN_IP_CAPTCHA_AFTER_FAILURES, refused for LOGIN_IP_BLOCK_DURATION after
# LOGIN_IP_BLOCK_AFTER_FAILURES. Addresses in LOGIN_IP_ALLOWLIST (CIDRs, e.g. a carrier's NAT) skip the
# per-address rules only; the per-person ones always hold.
LOGIN_FAILURE_WINDOW = timedelta(hours=1)
LOGIN_CAPTCHA_AFTER_FAILURES = env.int("LOGIN_CAPTCHA_AFTER_FAILURES", default=5)
LOGIN_LOCK_AFTER_FAILURES = env.int("LOGIN_LOCK_AFTER_FAILURES", default=20)
LOGIN_LOCK_DURATION = timedelta(minutes=env.int("LOGIN_LOCK_MINUTES", default=30))
LOGIN_IP_CAPTCHA_AFTER_FAILURES = env.int("LOGIN_IP_CAPTCHA_AFTER_FAILURES", default=30)
LOGIN_IP_BLOCK_AFTER_FAILURES = env.int("LOGIN_IP_BLOCK_AFTER_FAILURES", default=200)
LOGIN_IP_BLOCK_DURATION = timedelta(minutes=env.int("LOGIN_IP_BLOCK_MINUTES", default=60))
LOGIN_IP_ALLOWLIST = env.list("LOGIN_IP_ALLOWLIST", default=[])
# At most one «compte bloqué» SMS per person in this period.
LOGIN_LOCK_NOTICE_INTERVAL = timedelta(days=1)

# Languages: French by default, Arabic complete and right-to-left.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("ar", _("العربية"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["macnss.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Africa/Casablanca"
LANGUAGE_COOKIE_NAME = "macnss_language"
LANGUAGE_COOKIE_SECURE = False
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media-not-served/"
# Private files (claim documents, receipts) live outside the web root and are served by views only.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# The PDF documents' cut-down fonts, made by `manage.py build_receipt_fonts` (the image builds them); a
# directory the project owns, read-only for the workers.
PDF_FONTS_DIR = Path(env("PDF_FONTS_DIR", default=str(BASE_DIR / "var" / "pdf-fonts")))
# Private files live on the local disk (MEDIA_ROOT), or in an S3 bucket shared by every web node and worker
# when STORAGE_S3_ENDPOINT_URL is set. Either way they leave only through owner-checked views, never by URL.
# "private" overwrites a file of the same name (receipts are rebuilt in place); "default" never does.
STORAGE_S3_ENDPOINT_URL = env("STORAGE_S3_ENDPOINT_URL", default="")
if STORAGE_S3_ENDPOINT_URL:
    from botocore.config import Config as _BotoConfig

    _S3_OPTIONS = {
        "endpoint_url": STORAGE_S3_ENDPOINT_URL,
        "bucket_name": env("STORAGE_S3_BUCKET", default="macnss-private"),
        "access_key": env("STORAGE_S3_ACCESS_KEY", default=""),
        "secret_key": env("STORAGE_S3_SECRET_KEY", default=""),
        "region_name": env("STORAGE_S3_REGION", default="us-east-1"),
        "default_acl": "private",
        "querystring_auth": True,
        "addressing_style": "path",
        "signature_version": "s3v4",
        # A storage that does not answer fails the upload in seconds (the form says so); nothing waits a minute.
        "client_config": _BotoConfig(connect_timeout=2, read_timeout=10, retries={"max_attempts": 2}),
    }
    _DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_S3_OPTIONS, "file_overwrite": False},
    }
    _PRIVATE_STORAGE = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_S3_OPTIONS, "file_overwrite": True}}
else:
    _DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    _PRIVATE_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"allow_overwrite": True},
    }
STORAGES = {
    "default": _DEFAULT_STORAGE,
    "private": _PRIVATE_STORAGE,
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
FILE_UPLOAD_PERMISSIONS = 0o600
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Uploaded documents (macnss.core.uploads): one file at most UPLOAD_MAX_BYTES, one request at most
# UPLOAD_MAX_REQUEST_BYTES (refused from its Content-Length, nothing kept), images at most so many pixels
# (an A4 page at 600 ppp is 35 million).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
UPLOAD_MAX_REQUEST_BYTES = env.int("UPLOAD_MAX_REQUEST_BYTES", default=32 * 1024 * 1024)
UPLOAD_MAX_IMAGE_PIXELS = env.int("UPLOAD_MAX_IMAGE_PIXELS", default=40_000_000)

CRISPY_ALLOWED_TEMPLATE_PACKS = ("macnss", "bootstrap5")
CRISPY_TEMPLATE_PACK = "macnss"
CRISPY_FAIL_SILENTLY = not DEBUG

# Captcha (django-simple-captcha). Test mode accepts "PASSED"; only allowed with DEBUG on.
CAPTCHA_TEST_MODE = DEBUG and env.bool("CAPTCHA_TEST_MODE", default=False)
CAPTCHA_LENGTH = 5
CAPTCHA_IMAGE_SIZE = (150, 50)
CAPTCHA_FONT_SIZE = 34
CAPTCHA_LETTER_ROTATION = (-20, 20)
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.random_char_challenge"
# Audio alternative to the image, spoken by flite when it is installed (make run installs it).
CAPTCHA_FLITE_PATH = env("CAPTCHA_FLITE_PATH", default=shutil.which("flite") or "") or None
CAPTCHA_TIMEOUT = 10

# Security headers that hold in every environment.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True
CMI_GATEWAY_URL = env("CMI_GATEWAY_URL", default=f"{PUBLIC_BASE_URL}/mock-cmi/fim/est3Dgate")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, CMI_GATEWAY_URL],
    }
}

# Outbound messages. Every SMS and e-mail is an outbox row first; a Celery task sends it.
SMS_BACKEND = env("SMS_BACKEND", default="outbox")  # console | outbox | twilio
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")
SMS_SENDER_NAME = "MaCNSS"
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Ma CNSS <no-reply@macnss.example>")
OUTBOX_MAX_ATTEMPTS = 6
OUTBOX_REQUEUE_AFTER = timedelta(minutes=2)
# A code or temporary password not sent within this time is never sent; its text is wiped.
OUTBOX_SENSITIVE_EXPIRY = timedelta(hours=1)
# Keys that encrypt sensitive SMS bodies while they wait: "id:FernetKey,oldid:OldKey", the first encrypts
# (macnss/core/outbox_crypto.py, docs/DEPLOYMENT.md). Empty: a key derived from SECRET_KEY (development).
OUTBOX_ENCRYPTION_KEYS = env.list("OUTBOX_ENCRYPTION_KEYS", default=[])

# Passkeys (WebAuthn). The relying party id is a host name (browsers refuse an IP address); empty, it
# is the request's host ("localhost" under `make run`). The origins a passkey may sign for; empty, the
# request's own (https only when PASSKEYS_REQUIRE_HTTPS, which production.py turns on and checks).
PASSKEYS_RP_ID = env("PASSKEYS_RP_ID", default="")
PASSKEYS_ORIGINS = env.list("PASSKEYS_ORIGINS", default=[])
PASSKEYS_REQUIRE_HTTPS = False
PASSKEYS_RP_NAME = "Ma CNSS"
PASSKEYS_CHALLENGE_SECONDS = 5 * 60

# One-time codes shared by every journey.
OTP_LENGTH = 6
OTP_VALIDITY = timedelta(minutes=10)
OTP_MAX_ATTEMPTS = 5
OTP_MAX_SENDS_PER_HOUR = 3
# Wrong codes per person (or decoy chain) over 24 hours, whatever the number of codes sent (L2).
OTP_MAX_FAILURES_PER_DAY = 10

# Back office: an agent opening more records than this in an hour appears in the supervisors' list of
# unusual reading (backoffice.selectors.unusual_reading).
BACKOFFICE_UNUSUAL_READS_PER_HOUR = env.int("BACKOFFICE_UNUSUAL_READS_PER_HOUR", default=60)
# django-auditlog keeps the field-level history of what staff change. It stores no client address (its
# middleware would trust X-Forwarded-For) and reads no correlation id from a request header.
AUDITLOG_DISABLE_REMOTE_ADDR = True
AUDITLOG_CID_HEADER = None
# How long a reason given to open a record outside one's queues covers further openings of it.
BACKOFFICE_REASON_VALIDITY = timedelta(minutes=30)

# Customer service shown on pages, PDFs and SMS.
CUSTOMER_SERVICE_NUMBER = "080 20 20 109"

# Payment (CMI 3D Pay Hosting). The mock gateway is part of the project and refused in production.
MOCK_CMI_ENABLED = env.bool("MOCK_CMI_ENABLED", default=True)
CMI_CLIENT_ID = env("CMI_CLIENT_ID", default="600000000")
CMI_STORE_KEY = env("CMI_STORE_KEY", default="TEST1234")
CMI_CONFIRMATION_MODE = env("CMI_CONFIRMATION_MODE", default="POSTAUTH")
ASVI_PROCESSING_FEE_RATE = env.float("ASVI_PROCESSING_FEE_RATE", default=0.011)

# Signing of the documents the portal prints (attestations, receipts): an Ed25519 key, see
# macnss/core/document_signing.py and docs/SECURITY.md. DOCUMENT_SIGNING_KEY is "<key id>:<private key>",
# the private key being its 32 raw bytes in base64url. The development default below is derived from a
# public text, so anyone can forge with it: production.py refuses it (and any key id starting "dev-").
DEV_DOCUMENT_SIGNING_KEY_ID = "dev-insecure"
DEV_DOCUMENT_SIGNING_PRIVATE_KEY = "pytCWeKqh6sEpPQrOCaH73YAZ1_YWMergcqjo4IfIzU"  # sha256("macnss-dev-signing-key")
_signing_key_id, _, _signing_private_key = env(
    "DOCUMENT_SIGNING_KEY", default=f"{DEV_DOCUMENT_SIGNING_KEY_ID}:{DEV_DOCUMENT_SIGNING_PRIVATE_KEY}"
).partition(":")
DOCUMENT_SIGNING_KEY = {
    "key_id": _signing_key_id.strip(),
    "private_key": _signing_private_key.strip(),
    "valid_from": env("DOCUMENT_SIGNING_KEY_VALID_FROM", default="") or None,  # aaaa-mm-jj
}
# Every key that signed before the current one, published so that old documents still verify: a JSON list
# of {"key_id", "public_key" (base64url of the 32 raw bytes), "valid_from", "valid_to"} (aaaa-mm-jj dates).
DOCUMENT_SIGNING_RETIRED_KEYS = env.json("DOCUMENT_SIGNING_RETIRED_KEYS", default=[])

# Antivirus for uploads: "fake" (development/tests) or "clamd", reached on CLAMD_SOCKET: a unix-socket path or
# tcp://host:port (docker-compose's clamav service).
ANTIVIRUS_BACKEND = env("ANTIVIRUS_BACKEND", default="fake")
CLAMD_SOCKET = env("CLAMD_SOCKET", default="/var/run/clamav/clamd.ctl")

# Keeping personal data (Law 09-08; docs/SECURITY.md «Conservation des données»), in days, enforced by the beat
# tasks of macnss.core.retention. The outbox bodies are redacted once a message is sent or failed (development
# backends keep them for the demo phone and mailbox); the rows themselves go after RETENTION_OUTBOX_DAYS.
RETENTION_ONBOARDING_ATTEMPTS_DAYS = env.int("RETENTION_ONBOARDING_ATTEMPTS_DAYS", default=365)
RETENTION_OTP_DAYS = env.int("RETENTION_OTP_DAYS", default=30)
RETENTION_OUTBOX_DAYS = env.int("RETENTION_OUTBOX_DAYS", default=365)
# Documents of a refused request (or of a draft abandoned that long): kept while the decision can be contested.
RETENTION_REFUSED_REQUEST_DOCUMENTS_DAYS = env.int("RETENTION_REFUSED_REQUEST_DOCUMENTS_DAYS", default=180)
# The agents' access journal («Qui a consulté mes données»): its app registers a rule that reads this setting.
RETENTION_ACCESS_JOURNAL_DAYS = env.int("RETENTION_ACCESS_JOURNAL_DAYS", default=5 * 365)
# The PDF of «Mes données» a person asked for: built for him to download, then deleted.
RETENTION_DATA_EXPORT_DAYS = env.int("RETENTION_DATA_EXPORT_DAYS", default=1)
# Rows deleted per statement, and statements per rule and run: short transactions, bounded runs.
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=500)
RETENTION_MAX_BATCHES = env.int("RETENTION_MAX_BATCHES", default=200)

# Celery: a broker when REDIS_URL is set, eager execution otherwise.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 15 * 60}
# When Redis is down the request must not hang: publish fails fast, the outbox row stays queued
# and the beat task re-queues it later.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# The worker logs through LOGGING above, whose lines carry the request id of the request that queued the task.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Queues by kind, so that a burst of receipts never delays a one-time code: production runs a worker per
# queue (docs/DEPLOYMENT.md); `make worker` and the harnesses consume them all (macnss.celery.ALL_QUEUES).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "macnss.core.tasks.send_sms": {"queue": "sms"},
    "macnss.core.tasks.send_email": {"queue": "email"},
    "taawidaty.tasks.build_receipt": {"queue": "pdf"},
    "asvi_payment.tasks.send_receipt": {"queue": "pdf"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # Messages left queued while Redis or a provider was down.
    "requeue-stuck-outbox": {"task": "macnss.core.tasks.requeue_stuck_messages", "schedule": 60.0},
    # Login failures older than a day (accounts.login_guard counts over an hour at most).
    "purge-login-failures": {"task": "accounts.tasks.purge_login_failures", "schedule": 3600.0},
    # Expired captchas (macnss.core.forms.PortalCaptchaField does not purge them on each submission).
    "purge-expired-captchas": {"task": "macnss.core.tasks.purge_expired_captchas", "schedule": 600.0},
    # TAAWIDATY receipts whose PDF task never ran (broker down, worker killed).
    "taawidaty-requeue-missing-receipts": {"task": "taawidaty.tasks.requeue_missing_receipts", "schedule": 300.0},
    # Attestations whose PDF task never ran (broker down, worker killed).
    "insured-space-requeue-missing-pdfs": {"task": "insured_space.tasks.requeue_missing_pdfs", "schedule": 300.0},
    # ASVI: the quarter's dues on the first day of each quarter; pending orders reconciled.
    "asvi-generate-quarter-dues": {
        "task": "asvi_payment.tasks.generate_current_quarter_dues",
        "schedule": crontab(minute=30, hour=2, day_of_month=1, month_of_year="1,4,7,10"),
    },
    "asvi-reconcile-payments": {"task": "asvi_payment.tasks.reconcile_payments", "schedule": 600.0},
    # Law 09-08: message texts redacted once sent or failed; personal data past its retention period deleted.
    "retention-redact-outbox-bodies": {"task": "macnss.core.tasks.redact_outbox_bodies", "schedule": 60.0},
    "privacy-requeue-unbuilt-exports": {"task": "privacy.tasks.requeue_unbuilt_exports", "schedule": 300.0},
    "retention-delete-expired-personal-data": {
        "task": "macnss.core.tasks.delete_expired_personal_data",
        "schedule": crontab(minute=17),
    },
    # Family: an SMS a month before a child's age limit (idempotent: one per child per threshold).
    "family-age-limit-reminders": {
        "task": "family.tasks.send_age_limit_reminders",
        "schedule": crontab(minute=0, hour=9),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "macnss.core.request_id.RequestIdFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        # qpdf's complaints about an uploaded PDF (refused as damaged) are the file's faults, not the server's.
        "pikepdf": {"level": "CRITICAL"},
        # One line per task success is noise in development, where tasks run eagerly.
        "celery.app.trace": {"level": "INFO" if REDIS_URL else "WARNING"},
    },
}
