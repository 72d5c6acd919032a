"""Celery application. Without a broker (no REDIS_URL) the settings make tasks run eagerly.

With DJANGO_ENV=production (set in the image) the worker and beat load macnss.settings.production, and
every process that imports `macnss` (web, worker, beat, manage.py) refuses the development or test
settings, which accept fakes and print e-mails.
"""

import os
import sys

from celery import Celery
from celery.signals import worker_process_shutdown

UNSAFE_SETTINGS = ("macnss.settings.base", "macnss.settings.test")


def settings_module(environ) -> str:
    """The settings the worker and beat load: production's when DJANGO_ENV=production, never base's there."""
    production = environ.get("DJANGO_ENV", "").strip().lower() == "production"
    module = environ.get("DJANGO_SETTINGS_MODULE") or (
        "macnss.settings.production" if production else "macnss.settings.base"
    )
    if production and module in UNSAFE_SETTINGS:
        raise RuntimeError(
            f"DJANGO_ENV=production refuses DJANGO_SETTINGS_MODULE={module}: use macnss.settings.production."
        )
    return module


os.environ["DJANGO_SETTINGS_MODULE"] = settings_module(os.environ)

app = Celery("macnss")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_shutdown.connect
def _release_pdf_fonts(**kwargs):
    """A prefork child leaves through os._exit, which skips atexit: the PDF module's clean-up runs here."""
    pdf = sys.modules.get("macnss.core.pdf")
    if pdf is not None:
        pdf.release_fonts()
