"""Liveness, readiness (issue 20 §7) and the request id carried by every log line."""

import logging
import re

import pytest
from django.core.files.storage import default_storage
from django.test import RequestFactory

from macnss.core import request_id as request_id_module
from macnss.core.request_id import RequestIdFilter, RequestIdMiddleware, current_request_id

pytestmark = pytest.mark.django_db


def test_liveness_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_checks_every_dependency(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert set(checks) >= {"database", "cache", "storage", "antivirus"}
    assert all(check["ok"] for check in checks.values())


def test_a_failing_storage_takes_the_node_out_without_saying_why(client, monkeypatch):
    def broken_save(*args, **kwargs):
        raise OSError("bucket macnss-private unreachable at 10.0.0.7")

    monkeypatch.setattr(default_storage, "save", broken_save)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["storage"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert b"10.0.0.7" not in response.content and b"bucket" not in response.content


def test_an_antivirus_that_does_not_answer_makes_the_node_unready(client, settings, tmp_path):
    settings.ANTIVIRUS_BACKEND = "clamd"
    settings.CLAMD_SOCKET = str(tmp_path / "no-clamd.ctl")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["antivirus"]["ok"] is False


def test_each_response_carries_a_fresh_request_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [("lb-7f3a9c0e12", True), ("x\nFORGED log line", False), ("short", False), ("a" * 65, False)],
)
def test_only_a_well_formed_incoming_request_id_is_kept(incoming, kept):
    seen = {}

    def view(request):
        seen["id"] = current_request_id.get()
        from django.http import HttpResponse

        return HttpResponse("ok")

    response = RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID=incoming))
    assert (seen["id"] == incoming) is kept
    assert response["X-Request-ID"] == seen["id"]
    assert current_request_id.get() == "-", "the id does not leak into the next request of the thread"


def test_log_records_carry_the_current_request_id():
    token = current_request_id.set("req-0123456789")
    try:
        record = logging.LogRecord("macnss", logging.INFO, __file__, 1, "hello", None, None)
        assert RequestIdFilter().filter(record)
        assert record.request_id == "req-0123456789"
    finally:
        current_request_id.reset(token)


def test_tasks_receive_the_request_id_in_a_message_header_and_adopt_it():
    class Task:
        class request:  # noqa: N801 - shaped like celery's Task.request
            request_id = "req-0123456789"

    headers = {}
    token = current_request_id.set("req-0123456789")
    try:
        request_id_module.carry_request_id(headers=headers)
    finally:
        current_request_id.reset(token)
    assert headers == {"request_id": "req-0123456789"}

    request_id_module.adopt_request_id(task_id="t1", task=Task)
    assert current_request_id.get() == "req-0123456789"
    request_id_module.drop_request_id(task_id="t1")
    assert current_request_id.get() == "-"
