"""PostgreSQL (psycopg 3), with Django's CONN_HEALTH_CHECKS at most once a second per connection.

Django checks a reused connection with `SELECT 1` before the first query of every request. Under
load that was one round trip in three on the form pages and 11 % of a worker's time
(docs/PERFORMANCE.md). A connection that served a request without error less than a second ago is
taken as healthy. A PostgreSQL restart takes longer than that, so after one every connection is
checked again before it is used (scripts/faults/postgres_restart.py).
"""

import time

from django.db.backends.postgresql import base

HEALTHY_FOR_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    healthy_until = 0.0  # time.monotonic() until which the connection needs no check

    def close_if_health_check_failed(self):
        if self.connection is not None and time.monotonic() < self.healthy_until:
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def close_if_unusable_or_obsolete(self):
        # Called when a request starts and ends. health_check_done is set once the request has used
        # the connection; errors_occurred when a query failed on it.
        used_without_error = self.connection is not None and self.health_check_done and not self.errors_occurred
        super().close_if_unusable_or_obsolete()
        if used_without_error and self.connection is not None:
            self.healthy_until = time.monotonic() + HEALTHY_FOR_SECONDS
        elif self.connection is None:
            self.healthy_until = 0.0
