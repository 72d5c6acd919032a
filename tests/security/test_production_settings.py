"""Audit L5: production refuses to start on a console/file e-mail backend, ALLOWED_HOSTS='*', an http://
PUBLIC_BASE_URL or no outbox encryption key (M3); the Celery worker and beat never run the development
settings in the image; the harnesses that run production deliver e-mail to an SMTP sink on loopback."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from django.conf import settings

from tests.core.test_settings import SAFE, _load

ROOT = Path(settings.BASE_DIR)


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"EMAIL_URL": "consolemail://"}, "EMAIL_BACKEND"),
        ({"EMAIL_URL": "filemail:///tmp/mail"}, "EMAIL_BACKEND"),
        ({"EMAIL_URL": ""}, "EMAIL_BACKEND"),  # the development default: the console
        ({"DJANGO_ALLOWED_HOSTS": "*"}, "DJANGO_ALLOWED_HOSTS"),
        ({"DJANGO_ALLOWED_HOSTS": "portail.macnss.example,*"}, "DJANGO_ALLOWED_HOSTS"),
        ({"PUBLIC_BASE_URL": "http://portail.macnss.example"}, "PUBLIC_BASE_URL"),
        ({"OUTBOX_ENCRYPTION_KEYS": ""}, "OUTBOX_ENCRYPTION_KEYS"),
        ({"OUTBOX_ENCRYPTION_KEYS": "nokeyid"}, "OUTBOX_ENCRYPTION_KEYS"),
        ({"OUTBOX_ENCRYPTION_KEYS": "2026a:not-a-fernet-key"}, "OUTBOX_ENCRYPTION_KEYS"),
    ],
)
def test_production_refuses_unsafe_mail_hosts_urls_and_keys(override, reason):
    overrides = dict(override)
    if overrides.get("EMAIL_URL") == "":
        overrides.pop("EMAIL_URL")
        env_without = {k: v for k, v in SAFE.items() if k != "EMAIL_URL"}
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()"],
            env={"PATH": os.environ["PATH"], **env_without},
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=60,
        )
    else:
        result = _load(**overrides)
    assert result.returncode != 0
    assert "Production settings refused" in result.stderr
    assert reason in result.stderr


def _celery_settings_module(**environ):
    code = "import sys; sys.path.insert(0, '.'); from macnss.celery import app; print(__import__('os').environ['DJANGO_SETTINGS_MODULE'])"
    env = {"PATH": os.environ["PATH"], **environ}
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60
    )


def test_celery_uses_production_settings_when_django_env_is_production():
    result = _celery_settings_module(DJANGO_ENV="production")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "macnss.settings.production"


@pytest.mark.parametrize("module", ["macnss.settings.base", "macnss.settings.test"])
def test_celery_refuses_the_development_settings_when_django_env_is_production(module):
    result = _celery_settings_module(DJANGO_ENV="production", DJANGO_SETTINGS_MODULE=module)
    assert result.returncode != 0
    assert "DJANGO_ENV=production refuses" in result.stderr


def test_celery_keeps_the_development_default_outside_production():
    result = _celery_settings_module()
    assert result.stdout.strip() == "macnss.settings.base"


def test_the_image_runs_production_and_compose_says_development_explicitly():
    dockerfile = (ROOT / "Dockerfile").read_text()
    production = dockerfile.index("ENV DJANGO_ENV=production DJANGO_SETTINGS_MODULE=macnss.settings.production")
    # The build steps (compilemessages, collectstatic) run the development settings before production is set.
    assert dockerfile.rindex("DJANGO_SETTINGS_MODULE=macnss.settings.base") < production
    assert production < dockerfile.index("CMD [")
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for name in ("worker", "beat"):
        env = compose["services"][name]["environment"]
        # The development stack overrides the image's production default on purpose, never by accident.
        assert env["DJANGO_ENV"] == "development"
        assert env["DJANGO_SETTINGS_MODULE"] == "macnss.settings.base"


def _module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _production_starts_with(env: dict) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT)"
    )
    clean = {k: v for k, v in env.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60
    )


def test_the_benchmark_runs_production_with_an_smtp_sink_on_loopback(tmp_path):
    bench = _module(ROOT / "bench" / "run.py", "bench_run_for_test")
    args = SimpleNamespace(port=8799, db_name="macnss_bench_unused", redis_db=15, keep=True, reuse=False)
    run = bench.Run(args)
    try:
        assert run.env["EMAIL_URL"] == run.smtp.url
        result = _production_starts_with(run.env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["django.core.mail.backends.smtp.EmailBackend", "127.0.0.1", str(run.smtp.port)]
        import smtplib

        with smtplib.SMTP("127.0.0.1", run.smtp.port, timeout=5) as smtp:
            smtp.sendmail("no-reply@macnss.example", ["assure@example.ma"], "Subject: recu\r\n\r\nok")
        assert run.smtp.count == 1
    finally:
        run.services.close()
        import shutil

        shutil.rmtree(run.tmp, ignore_errors=True)


def test_the_security_scan_runs_production_with_an_smtp_sink_on_loopback():
    scan = _module(ROOT / "scripts" / "security" / "wapiti_scan.py", "wapiti_scan_for_test")
    args = SimpleNamespace(port=8843, db_name="macnss_wapiti_unused", redis_db=14, keep=True, keep_rate_limits=False)
    instance = scan.Instance(args)
    try:
        env = {**instance.env, "WAPITI_STATIC_ROOT": str(instance.tmp / "static")}
        assert env["EMAIL_URL"] == instance.smtp.url
        result = _production_starts_with(env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.split()[0] == "django.core.mail.backends.smtp.EmailBackend"
    finally:
        instance.services.close()
        import shutil

        shutil.rmtree(instance.tmp, ignore_errors=True)
