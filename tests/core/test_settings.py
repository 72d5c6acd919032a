"""Production settings refuse unsafe values; with real values, `check --deploy` is clean."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

SAFE = {
    "DJANGO_SETTINGS_MODULE": "macnss.settings.production",
    "DJANGO_SECRET_KEY": "k" * 20 + "a-real-looking-secret-value-for-the-test-0123456789",
    "DJANGO_ALLOWED_HOSTS": "portail.macnss.example",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SMS_BACKEND": "twilio",
    "TWILIO_ACCOUNT_SID": "ACx",
    "TWILIO_AUTH_TOKEN": "t",
    "TWILIO_FROM_NUMBER": "+15005550006",
    "CMI_GATEWAY_URL": "https://testpayment.cmi.co.ma/fim/est3Dgate",
    "CMI_STORE_KEY": "a-real-store-key",
    "ANTIVIRUS_BACKEND": "clamd",
    "PUBLIC_BASE_URL": "https://portail.macnss.example",
    "EMAIL_URL": "smtp://relay.macnss.example:25",
    "OUTBOX_ENCRYPTION_KEYS": "2026a:" + "A" * 43 + "=",
    "DOCUMENT_SIGNING_KEY": "2026-a:" + "B" * 43,
}


def _load(**overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in SAFE and k not in ("DATABASE_URL", "DJANGO_DEBUG", "MOCK_CMI_ENABLED", "DJANGO_ENV")
    }
    env.update(SAFE)
    env.update(overrides)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_start_with_real_values():
    result = _load()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"DJANGO_DEBUG": "true"}, "DJANGO_DEBUG"),
        ({"DJANGO_SECRET_KEY": "django-insecure-development-key-never-use-in-production"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY"),
        ({"SMS_BACKEND": "outbox"}, "SMS_BACKEND"),
        ({"SMS_BACKEND": "console"}, "SMS_BACKEND"),
        ({"MOCK_CMI_ENABLED": "true"}, "mock CMI"),
        ({"CMI_GATEWAY_URL": "http://127.0.0.1:8000/mock-cmi/fim/est3Dgate"}, "CMI_GATEWAY_URL"),
        ({"ANTIVIRUS_BACKEND": "fake"}, "ANTIVIRUS_BACKEND"),
        ({"REDIS_URL": ""}, "REDIS_URL"),
        ({"DOCUMENT_SIGNING_KEY": ""}, "DOCUMENT_SIGNING_KEY"),
        ({"DOCUMENT_SIGNING_KEY": "dev-insecure:pytCWeKqh6sEpPQrOCaH73YAZ1_YWMergcqjo4IfIzU"}, "DOCUMENT_SIGNING_KEY"),
        ({"DOCUMENT_SIGNING_KEY": "prod:pytCWeKqh6sEpPQrOCaH73YAZ1_YWMergcqjo4IfIzU"}, "DOCUMENT_SIGNING_KEY"),
        ({"DOCUMENT_SIGNING_KEY": "2026-a:short"}, "DOCUMENT_SIGNING_KEY"),
        ({"DOCUMENT_SIGNING_RETIRED_KEYS": '[{"key_id": "old", "public_key": "x"}]'}, "DOCUMENT_SIGNING_RETIRED_KEYS"),
    ],
)
def test_production_refuses_to_start_on_unsafe_values(override, reason):
    result = _load(**override)
    assert result.returncode != 0
    assert "Production settings refused" in result.stderr
    assert reason in result.stderr


def test_production_requires_a_secret_from_the_environment():
    env = {k: v for k, v in SAFE.items() if k != "DJANGO_SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={"PATH": os.environ["PATH"], **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_deploy_check_is_clean_with_production_settings():
    # The test process allows async-unsafe ORM calls for Playwright; a deployment never does.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(SAFE)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_captcha_test_mode_needs_debug():
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"DJANGO_SETTINGS_MODULE": "macnss.settings.base", "DJANGO_DEBUG": "false", "CAPTCHA_TEST_MODE": "true"})
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.CAPTCHA_TEST_MODE)",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "False"


def test_development_defaults_need_no_services():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["DJANGO_SETTINGS_MODULE"] = "macnss.settings.base"
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.SMS_BACKEND, s.TIME_ZONE, s.LANGUAGE_CODE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "outbox", "Africa/Casablanca", "fr"]


def test_security_headers_on_a_page(client, db):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


def test_behind_pgbouncer_no_statement_is_prepared_and_no_cursor_is_named():
    code = (
        "import django; django.setup(); from django.conf import settings as s; d = s.DATABASES['default'];"
        "print(d['OPTIONS']['prepare_threshold'], d['OPTIONS']['server_side_binding'], d['DISABLE_SERVER_SIDE_CURSORS'])"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "macnss.settings.base",
        "DATABASE_URL": "postgres://macnss@127.0.0.1:6432/macnss",
        "DB_BEHIND_PGBOUNCER": "true",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
    )
    assert out.stdout.split() == ["None", "False", "True"]
