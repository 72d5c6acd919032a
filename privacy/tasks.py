"""Thin Celery tasks: they take ids and call a service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def build_data_export(export_id: int) -> bool:
    return services.build_pdf(export_id)


@shared_task
def requeue_unbuilt_exports() -> int:
    return services.requeue_unbuilt()
