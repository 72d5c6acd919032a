"""Production settings: everything secure by default, and a refusal to start on unsafe values.

Secrets and service addresses come from the environment only (see base.py and docs/DEPLOYMENT.md).
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEV_DOCUMENT_SIGNING_PRIVATE_KEY, DEV_SECRET_KEY, env

DEBUG = False
CAPTCHA_TEST_MODE = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

# HTTPS everywhere; the portal runs behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_NAME = "__Host-csrftoken"
LANGUAGE_COOKIE_SECURE = True

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}

# Agents sign in to the admin with a TOTP second factor.
ADMIN_REQUIRE_OTP = True

MOCK_CMI_ENABLED = False

# A passkey signed on a plain-http page is never accepted (origins derived from the request are https).
PASSKEYS_REQUIRE_HTTPS = True


def _refuse(reason: str) -> None:
    raise ImproperlyConfigured(f"Production settings refused: {reason}")


if env.bool("DJANGO_DEBUG", default=False):
    _refuse("DJANGO_DEBUG must be off.")
if SECRET_KEY == DEV_SECRET_KEY or SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50:
    _refuse("DJANGO_SECRET_KEY must be a real secret of at least 50 characters.")
if env.bool("MOCK_CMI_ENABLED", default=False):
    _refuse("the mock CMI gateway cannot be enabled in production.")
if SMS_BACKEND != "twilio":  # noqa: F405
    _refuse(f"SMS_BACKEND={SMS_BACKEND!r} is a fake; production needs 'twilio'.")  # noqa: F405
if not (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER):  # noqa: F405
    _refuse("TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER are required.")
if "mock-cmi" in CMI_GATEWAY_URL or CMI_STORE_KEY in ("", "TEST1234"):  # noqa: F405
    _refuse("CMI_GATEWAY_URL must be the real CMI gateway and CMI_STORE_KEY a real store key.")
if ANTIVIRUS_BACKEND != "clamd":  # noqa: F405
    _refuse(f"ANTIVIRUS_BACKEND={ANTIVIRUS_BACKEND!r} is a fake; production needs 'clamd'.")  # noqa: F405
if not REDIS_URL:  # noqa: F405
    _refuse("REDIS_URL is required: production never runs tasks eagerly.")
if any(not origin.startswith("https://") for origin in PASSKEYS_ORIGINS):  # noqa: F405
    _refuse("PASSKEYS_ORIGINS must be https:// origins.")
# --- Audit 2026-12 L5 and M3 -----------------------------------------------------------------------
# E-mail must leave for real: these backends print, write to disk or keep messages in memory.
NON_DELIVERING_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
if EMAIL_BACKEND in NON_DELIVERING_EMAIL_BACKENDS:  # noqa: F405
    _refuse(f"EMAIL_BACKEND={EMAIL_BACKEND!r} delivers nothing; set EMAIL_URL to the SMTP relay.")  # noqa: F405
if "*" in ALLOWED_HOSTS or not ALLOWED_HOSTS:
    _refuse("DJANGO_ALLOWED_HOSTS must name the portal's hosts, never '*'.")
if not PUBLIC_BASE_URL.startswith("https://"):  # noqa: F405
    _refuse(f"PUBLIC_BASE_URL={PUBLIC_BASE_URL!r} must start with https:// (links in SMS, e-mails and receipts).")  # noqa: F405
if not OUTBOX_ENCRYPTION_KEYS:  # noqa: F405
    _refuse("OUTBOX_ENCRYPTION_KEYS is required: sensitive SMS bodies are encrypted while they wait.")
try:
    from macnss.core.outbox_crypto import parse_keys

    parse_keys(OUTBOX_ENCRYPTION_KEYS)  # noqa: F405
except ValueError as exc:
    _refuse(f"OUTBOX_ENCRYPTION_KEYS is malformed ({exc}); each entry reads id:FernetKey.")
if (
    not env("DOCUMENT_SIGNING_KEY", default="")
    or DOCUMENT_SIGNING_KEY["private_key"] == DEV_DOCUMENT_SIGNING_PRIVATE_KEY  # noqa: F405
    or DOCUMENT_SIGNING_KEY["key_id"].startswith("dev")  # noqa: F405
):
    _refuse("DOCUMENT_SIGNING_KEY must be a real Ed25519 key ('<key id>:<private key>'), not the development one.")
try:
    from macnss.core.document_signing import check_signing_settings

    check_signing_settings(DOCUMENT_SIGNING_KEY, DOCUMENT_SIGNING_RETIRED_KEYS)  # noqa: F405
except ValueError as exc:
    _refuse(str(exc))
