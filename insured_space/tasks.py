"""Thin Celery tasks of «Mon immatriculation»: they take ids and call a service."""

from celery import shared_task

from . import services


@shared_task(bind=True, max_retries=5, acks_late=True)  # idempotent: a redelivered task finds the PDF and stops
def build_attestation_pdf(self, attestation_id: int) -> bool:
    try:
        return services.build_attestation_pdf(attestation_id)
    except OSError as exc:  # storage hiccup while writing the PDF
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


@shared_task
def requeue_missing_pdfs() -> int:
    return services.requeue_missing_pdfs()
