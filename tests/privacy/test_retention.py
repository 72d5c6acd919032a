"""Law 09-08: rows past their retention period are deleted by the beat tasks, younger rows are kept, files go
through their storage, message texts are redacted once sent, and a second run changes nothing."""

from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import IdentityDocumentType, OneTimeCode, PhoneOperator
from macnss.core import tasks
from macnss.core.models import OutboundEmail, OutboundSms, OutboxStatus
from macnss.core.retention import delete_expired, redact_outbox_bodies, registered_rules
from macnss.core.services import REDACTED
from taawidaty.defaults import load_defaults
from taawidaty.models import ClaimDocument, ClaimStatus, RefundClaim
from tests.factories import InsuredPersonFactory
from tests.taawidaty.conftest import years_ago
from tests.taawidaty.helpers import draft_with_documents
from tns_enrollment.models import OnboardingAttempt, Outcome

pytestmark = pytest.mark.django_db


def days_ago(days: int, hours: int = 0):
    return timezone.now() - timedelta(days=days, hours=hours)


def attempt(**fields) -> OnboardingAttempt:
    return OnboardingAttempt.objects.create(
        id_document_type=IdentityDocumentType.CNIE,
        id_document_number="AB123456",
        id_document_expiry=date(2031, 1, 1),
        birth_date=date(1980, 1, 1),
        phone="+212661000001",
        phone_operator=PhoneOperator.MAROC_TELECOM,
        ip_address="196.200.1.1",
        outcome=Outcome.NOT_ELIGIBLE,
        **fields,
    )


def one_time_code() -> OneTimeCode:
    return OneTimeCode.objects.create(
        purpose="test", phone="+212661000001", code_hash="x" * 64, salt="s", expires_at=timezone.now()
    )


def test_every_period_is_a_setting_and_every_rule_is_registered(settings):
    keys = {rule.key for rule in registered_rules()}
    assert {
        "tns_enrollment.onboarding_attempts",
        "accounts.one_time_codes",
        "core.outbound_sms",
        "core.outbound_email",
        "taawidaty.refused_claim_documents",
    } <= keys
    for rule in registered_rules():
        assert isinstance(getattr(settings, rule.setting), int), rule.key
    assert settings.RETENTION_ONBOARDING_ATTEMPTS_DAYS == 365
    assert settings.RETENTION_OTP_DAYS == 30
    assert settings.RETENTION_OUTBOX_DAYS == 365
    assert settings.RETENTION_ACCESS_JOURNAL_DAYS == 5 * 365
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"macnss.core.tasks.redact_outbox_bodies", "macnss.core.tasks.delete_expired_personal_data"} <= schedule


def test_onboarding_attempts_are_kept_one_year():
    old, young = attempt(), attempt()
    OnboardingAttempt.objects.filter(pk=old.pk).update(created_at=days_ago(366))
    OnboardingAttempt.objects.filter(pk=young.pk).update(created_at=days_ago(364))
    assert tasks.delete_expired_personal_data()["tns_enrollment.onboarding_attempts"] == 1
    assert list(OnboardingAttempt.objects.values_list("pk", flat=True)) == [young.pk]


def test_one_time_codes_are_kept_thirty_days():
    old, young = one_time_code(), one_time_code()
    OneTimeCode.objects.filter(pk=old.pk).update(created_at=days_ago(31))
    OneTimeCode.objects.filter(pk=young.pk).update(created_at=days_ago(29))
    assert delete_expired()["accounts.one_time_codes"] == 1
    assert list(OneTimeCode.objects.values_list("pk", flat=True)) == [young.pk]


def test_outbox_metadata_is_kept_one_year_and_attachments_go_with_it(django_capture_on_commit_callbacks):
    old = OutboundSms.objects.create(to="+212661000001", body=REDACTED, purpose="x", status=OutboxStatus.SENT)
    young = OutboundSms.objects.create(to="+212661000001", body=REDACTED, purpose="x", status=OutboxStatus.SENT)
    OutboundSms.objects.filter(pk=old.pk).update(updated_at=days_ago(366))
    email = OutboundEmail(to="a@example.ma", subject="s", body=REDACTED, purpose="x", status=OutboxStatus.SENT)
    email.attachment.save("recu.pdf", ContentFile(b"%PDF-1.4 receipt"), save=False)
    email.save()
    storage, name = email.attachment.storage, email.attachment.name
    OutboundEmail.objects.filter(pk=email.pk).update(updated_at=days_ago(400))
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):  # files go once the deletion is committed
        deleted = delete_expired()
    assert deleted["core.outbound_sms"] == 1 and deleted["core.outbound_email"] == 1
    assert list(OutboundSms.objects.values_list("pk", flat=True)) == [young.pk]
    assert not OutboundEmail.objects.exists()
    assert not storage.exists(name)


