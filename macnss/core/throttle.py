"""A per-client rate limit that fails CLOSED: when it cannot count, it refuses.

`limit_exceeded(request, group, rate)` counts one attempt for the client's IP in the current window
and says whether the limit is passed. It counts in the cache (Redis in production, through its own
alias `THROTTLE_CACHE`, which does not swallow errors); while the cache is unreachable it counts in
the database (`ThrottleCount`, one row per group, client and window, incremented by one upsert); if
the database fails too, the answer is «refuse». Use it where an unlimited attacker would do harm
(enumerating receipts, looking up members), not where a refusal would lock everyone out of a journey.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection, transaction

from macnss.core.client_ip import client_ip

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class CacheUnavailable(Exception):
    """The cache did not answer (an error, or django-redis's silent None with IGNORE_EXCEPTIONS)."""


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/h' → (10, 3600); '5/15m' → (5, 900)."""
    count, _, period = rate.partition("/")
    unit = period[-1:]
    multiplier = int(period[:-1] or 1)
    if not count.isdigit() or unit not in _PERIODS or multiplier < 1:
        raise ValueError(f"invalid rate {rate!r}")
    return int(count), multiplier * _PERIODS[unit]


def _client_key(request) -> str:
    return client_ip(request) or "unknown"


def limit_exceeded(request, group: str, rate: str) -> bool:
    """Count this attempt; True when the client went over `rate` in this window, or when no count was possible."""
    limit, period = parse_rate(rate)
    if not getattr(settings, "RATELIMIT_ENABLE", True):  # the one switch of every per-IP limit (security scan)
        return False
    key = _client_key(request)
    window = int(time.time()) // period
    try:
        count = _count_in_cache(group, key, window, period)
    except CacheUnavailable:
        logger.warning("throttle: cache unavailable, counting %s in the database", group)
        try:
            count = _count_in_database(group, key, window, period)
        except DatabaseError:
            logger.error("throttle: cache and database unavailable, refusing %s", group)
            return True
    return count > limit


def _cache_key(group: str, key: str, window: int) -> str:
    digest = hashlib.sha256(f"{group}\0{key}".encode()).hexdigest()[:32]
    return f"throttle:{digest}:{window}"


def _count_in_cache(group: str, key: str, window: int, period: int) -> int:
    cache = caches[settings.THROTTLE_CACHE]
    cache_key = _cache_key(group, key, window)
    try:
        if cache.add(cache_key, 0, timeout=period + 5) is None:
            raise CacheUnavailable
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr: this attempt opens a new count
            cache.add(cache_key, 0, timeout=period + 5)
            count = cache.incr(cache_key)
    except CacheUnavailable:
        raise
    except Exception as error:  # any client error (connection refused, timeout…) means «cannot count here»
        raise CacheUnavailable from error
    if count is None:
        raise CacheUnavailable
    return int(count)


def _count_in_database(group: str, key: str, window: int, period: int) -> int:
    from macnss.core.models import ThrottleCount

    quote = connection.ops.quote_name
    table = quote(ThrottleCount._meta.db_table)
    bucket, client, slot, count_, expires = (quote(c) for c in ("bucket", "client", "slot", "count", "expires_at"))
    now = datetime.now(UTC)
    expires_at = datetime.fromtimestamp((window + 1) * period, UTC)
    # One statement: concurrent requests of the same client each get their own count, never a lost update.
    sql = (
        f"INSERT INTO {table} ({bucket}, {client}, {slot}, {count_}, {expires}) VALUES (%s, %s, %s, 1, %s) "  # noqa: S608
        f"ON CONFLICT ({bucket}, {client}, {slot}) DO UPDATE SET {count_} = {table}.{count_} + 1 RETURNING {count_}"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [group[:60], key[:64], window, expires_at])
        count = cursor.fetchone()[0]
        if count == 1:  # a new window: drop the counts that ended, so the table stays small
            ThrottleCount.objects.filter(expires_at__lt=now - timedelta(minutes=1)).delete()
    return int(count)
