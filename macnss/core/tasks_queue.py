"""How services hand work to the worker: by the task's name, so that a service never imports its app's
tasks module (the tasks import the services). Without a broker the settings make tasks run eagerly,
and a task looked up by name runs eagerly too.

Enqueueing happens after the surrounding transaction commits and never fails the request: if the broker
is down the work is not lost, each task's source row stays waiting and a beat task (or the journey's own
re-queue command) picks it up again.
"""

import importlib
import logging
import time

from django.db import transaction

from macnss.celery import app as celery_app

logger = logging.getLogger(__name__)

# After a failed publish, skip the broker for a few seconds: each attempt would make the request wait
# for the connection timeout, and the waiting rows are re-queued anyway.
BROKER_BACKOFF_SECONDS = 10.0
_broker_down_until = 0.0


def task_named(name: str):
    """The registered task; an unknown name raises at once rather than after the commit."""
    if name not in celery_app.tasks:
        # A task's name is its module's path: a web process has not imported that module yet.
        importlib.import_module(name.rpartition(".")[0])
    return celery_app.tasks[name]


def enqueue_now(name: str, *args, **kwargs):
    """Publish at once; a broker error reaches the caller (the re-queue loops stop at the first one)."""
    return task_named(name).delay(*args, **kwargs)


def enqueue_on_commit(name: str, *args, **kwargs) -> None:
    task = task_named(name)

    def _publish():
        global _broker_down_until
        if time.monotonic() < _broker_down_until:
            logger.info("Broker recently unreachable: %s%r left for the re-queue.", name, args)
            return
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:  # broker down: the row stays pending and is re-queued later
            _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
            logger.warning("Could not enqueue %s%r; it will be re-queued.", name, args, exc_info=True)

    transaction.on_commit(_publish)
