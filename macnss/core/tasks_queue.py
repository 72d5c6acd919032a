"""Enqueue Celery tasks only after the surrounding transaction commits, and never fail the request for it.

If the broker is down the work is not lost: each task's source row stays in a waiting state and a
beat task (or the journey's own re-queue command) picks it up again.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    def _publish():
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:  # broker down: the row stays pending and is re-queued later
            logger.warning("Could not enqueue %s%r; it will be re-queued.", task.name, args, exc_info=True)

    transaction.on_commit(_publish)
