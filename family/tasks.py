"""Thin Celery tasks: services do the work, idempotent."""

from celery import shared_task

from . import services


@shared_task
def send_age_limit_reminders() -> int:
    return services.send_age_limit_reminders()
