"""The outbox: every SMS/e-mail is a row first, sent by a task after commit, retried, never duplicated."""

from datetime import timedelta

import pytest
import responses
from django.core import mail
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from macnss.core import services
from macnss.core.models import OutboundEmail, OutboundSms, OutboxStatus
from macnss.core.sms import PermanentSmsError, TransientSmsError

pytestmark = pytest.mark.django_db(transaction=True)


def test_sms_is_sent_after_commit_with_the_outbox_backend():
    with transaction.atomic():
        sms = services.queue_sms(to="+212612345678", body="Bonjour", purpose="test")
        assert OutboundSms.objects.get(pk=sms.pk).status == OutboxStatus.QUEUED
    sms.refresh_from_db()
    assert sms.status == OutboxStatus.SENT
    assert sms.backend == "outbox"
    assert sms.body == "Bonjour"  # the demo phone can show it


def test_nothing_is_sent_when_the_transaction_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        services.queue_sms(to="+212612345678", body="Bonjour", purpose="test")
        raise RuntimeError
    assert not OutboundSms.objects.exists()


class FlakyBackend:
    name = "flaky"

    def __init__(self, errors):
        self.errors = list(errors)
        self.sent = []

    def send(self, *, to, body, reference):
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(body)
        from macnss.core.sms import SentSms

        return SentSms(provider_message_id="p-1", keeps_text=False)


def test_transient_errors_are_retried_then_sent_once(monkeypatch):
    backend = FlakyBackend([TransientSmsError("503"), TransientSmsError("timeout")])
    monkeypatch.setattr(services, "get_sms_backend", lambda: backend)
    sms = services.queue_sms(to="+212612345678", body="Votre code 123456", purpose="otp", sensitive=True)
    sms.refresh_from_db()
    assert sms.status == OutboxStatus.SENT
    assert sms.attempts == 3
    assert backend.sent == ["Votre code 123456"]
    assert sms.body == services.REDACTED  # a real provider has it: the code is not kept


def test_permanent_error_marks_the_message_failed_for_agents(monkeypatch):
    backend = FlakyBackend([PermanentSmsError("invalid number")])
    monkeypatch.setattr(services, "get_sms_backend", lambda: backend)
    sms = services.queue_sms(to="+212612345678", body="x", purpose="test")
    sms.refresh_from_db()
    assert sms.status == OutboxStatus.FAILED
    assert "invalid number" in sms.last_error
    assert backend.sent == []


def test_endless_transient_errors_end_as_failed(monkeypatch, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    backend = FlakyBackend([TransientSmsError("down")] * 10)
    monkeypatch.setattr(services, "get_sms_backend", lambda: backend)
    sms = services.queue_sms(to="+212612345678", body="x", purpose="test")
    sms.refresh_from_db()
    assert sms.status == OutboxStatus.FAILED
    assert sms.attempts == 3


def test_a_message_is_never_sent_twice(monkeypatch):
    backend = FlakyBackend([])
    monkeypatch.setattr(services, "get_sms_backend", lambda: backend)
    sms = services.queue_sms(to="+212612345678", body="once", purpose="test")
    services.deliver_sms(sms.pk)  # a duplicate task delivery
    services.deliver_sms(sms.pk)
    assert backend.sent == ["once"]


def test_broker_down_leaves_the_row_queued_and_the_beat_task_requeues_it(monkeypatch):
    from macnss.core import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.send_sms, "apply_async", broker_down)
    sms = services.queue_sms(to="+212612345678", body="later", purpose="test")
    sms.refresh_from_db()
    assert sms.status == OutboxStatus.QUEUED
    monkeypatch.undo()
    OutboundSms.objects.filter(pk=sms.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    assert services.requeue_stuck_messages() == 1
    sms.refresh_from_db()
    assert sms.status == OutboxStatus.SENT


def test_a_message_interrupted_mid_send_is_flagged_not_resent():
    sms = OutboundSms.objects.create(to="+212612345678", body="x", purpose="t", status=OutboxStatus.SENDING)
    OutboundSms.objects.filter(pk=sms.pk).update(updated_at=timezone.now() - timedelta(minutes=30))
    services.requeue_stuck_messages()
    sms.refresh_from_db()
    assert sms.status == OutboxStatus.FAILED
    assert "interrompu" in sms.last_error


def test_agents_can_retry_a_failed_message():
    sms = OutboundSms.objects.create(to="+212612345678", body="x", purpose="t", status=OutboxStatus.FAILED, attempts=6)
    with transaction.atomic():
        services.retry_failed_message(sms)
    sms.refresh_from_db()
    assert sms.status == OutboxStatus.SENT


def test_email_with_pdf_attachment_goes_through_the_outbox():
    email = services.queue_email(
        to="assure@example.ma",
        subject="Reçu",
        body="Votre reçu",
        purpose="receipt",
        attachment=ContentFile(b"%PDF-1.7 test"),
        attachment_name="recu.pdf",
    )
    email.refresh_from_db()
    assert email.status == OutboxStatus.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].attachments[0][0] == "recu.pdf"
    assert mail.outbox[0].attachments[0][1] == b"%PDF-1.7 test"


