"""Fast checks of the fault scripts' helpers (the scripts themselves run with scripts/faults/run_all.sh)."""

import importlib
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
