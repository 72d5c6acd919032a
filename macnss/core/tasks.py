"""Thin Celery tasks: they take ids and call a service."""

from celery import shared_task

from . import services


@shared_task(bind=True, max_retries=8, acks_late=False)
def send_sms(self, sms_id: int) -> None:
    # Early ack: a provider call is not idempotent, the outbox row guards against duplicates.
    try:
        services.deliver_sms(sms_id)
    except services.TransientDeliveryError as exc:
        raise self.retry(exc=exc, countdown=exc.retry_in) from exc


@shared_task(bind=True, max_retries=8, acks_late=False)
def send_email(self, email_id: int) -> None:
    try:
        services.deliver_email(email_id)
    except services.TransientDeliveryError as exc:
        raise self.retry(exc=exc, countdown=exc.retry_in) from exc


@shared_task
def requeue_stuck_messages() -> int:
    return services.requeue_stuck_messages()


@shared_task
def purge_expired_captchas() -> int:
    """Expired captchas, which PortalCaptchaField does not purge on each submission as the library's field does."""
    from captcha.models import CaptchaStore
    from django.utils import timezone

    deleted, _ = CaptchaStore.objects.filter(expiration__lte=timezone.now()).delete()
    return deleted


@shared_task
def redact_outbox_bodies() -> int:
    """Law 09-08: a message's text is not kept once it was sent or failed for good."""
    from .retention import redact_outbox_bodies as redact

    return redact()


@shared_task
def delete_expired_personal_data() -> dict:
    """Law 09-08: every app's rows past their retention period (macnss.core.retention)."""
    from .retention import delete_expired

    return delete_expired()
