"""Periodic upkeep of the accounts app (CELERY_BEAT_SCHEDULE in macnss/settings/base.py)."""

from celery import shared_task

from . import login_guard


@shared_task
def purge_login_failures() -> int:
    return login_guard.purge_old_failures()