def test_message_texts_are_redacted_once_sent_or_failed_but_not_while_waiting(
    settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = False
    sent = OutboundSms.objects.create(
        to="+212661000001", body="Votre demande RCS-2026-AAAA est rejetée", purpose="x", status=OutboxStatus.SENT
    )
    failed = OutboundSms.objects.create(to="+212661000001", body="texte", purpose="x", status=OutboxStatus.FAILED)
    waiting = OutboundSms.objects.create(to="+212661000001", body="en attente", purpose="x")
    demo = OutboundSms.objects.create(
        to="+212661000001", body="code 123456", purpose="x", status=OutboxStatus.SENT, backend="outbox"
    )
    email = OutboundEmail(to="a@example.ma", subject="Reçu", body="Bonjour Salma", purpose="x", status="sent")
    email.attachment.save("recu.pdf", ContentFile(b"%PDF-1.4 receipt"), save=False)
    email.save()
    storage, name = email.attachment.storage, email.attachment.name
    before = OutboundSms.objects.get(pk=sent.pk).updated_at
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.redact_outbox_bodies() == 3
    texts = dict(OutboundSms.objects.values_list("pk", "body"))
    assert texts[sent.pk] == REDACTED and texts[failed.pk] == REDACTED
    assert texts[waiting.pk] == "en attente"  # still to be sent
    assert texts[demo.pk] == "code 123456"  # the development outbox keeps it for the demo phone
    email.refresh_from_db()
    assert email.body == REDACTED and not email.attachment and not storage.exists(name)
    assert email.subject == "Reçu"  # metadata stays for a year
    assert OutboundSms.objects.get(pk=sent.pk).updated_at == before  # the year counts from the send
    assert redact_outbox_bodies() == 0  # idempotent


def test_documents_of_a_refused_or_abandoned_claim_are_deleted_with_their_files(
    settings, django_capture_on_commit_callbacks
):
    load_defaults()
    settings.RETENTION_REFUSED_REQUEST_DOCUMENTS_DAYS = 180

    def claim_with_documents(status, **dates):
        person = InsuredPersonFactory(birth_date=years_ago(61), declared_days=900)
        claim = draft_with_documents(person)
        RefundClaim.objects.filter(pk=claim.pk).update(status=status, **dates)
        return claim

    refused_long_ago = claim_with_documents(ClaimStatus.REJECTED, decided_at=days_ago(181))
    refused_lately = claim_with_documents(ClaimStatus.REJECTED, decided_at=days_ago(179))
    abandoned = claim_with_documents(ClaimStatus.DRAFT, updated_at=days_ago(200))
    accepted_long_ago = claim_with_documents(ClaimStatus.ACCEPTED, decided_at=days_ago(900))
    files = {doc.pk: (doc.file.storage, doc.file.name) for doc in ClaimDocument.objects.all()}
    gone = set(ClaimDocument.objects.filter(claim__in=[refused_long_ago, abandoned]).values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        assert delete_expired()["taawidaty.refused_claim_documents"] == len(gone) > 0
    remaining = set(ClaimDocument.objects.values_list("claim_id", flat=True))
    assert remaining == {refused_lately.pk, accepted_long_ago.pk}
    for pk, (storage, name) in files.items():
        assert storage.exists(name) == (pk not in gone)
    assert RefundClaim.objects.filter(pk=refused_long_ago.pk).exists()  # the claim itself stays
    assert delete_expired()["taawidaty.refused_claim_documents"] == 0  # idempotent


def test_deletes_go_in_small_batches_and_a_run_is_bounded(settings):
    settings.RETENTION_BATCH_SIZE = 2
    settings.RETENTION_MAX_BATCHES = 2
    for _ in range(5):
        one_time_code()
    OneTimeCode.objects.update(created_at=days_ago(40))
    assert delete_expired()["accounts.one_time_codes"] == 4  # two batches of two
    assert delete_expired()["accounts.one_time_codes"] == 1  # the rest on the next run
    assert not OneTimeCode.objects.exists()
