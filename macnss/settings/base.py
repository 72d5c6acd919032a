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
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

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
    "axes",
    "captcha",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "auditlog",
    "macnss.core",
    "accounts",
    "tns_enrollment",
    "pension",
    "taawidaty",
    "asvi_payment",
]

MIDDLEWARE = [
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
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "macnss.urls"
# Widgets render with Jinja2 (fast), falling back to the project's Django templates (the admin's widgets).
FORM_RENDERER = "macnss.core.renderers.PortalFormRenderer"
WSGI_APPLICATION = "macnss.wsgi.application"

# Pages, e-mails and receipts are Jinja2 templates, in templates/ and in each app's jinja2/ folder: see
# macnss/core/jinja2env.py and docs/PERFORMANCE.md. The Django engine renders the admin (with the
# templates/admin/ overrides of each app) and the crispy pack's form wrapper.
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
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same backend, with the health check at most once a second per connection.
    DATABASES["default"]["ENGINE"] = "macnss.core.dbbackend"
    # Server-side parameters, so that psycopg prepares a statement the fifth time a connection runs it:
    # PostgreSQL then skips parsing and planning, most of the cost of the pages' short indexed queries.
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": env.int("DB_PREPARE_THRESHOLD", default=5),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # A cache outage must not take the portal down: rate limits fail open, pages still render.
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Per-IP rate limits live in the cache: while Redis is down they let requests through rather than
# refuse everyone. The limits kept in the database still hold (OTP sends per phone, login lockout,
# attempts per identity document).
RATELIMIT_FAIL_OPEN = True

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
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
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Temporary passwords (sent by SMS at registration) expire and must be changed at first login.
TEMPORARY_PASSWORD_LIFETIME = timedelta(hours=48)

# Login throttling (django-axes): 5 failures per number and IP, then a cool-off.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.axes.username_for_lockout"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
AXES_VERBOSE = False

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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
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

# One-time codes shared by every journey.
OTP_LENGTH = 6
OTP_VALIDITY = timedelta(minutes=10)
OTP_MAX_ATTEMPTS = 5
OTP_MAX_SENDS_PER_HOUR = 3

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

# Antivirus for uploads: "fake" (development/tests) or "clamd".
ANTIVIRUS_BACKEND = env("ANTIVIRUS_BACKEND", default="fake")
CLAMD_SOCKET = env("CLAMD_SOCKET", default="/var/run/clamav/clamd.ctl")

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
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # Messages left queued while Redis or a provider was down.
    "requeue-stuck-outbox": {"task": "macnss.core.tasks.requeue_stuck_messages", "schedule": 60.0},
    # Expired captchas (macnss.core.forms.PortalCaptchaField does not purge them on each submission).
    "purge-expired-captchas": {"task": "macnss.core.tasks.purge_expired_captchas", "schedule": 600.0},
    # TAAWIDATY receipts whose PDF task never ran (broker down, worker killed).
    "taawidaty-requeue-missing-receipts": {"task": "taawidaty.tasks.requeue_missing_receipts", "schedule": 300.0},
    # ASVI: the quarter's dues on the first day of each quarter; pending orders reconciled.
    "asvi-generate-quarter-dues": {
        "task": "asvi_payment.tasks.generate_current_quarter_dues",
        "schedule": crontab(minute=30, hour=2, day_of_month=1, month_of_year="1,4,7,10"),
    },
    "asvi-reconcile-payments": {"task": "asvi_payment.tasks.reconcile_payments", "schedule": 600.0},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        # One line per task success is noise in development, where tasks run eagerly.
        "celery.app.trace": {"level": "INFO" if REDIS_URL else "WARNING"},
    },
}
