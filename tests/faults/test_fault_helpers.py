"""Fast checks of the fault scripts' helpers (the scripts themselves run with scripts/faults/run_all.sh)."""

import importlib
import shutil
import sys
from pathlib import Path

import pytest

FAULTS = Path(__file__).resolve().parents[2] / "scripts" / "faults"


@pytest.fixture(autouse=True)
def _faults_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(FAULTS))


def test_hidden_fields_reads_csrf_captcha_and_gateway_fields():
    journeys = importlib.import_module("journeys")
    html = (
        '<form><input type="hidden" name="csrfmiddlewaretoken" value="abc">'
        '<input type="text" name="number" value="123">'
        '<input type="hidden" name="captcha_0" value="k&amp;1" id="x">'
        '<input type="hidden" name="oid" value="ASVI-1"></form>'
    )
    assert journeys.hidden_fields(html) == {"csrfmiddlewaretoken": "abc", "captcha_0": "k&1", "oid": "ASVI-1"}


def test_expected_backoff_matches_the_sms_task():
    from macnss.core.services import retry_delay

    sms = importlib.import_module("sms_provider_errors")
    assert sms.expected_schedule(6) == [15, 30, 60, 120, 240]
    assert sms.expected_schedule(6) == [retry_delay(attempt) for attempt in range(1, 6)]


def test_faults_settings_only_shorten_the_delays(monkeypatch):
    monkeypatch.setenv("FAULTS_REQUEUE_AFTER_SECONDS", "7")
    monkeypatch.setenv("FAULTS_OUTBOX_BEAT_SECONDS", "3")
    sys.modules.pop("faults_settings", None)
    module = importlib.import_module("faults_settings")
    base = importlib.import_module("macnss.settings.base")
    assert module.OUTBOX_REQUEUE_AFTER.total_seconds() == 7
    assert module.CELERY_BEAT_SCHEDULE["requeue-stuck-outbox"]["schedule"] == 3.0
    assert base.CELERY_BEAT_SCHEDULE["requeue-stuck-outbox"]["schedule"] == 60.0  # shared settings untouched
    assert module.CELERY_TASK_ACKS_LATE is base.CELERY_TASK_ACKS_LATE is True
    assert module.RATELIMIT_FAIL_OPEN is base.RATELIMIT_FAIL_OPEN is True  # the fix is in the shared settings
    sys.modules.pop("faults_settings", None)


@pytest.fixture
def fault_run(monkeypatch):
    """fault_run with the database and Django steps stubbed: only its command line and report run."""
    module = importlib.import_module("fault_run")
    harness = importlib.import_module("harness")
    monkeypatch.setattr(module, "prepare", lambda run, seed=False: None)
    monkeypatch.setattr(harness, "interruptible", lambda: None)  # pytest keeps its own SIGTERM handler
    monkeypatch.setattr(harness.Portal, "setup_django", lambda self: None)
    monkeypatch.setattr(harness.Portal, "close", lambda self: shutil.rmtree(self.workdir))
    return module


def test_a_fault_script_exits_1_when_its_scenario_crashes_and_0_when_every_check_passes(fault_run, capsys):
    def crash(run, report, args):
        report.check(True, "first step")
        raise ValueError("boom")

    assert fault_run.main(crash, title="t", doc="", port=8790, argv=[]) == 1
    assert "FAIL run — ValueError('boom')" in capsys.readouterr().out

    seen = {}

    def passes(run, report, args):
        seen.update(port=run.port, keep=run.keep, tries=args.tries, env=run.env()["FAULTS_X"])
        report.check(True, "the only step")

    def options(parser):
        parser.add_argument("--tries", type=int, default=6)

    code = fault_run.main(
        passes, title="t", doc="", port=8790, options=options, env=lambda a: {"FAULTS_X": a.tries}, argv=["--keep"]
    )
    assert code == 0
    assert seen == {"port": 8790, "keep": True, "tries": 6, "env": "6"}


def test_a_fault_script_refuses_a_port_outside_its_range(fault_run):
    with pytest.raises(SystemExit):
        fault_run.main(lambda *a: None, title="t", doc="", port=8790, argv=["--port", "8600"])


def test_the_portal_environment_ignores_what_the_shell_exported(monkeypatch):
    harness = importlib.import_module("harness")
    monkeypatch.setenv("DATABASE_URL", "postgres://elsewhere/prod")
    monkeypatch.setenv("MACNSS_BENCH_ENDPOINT", "1")
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "macnss.settings.development")
    portal = harness.Portal("test", port=8790, db_name="macnss_unit", redis_db=9, env={"LOG_LEVEL": "INFO"})
    try:
        env = portal.env(MEDIA_ROOT="/x")
        assert env["DATABASE_URL"] == "postgres://postgres@127.0.0.1:5432/macnss_unit"
        assert env["REDIS_URL"].endswith("/9")
        assert "MACNSS_BENCH_ENDPOINT" not in env and "DJANGO_SETTINGS_MODULE" not in env
        assert (env["LOG_LEVEL"], env["MEDIA_ROOT"]) == ("INFO", "/x")
    finally:
        shutil.rmtree(portal.workdir)


def test_the_harness_refuses_to_start_gunicorn_on_a_busy_port():
    import socket

    harness = importlib.import_module("harness")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        portal = harness.Portal("test", port=port, db_name="macnss_unit", redis_db=9)
        try:
            with pytest.raises(RuntimeError, match="already listens"):
                portal.start_gunicorn()
            assert portal.procs == []
        finally:
            shutil.rmtree(portal.workdir)
