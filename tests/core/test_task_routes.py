"""Queues by kind (issue 20 §4): codes by SMS, e-mails and PDFs never wait behind one another."""

import importlib
import inspect
from pathlib import Path

import pytest

from macnss.celery import ALL_QUEUES, app

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


@pytest.fixture(autouse=True, scope="module")
def _tasks_registered():
    app.autodiscover_tasks(force=True)


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("macnss.core.tasks.send_sms", "sms"),
        ("macnss.core.tasks.send_email", "email"),
        ("taawidaty.tasks.build_receipt", "pdf"),
        ("asvi_payment.tasks.send_receipt", "pdf"),
        ("macnss.core.tasks.requeue_stuck_messages", "celery"),
    ],
)
def test_each_kind_of_task_goes_to_its_queue(task, queue):
    assert task in app.tasks
    assert app.amqp.router.route({}, task)["queue"].name == queue


def test_a_worker_of_every_queue_serves_every_task():
    routed = {app.amqp.router.route({}, name)["queue"].name for name in app.tasks if not name.startswith("celery.")}
    assert routed <= set(ALL_QUEUES.split(","))


def test_the_harness_workers_serve_every_queue(monkeypatch):
    monkeypatch.syspath_prepend(str(SCRIPTS))
    harness = importlib.import_module("harness")
    assert harness.ALL_QUEUES == ALL_QUEUES
    assert inspect.signature(harness.Portal.start_worker).parameters["queues"].default == ALL_QUEUES
