"""Thin Celery tasks of the ASVI payment journey: they take ids and call a service."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(bind=True, max_retries=5)
def send_receipt(self, order_id: int) -> bool:
    try:
        return services.send_receipt(order_id=order_id)
    except OSError as exc:  # storage hiccup while writing the PDF
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


@shared_task
def generate_current_quarter_dues() -> int:
    year, quarter = services.quarter_of(timezone.localdate())
    return services.generate_quarterly_dues(year=year, quarter=quarter)


@shared_task
def reconcile_payments() -> int:
    expired = services.expire_stale_orders(older_than=timedelta(minutes=60))
    services.requeue_missing_receipts()
    return expired
