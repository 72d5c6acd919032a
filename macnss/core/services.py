"""State changes for the outbox and the status-change log."""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import outbox_crypto
from .models import OutboundEmail, OutboundSms, OutboxStatus, StatusChange
from .sms import PermanentSmsError, TransientSmsError, get_sms_backend
from .tasks_queue import enqueue_now, enqueue_on_commit

logger = logging.getLogger(__name__)

SEND_SMS, SEND_EMAIL = "macnss.core.tasks.send_sms", "macnss.core.tasks.send_email"

REDACTED = "[contenu masqué après envoi]"
REDACTED_UNSENT = "[contenu masqué : non envoyé]"


class TransientDeliveryError(Exception):
    """The send failed for a reason that may pass; the task retries after `retry_in` seconds."""

    def __init__(self, message: str, retry_in: int):
        super().__init__(message)
        self.retry_in = retry_in


def retry_delay(attempts: int) -> int:
    """Exponential backoff after the n-th failed attempt: 15 s, 30 s, 1 min, 2 min, … capped at 10 min."""
    return min(600, 15 * 2 ** max(0, attempts - 1))


def queue_sms(*, to: str, body: str, purpose: str, language: str = "fr", sensitive: bool = False) -> OutboundSms:
    """Write the SMS to the outbox and send it once the caller's transaction commits.

    A sensitive body (a code, a temporary password, a number sent in answer to ID data) is stored
    encrypted (macnss.core.outbox_crypto) and redacted once the row is sent, failed or expired."""
    stored = outbox_crypto.encrypt(body) if sensitive else body
    sms = OutboundSms.objects.create(to=to, body=stored, purpose=purpose, language=language, sensitive=sensitive)
    enqueue_on_commit(SEND_SMS, sms.pk)
    return sms


RIGHT_TO_LEFT_MARK = "\u200f"


def right_to_left_lines(text: str) -> str:
    """Plain text whose every line starts with a RIGHT-TO-LEFT MARK (invisible). Mail clients give each
    line of a plain-text e-mail the direction of its first letter: in an Arabic e-mail, a line that starts
    with a number or a Latin code ("- 202001 : 1451.10 DH") was laid out left to right, against the rest."""
    return "\n".join(RIGHT_TO_LEFT_MARK + line if line.strip() else line for line in text.split("\n"))


def queue_email(
    *, to: str, subject: str, body: str, purpose: str, language: str = "fr", attachment=None, attachment_name=""
) -> OutboundEmail:
    """Write the e-mail (and its attachment) to the outbox and send it after commit."""
    if language.split("-")[0] in settings.LANGUAGES_BIDI:
        body = right_to_left_lines(body)
    email = OutboundEmail(
        to=to, subject=subject, body=body, purpose=purpose, language=language, attachment_name=attachment_name
    )
    if attachment is not None:
        email.attachment.save(attachment_name or "piece-jointe.pdf", attachment, save=False)
    email.save()
    enqueue_on_commit(SEND_EMAIL, email.pk)
    return email


def _claim(model, pk) -> bool:
    """Move a queued row to `sending`; only one worker wins, so a message is never sent twice."""
    return bool(
        model.objects.filter(pk=pk, status=OutboxStatus.QUEUED).update(
            status=OutboxStatus.SENDING, attempts=F("attempts") + 1, updated_at=timezone.now()
        )
    )


def _redacted_if_sensitive(model, row) -> dict:
    """The update that wipes a sensitive SMS body: for a row that reached a terminal state unsent."""
    return {"body": REDACTED_UNSENT} if model is OutboundSms and row.sensitive else {}


def _give_back(model, pk, error: str) -> None:
    row = model.objects.get(pk=pk)
    final = row.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    now = timezone.now()
    delay = retry_delay(row.attempts)
    model.objects.filter(pk=pk).update(
        status=OutboxStatus.FAILED if final else OutboxStatus.QUEUED,
        last_error=error,
        updated_at=now,
        next_attempt_at=None if final else now + timedelta(seconds=delay),
        **(_redacted_if_sensitive(model, row) if final else {}),
    )
    if final:
        logger.error("%s %s failed for good after %s attempts: %s", model.__name__, pk, row.attempts, error)
    else:
        raise TransientDeliveryError(error, retry_in=delay)


