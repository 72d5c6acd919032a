"""Celery application. Without a broker (no REDIS_URL) the settings make tasks run eagerly."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "macnss.settings.base")

app = Celery("macnss")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
