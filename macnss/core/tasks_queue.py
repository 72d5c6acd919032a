"""Enqueue Celery tasks only after the surrounding transaction commits, and never fail the request for it.

If the broker is down the work is not lost: each task's source row stays in a waiting state and a
beat task (or the journey's own re-queue command) picks it up again.
"""

import logging
import time

from django.db import transaction

logger = logging.getLogger(__name__)

# After a failed publish, skip the broker for a few seconds: each attempt would make the request wait
# for the connection timeout, and the waiting rows are re-queued anyway.
BROKER_BACKOFF_SECONDS = 10.0
_broker_down_until = 0.0


def enqueue_on_commit(task, *args, **kwargs) -> None:
    def _publish():
        global _broker_down_until
        if time.monotonic() < _broker_down_until:
            logger.info("Broker recently unreachable: %s%r left for the re-queue.", task.name, args)
            return
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:  # broker down: the row stays pending and is re-queued later
            _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
            logger.warning("Could not enqueue %s%r; it will be re-queued.", task.name, args, exc_info=True)

    transaction.on_commit(_publish)