def deliver_sms(sms_id: int) -> None:
    if not _claim(OutboundSms, sms_id):
        return
    sms = OutboundSms.objects.get(pk=sms_id)
    backend = get_sms_backend()
    try:
        text = outbox_crypto.decrypt(sms.body)
    except outbox_crypto.UnreadableBody as exc:  # its key was dropped: nothing sensible can be sent
        OutboundSms.objects.filter(pk=sms_id).update(
            status=OutboxStatus.FAILED, last_error=str(exc), body=REDACTED_UNSENT, updated_at=timezone.now()
        )
        logger.error("SMS %s unreadable: %s", sms_id, exc)
        return
    try:
        sent = backend.send(to=sms.to, body=text, reference=str(sms.pk))
    except PermanentSmsError as exc:
        OutboundSms.objects.filter(pk=sms_id).update(
            status=OutboxStatus.FAILED,
            last_error=str(exc),
            backend=backend.name,
            updated_at=timezone.now(),
            **_redacted_if_sensitive(OutboundSms, sms),
        )
        logger.error("SMS %s refused by %s: %s", sms_id, backend.name, exc)
        return
    except TransientSmsError as exc:
        _give_back(OutboundSms, sms_id, str(exc))
        return
    # Only the development outbox backend keeps the clear text: it is the demo phone's inbox.
    body = (text if sent.keeps_text else REDACTED) if sms.sensitive else sms.body
    OutboundSms.objects.filter(pk=sms_id).update(
        status=OutboxStatus.SENT,
        sent_at=timezone.now(),
        backend=backend.name,
        provider_message_id=sent.provider_message_id,
        body=body,
        last_error="",
        updated_at=timezone.now(),
    )


def deliver_email(email_id: int) -> None:
    if not _claim(OutboundEmail, email_id):
        return
    row = OutboundEmail.objects.get(pk=email_id)
    message = EmailMessage(subject=row.subject, body=row.body, to=[row.to])
    if row.attachment:
        with row.attachment.open("rb") as fh:
            message.attach(row.attachment_name or "piece-jointe.pdf", fh.read(), "application/pdf")
    try:
        message.send(fail_silently=False)
    except OSError as exc:  # SMTP and socket errors: the relay may come back
        _give_back(OutboundEmail, email_id, str(exc))
        return
    OutboundEmail.objects.filter(pk=email_id).update(
        status=OutboxStatus.SENT, sent_at=timezone.now(), backend="smtp", last_error="", updated_at=timezone.now()
    )


def requeue_stuck_messages() -> int:
    """Send again what waits in `queued` (broker was down); flag what died mid-send, never resend it."""
    now = timezone.now()
    requeued = 0
    for model, task in ((OutboundSms, SEND_SMS), (OutboundEmail, SEND_EMAIL)):
        # Never published (broker down at commit), or a retry that is overdue (broker down at retry time).
        never_tried = Q(next_attempt_at__isnull=True, updated_at__lt=now - settings.OUTBOX_REQUEUE_AFTER)
        retry_overdue = Q(next_attempt_at__lt=now - settings.OUTBOX_REQUEUE_AFTER)
        waiting = model.objects.filter(never_tried | retry_overdue, status=OutboxStatus.QUEUED).values_list(
            "pk", flat=True
        )[:500]
        for pk in waiting:
            try:
                enqueue_now(task, pk)
                requeued += 1
            except Exception:
                logger.warning("Broker still unavailable; %s %s stays queued.", model.__name__, pk)
                return requeued
        # A row left in `sending` means the worker died during the provider call: the message may
        # have gone out, so an agent decides rather than risk a duplicate.
        interrupted = model.objects.filter(status=OutboxStatus.SENDING, updated_at__lt=now - timedelta(minutes=15))
        interrupted_note = "Envoi interrompu (worker arrêté pendant l'envoi) : à vérifier."
        if model is OutboundSms:
            interrupted.filter(sensitive=True).update(
                status=OutboxStatus.FAILED, last_error=interrupted_note, updated_at=now, body=REDACTED_UNSENT
            )
        interrupted.update(status=OutboxStatus.FAILED, last_error=interrupted_note, updated_at=now)
    expire_sensitive_sms()
    return requeued


def expire_sensitive_sms() -> int:
    """A code or password still unsent after OUTBOX_SENSITIVE_EXPIRY is useless: never send it, wipe it."""
    cutoff = timezone.now() - settings.OUTBOX_SENSITIVE_EXPIRY
    return OutboundSms.objects.filter(sensitive=True, status=OutboxStatus.QUEUED, created_at__lt=cutoff).update(
        status=OutboxStatus.EXPIRED,
        body=REDACTED_UNSENT,
        last_error="Expiré avant l'envoi.",
        next_attempt_at=None,
        updated_at=timezone.now(),
    )


def retry_failed_message(message) -> bool:
    """Agents' action: put a failed message back in the queue (not a sensitive SMS: its text is gone)."""
    if isinstance(message, OutboundSms) and message.sensitive:
        return False
    type(message).objects.filter(pk=message.pk, status=OutboxStatus.FAILED).update(
        status=OutboxStatus.QUEUED, attempts=0, next_attempt_at=None, updated_at=timezone.now()
    )
    enqueue_on_commit(SEND_SMS if isinstance(message, OutboundSms) else SEND_EMAIL, message.pk)
    return True


@transaction.atomic
def apply_transition(obj, transition: str, *, by=None, note: str = "", **kwargs):
    """Run a django-fsm transition method, save, and log who did it (agents' audit trail)."""
    source = obj.status
    getattr(obj, transition)(**kwargs)
    obj.save()
    StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        from_status=source,
        to_status=obj.status,
        changed_by=by if getattr(by, "is_authenticated", False) else None,
        note=note,
    )
    return obj
