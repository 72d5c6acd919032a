"""Celery application. Without a broker (no REDIS_URL) the settings make tasks run eagerly."""

import os
import sys

from celery import Celery
from celery.signals import worker_process_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "macnss.settings.base")

# Every queue the settings route to (CELERY_TASK_ROUTES), for a worker that serves them all.
ALL_QUEUES = "celery,sms,email,pdf"

app = Celery("macnss")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_shutdown.connect
def _release_pdf_fonts(**kwargs):
    """A prefork child leaves through os._exit, which skips atexit: the PDF module's clean-up runs here."""
    pdf = sys.modules.get("macnss.core.pdf")
    if pdf is not None:
        pdf.release_fonts()
