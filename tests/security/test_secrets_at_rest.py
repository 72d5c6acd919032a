"""Audit M3: a code or temporary password is never readable in the outbox — encrypted while it waits,
wiped once sent (unless the development outbox backend is the demo phone), failed or expired — and
nobody reads it in the admin."""

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.db import transaction
from django.utils import timezone

from macnss.core import outbox_crypto, services
from macnss.core.models import OutboundSms, OutboxStatus
from macnss.core.sms import PermanentSmsError, SentSms, TransientSmsError

CODE = "Ma CNSS : votre code est 482915. Il expire dans 10 minutes."

pytestmark = pytest.mark.django_db(transaction=True)


def stored_body(sms) -> str:
    return OutboundSms.objects.values_list("body", flat=True).get(pk=sms.pk)


class RealProvider:
    name = "twilio"

    def __init__(self, error=None):
        self.error = error
        self.sent = []

    def send(self, *, to, body, reference):
        if self.error:
            raise self.error
        self.sent.append(body)
        return SentSms(provider_message_id="SM1", keeps_text=False)


def test_a_queued_code_is_encrypted_in_the_database():
    with transaction.atomic():
        sms = services.queue_sms(to="+212612345678", body=CODE, purpose="otp:test", sensitive=True)
        body = stored_body(sms)
        assert "482915" not in body
        assert body.startswith("enc1:")
        assert outbox_crypto.decrypt(body) == CODE


def test_a_code_that_failed_for_good_is_wiped(monkeypatch):
    provider = RealProvider(PermanentSmsError("invalid number"))
    monkeypatch.setattr(services, "get_sms_backend", lambda: provider)
    sms = services.queue_sms(to="+212612345678", body=CODE, purpose="otp:test", sensitive=True)
    sms.refresh_from_db()
    assert sms.status == OutboxStatus.FAILED
    assert "482915" not in sms.body and not sms.body.startswith("enc1:")


def test_a_code_that_exhausted_its_retries_is_wiped(monkeypatch, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    monkeypatch.setattr(services, "get_sms_backend", lambda: RealProvider(TransientSmsError("503")))
    sms = services.queue_sms(to="+212612345678", body=CODE, purpose="otp:test", sensitive=True)
    sms.refresh_from_db()
    assert sms.status == OutboxStatus.FAILED
    assert "482915" not in sms.body and not sms.body.startswith("enc1:")


def test_a_code_sent_by_a_real_provider_is_wiped_and_was_sent_in_clear(monkeypatch):
    provider = RealProvider()
    monkeypatch.setattr(services, "get_sms_backend", lambda: provider)
    sms = services.queue_sms(to="+212612345678", body=CODE, purpose="otp:test", sensitive=True)
    sms.refresh_from_db()
    assert provider.sent == [CODE]
    assert sms.status == OutboxStatus.SENT and sms.body == services.REDACTED


def test_only_the_development_outbox_backend_keeps_the_text_for_the_demo_phone():
    sms = services.queue_sms(to="+212612345678", body=CODE, purpose="otp:test", sensitive=True)
    sms.refresh_from_db()
    assert (sms.status, sms.backend, sms.body) == (OutboxStatus.SENT, "outbox", CODE)


def test_a_code_never_sent_expires_and_is_wiped(settings):
    sms = services.queue_sms(to="+212612345678", body=CODE, purpose="otp:test", sensitive=True)
    # As if the broker never got it: the row still waits, encrypted, two hours later.
    OutboundSms.objects.filter(pk=sms.pk).update(
        status=OutboxStatus.QUEUED, body=outbox_crypto.encrypt(CODE), created_at=timezone.now() - timedelta(hours=2)
    )
    services.requeue_stuck_messages()
    sms.refresh_from_db()
    assert sms.status == OutboxStatus.EXPIRED
    assert "482915" not in sms.body and not sms.body.startswith("enc1:")


def test_a_non_sensitive_message_is_kept_in_clear_for_agents():
    sms = services.queue_sms(to="+212612345678", body="Votre demande est enregistrée.", purpose="t")
    assert stored_body(sms) == "Votre demande est enregistrée."


def test_keys_rotate_by_id(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.OUTBOX_ENCRYPTION_KEYS = [f"2026a:{old}"]
    written_with_old = outbox_crypto.encrypt(CODE)
    assert written_with_old.startswith("enc1:2026a:")
    settings.OUTBOX_ENCRYPTION_KEYS = [f"2026b:{new}", f"2026a:{old}"]
    assert outbox_crypto.encrypt(CODE).startswith("enc1:2026b:")
    assert outbox_crypto.decrypt(written_with_old) == CODE
    settings.OUTBOX_ENCRYPTION_KEYS = [f"2026b:{new}"]
    with pytest.raises(outbox_crypto.UnreadableBody):
        outbox_crypto.decrypt(written_with_old)


def test_a_row_whose_key_was_dropped_fails_wiped_instead_of_sending_garbage(settings, monkeypatch):
    provider = RealProvider()
    monkeypatch.setattr(services, "get_sms_backend", lambda: provider)
    settings.OUTBOX_ENCRYPTION_KEYS = [f"old:{Fernet.generate_key().decode()}"]
    with transaction.atomic():
        sms = services.queue_sms(to="+212612345678", body=CODE, purpose="otp:test", sensitive=True)
        settings.OUTBOX_ENCRYPTION_KEYS = [f"new:{Fernet.generate_key().decode()}"]
    sms.refresh_from_db()
    assert provider.sent == []
    assert sms.status == OutboxStatus.FAILED and "482915" not in sms.body


@pytest.mark.parametrize("state", ["queued", "failed"])
def test_no_clear_code_in_the_admin(admin_client, state, monkeypatch):
    if state == "failed":
        monkeypatch.setattr(services, "get_sms_backend", lambda: RealProvider(PermanentSmsError("refused")))
        sms = services.queue_sms(to="+212612345678", body=CODE, purpose="otp:test", sensitive=True)
    else:
        with transaction.atomic():
            sms = services.queue_sms(to="+212612345678", body=CODE, purpose="otp:test", sensitive=True)
        OutboundSms.objects.filter(pk=sms.pk).update(status=OutboxStatus.QUEUED, body=outbox_crypto.encrypt(CODE))
    for url in (f"/admin/core/outboundsms/{sms.pk}/change/", "/admin/core/outboundsms/"):
        html = admin_client.get(url).content.decode()
        assert "482915" not in html
        assert "enc1:" not in html
    change = admin_client.get(f"/admin/core/outboundsms/{sms.pk}/change/").content.decode()
    assert "Contenu sensible" in change
    assert 'name="body"' not in change


def test_agents_cannot_resend_a_wiped_code(admin_client, monkeypatch):
    monkeypatch.setattr(services, "get_sms_backend", lambda: RealProvider(PermanentSmsError("refused")))
    sms = services.queue_sms(to="+212612345678", body=CODE, purpose="otp:test", sensitive=True)
    assert services.retry_failed_message(OutboundSms.objects.get(pk=sms.pk)) is False
    assert OutboundSms.objects.get(pk=sms.pk).status == OutboxStatus.FAILED
