"""Periodic upkeep of the accounts app (CELERY_BEAT_SCHEDULE in macnss/settings/base.py)."""

from celery import shared_task

from . import login_guard, services


@shared_task
def purge_login_failures() -> int:
    services.purge_old_sign_ins()
    return login_guard.purge_old_failures()
