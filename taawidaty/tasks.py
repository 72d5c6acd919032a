"""Thin Celery tasks: ids in, services do the work, idempotent."""

from celery import shared_task

from . import services


@shared_task(
    bind=True,
    acks_late=True,  # idempotent: a redelivered task finds the receipt and stops
    autoretry_for=(Exception,),
    retry_backoff=15,
    retry_backoff_max=600,
    max_retries=8,
)
def build_receipt(self, claim_id: int) -> bool:
    return services.build_receipt(claim_id)


@shared_task
def requeue_missing_receipts() -> int:
    return services.requeue_missing_receipts()