@responses.activate
def test_twilio_backend_speaks_to_twilio_http_api(settings):
    from macnss.core.sms import TwilioSmsBackend

    settings.TWILIO_ACCOUNT_SID = "ACtest"
    settings.TWILIO_AUTH_TOKEN = "token"
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    responses.post(
        "https://api.twilio.com/2010-04-01/Accounts/ACtest/Messages.json",
        json={"sid": "SM123", "status": "queued", "body": "hi", "to": "+212612345678"},
        status=201,
    )
    sent = TwilioSmsBackend().send(to="+212612345678", body="hi", reference="1")
    assert sent.provider_message_id == "SM123"
    assert not sent.keeps_text
    assert "To=%2B212612345678" in responses.calls[0].request.body


@responses.activate
@pytest.mark.parametrize(
    ("status", "error"), [(503, TransientSmsError), (429, TransientSmsError), (400, PermanentSmsError)]
)
def test_twilio_errors_are_classified(settings, status, error):
    from macnss.core.sms import TwilioSmsBackend

    settings.TWILIO_ACCOUNT_SID = "ACtest"
    settings.TWILIO_AUTH_TOKEN = "token"
    responses.post(
        "https://api.twilio.com/2010-04-01/Accounts/ACtest/Messages.json",
        json={"code": 21211, "message": "nope", "status": status},
        status=status,
    )
    with pytest.raises(error):
        TwilioSmsBackend().send(to="+212612345678", body="hi", reference="1")


def test_outbox_email_sent_once_even_if_delivered_twice():
    email = services.queue_email(to="a@example.ma", subject="s", body="b", purpose="t")
    services.deliver_email(email.pk)
    assert len(mail.outbox) == 1
    assert OutboundEmail.objects.get(pk=email.pk).status == OutboxStatus.SENT


def test_the_beat_requeue_does_not_cut_a_retry_backoff_short():
    # A transient failure scheduled a retry in 4 minutes: the beat task must leave the row alone.
    row = OutboundSms.objects.create(
        to="+212612345678", body="x", purpose="t", attempts=4, next_attempt_at=timezone.now() + timedelta(minutes=4)
    )
    OutboundSms.objects.filter(pk=row.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    assert services.requeue_stuck_messages() == 0
    # …but a retry that is overdue (its publish was lost with the broker) is picked up.
    OutboundSms.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    assert services.requeue_stuck_messages() == 1


def test_backoff_grows_and_is_recorded(monkeypatch):
    backend = FlakyBackend([TransientSmsError("503")] * 3)
    monkeypatch.setattr(services, "get_sms_backend", lambda: backend)
    sms = OutboundSms.objects.create(to="+212612345678", body="x", purpose="t")
    delays = []
    for _ in range(3):
        with pytest.raises(services.TransientDeliveryError) as exc:
            services.deliver_sms(sms.pk)
        delays.append(exc.value.retry_in)
    assert delays == [15, 30, 60]
    sms.refresh_from_db()
    assert sms.status == OutboxStatus.QUEUED
    assert sms.next_attempt_at > timezone.now() + timedelta(seconds=50)


def test_after_a_broker_failure_publishing_is_skipped_for_a_few_seconds(monkeypatch):
    from macnss.core import tasks, tasks_queue

    calls = []

    def broker_down(*args, **kwargs):
        calls.append(1)
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.send_sms, "apply_async", broker_down)
    monkeypatch.setattr(tasks_queue, "_broker_down_until", 0.0)
    services.queue_sms(to="+212612345678", body="a", purpose="t")
    services.queue_sms(to="+212612345678", body="b", purpose="t")
    assert len(calls) == 1  # the second message did not wait for the broker again
    assert OutboundSms.objects.filter(status=OutboxStatus.QUEUED).count() == 2
    monkeypatch.setattr(tasks_queue, "_broker_down_until", 0.0)


def test_rate_limits_let_requests_through_when_the_cache_is_down(settings):
    from django.test import RequestFactory

    from macnss.core.views import too_many_attempts

    settings.CACHES = {**settings.CACHES, "down": {"BACKEND": "tests.core.test_outbox.UnreachableCache"}}
    settings.RATELIMIT_USE_CACHE = "down"
    request = RequestFactory().post("/")
    assert not any(too_many_attempts(request, "t", "1/h") for _ in range(3))


from django.core.cache.backends.base import BaseCache  # noqa: E402


class UnreachableCache(BaseCache):
    """What django-redis answers with IGNORE_EXCEPTIONS while Redis is down: nothing."""

    def __init__(self, *args, **kwargs):
        super().__init__({})

    def add(self, *args, **kwargs):
        return None

    def incr(self, *args, **kwargs):
        return None

    def get(self, key, default=None, version=None):
        return default


def test_demo_mailbox_shows_emails_and_their_pdf_only_in_development(client, settings):
    email = services.queue_email(
        to="assure@example.ma",
        subject="Reçu de règlement",
        body="Bonjour",
        purpose="t",
        attachment=ContentFile(b"%PDF-1.7 recu"),
        attachment_name="recu.pdf",
    )
    assert client.get("/boite-mail-demo/").status_code == 404  # DEBUG off, as in production
    settings.DEBUG = True
    page = client.get("/boite-mail-demo/").content.decode()
    assert "Reçu de règlement" in page
    response = client.get(f"/boite-mail-demo/{email.pk}/piece-jointe/")
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"%PDF-1.7 recu"
