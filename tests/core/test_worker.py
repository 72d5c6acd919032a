"""With a real Celery worker on Redis and PostgreSQL (CI: `make test-worker`): messages queued in a
request's transaction are delivered by the worker after commit, exactly once."""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection, transaction

from macnss.celery import ALL_QUEUES, app
from macnss.core import services
from macnss.core.models import OutboundSms, OutboxStatus

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (os.environ.get("CELERY_TEST_REAL_WORKER") and os.environ.get("REDIS_URL")),
        reason="needs CELERY_TEST_REAL_WORKER=1, REDIS_URL and PostgreSQL (make test-worker)",
    ),
]


def _start_worker(queues: str, *, log=None, loglevel: str = "WARNING") -> subprocess.Popen:
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the test database: PostgreSQL only")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "macnss.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_TEST_REAL_WORKER": "1",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "macnss",
            "worker",
            "--pool=solo",
            f"--loglevel={loglevel}",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            queues,
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT if log else None,
    )
    return process


@pytest.fixture
def worker():
    process = _start_worker(ALL_QUEUES)
    yield process
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture
def sms_worker():
    """A worker of the `sms` queue alone, as production runs one per queue."""
    process = _start_worker("sms")
    yield process
    process.terminate()
    process.wait(timeout=30)


def _wait_for(predicate, timeout=40):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def test_worker_delivers_queued_sms_once(worker):
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    with transaction.atomic():
        sms = [services.queue_sms(to=f"+21266100000{i}", body=f"message {i}", purpose="worker-test") for i in range(5)]
    assert _wait_for(lambda: OutboundSms.objects.filter(status=OutboxStatus.SENT).count() == 5)
    for row in OutboundSms.objects.filter(pk__in=[s.pk for s in sms]):
        assert row.attempts == 1
        assert row.backend == "outbox"


def test_worker_picks_up_rows_requeued_after_a_broker_outage(worker):
    # A row written while the broker was down stays queued; the beat task's re-queue sends it.
    row = OutboundSms.objects.create(to="+212661000009", body="late", purpose="worker-test")
    OutboundSms.objects.filter(pk=row.pk).update(updated_at=row.created_at.replace(year=2000))
    assert services.requeue_stuck_messages() == 1
    assert _wait_for(lambda: OutboundSms.objects.get(pk=row.pk).status == OutboxStatus.SENT)


def _waiting_in(queue: str) -> int:
    with app.connection_for_write() as conn:
        return conn.default_channel.queue_declare(queue=queue, passive=True).message_count


def test_a_one_time_code_leaves_while_200_receipts_wait(sms_worker):
    from accounts.otp import issue_code
    from taawidaty.tasks import build_receipt

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("pdf")
    for claim_id in range(1, 201):
        build_receipt.apply_async(args=(claim_id,))
    assert _waiting_in("pdf") == 200
    with transaction.atomic():
        issue_code(purpose="worker-test", phone="+212661000042")
    try:
        assert _wait_for(lambda: OutboundSms.objects.filter(to="+212661000042", status=OutboxStatus.SENT).exists(), 20)
        # Nothing consumed the receipts: the code did not wait behind them.
        assert _waiting_in("pdf") == 200
    finally:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("pdf")


def test_the_task_log_lines_carry_the_request_id_of_the_request_that_queued_them(tmp_path):
    from macnss.core.request_id import current_request_id

    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        process = _start_worker(ALL_QUEUES, log=log, loglevel="INFO")
        try:
            token = current_request_id.set("req-worker-test-42")
            try:
                with transaction.atomic():
                    row = services.queue_sms(to="+212661000077", body="request id", purpose="worker-test")
            finally:
                current_request_id.reset(token)
            assert _wait_for(lambda: OutboundSms.objects.get(pk=row.pk).status == OutboxStatus.SENT)
            assert _wait_for(lambda: "succeeded" in log_path.read_text(), 10)
        finally:
            process.terminate()
            process.wait(timeout=30)
    lines = [line for line in log_path.read_text().splitlines() if "send_sms" in line and "succeeded" in line]
    assert lines and all("[req-worker-test-42]" in line for line in lines), log_path.read_text()[-2000:]
