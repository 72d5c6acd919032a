"""Readiness checks: what a node needs before the load balancer sends it requests.

Core registers the database, the cache, the file storage and the antivirus; an app that owns another
dependency registers its own check in its AppConfig.ready(), so that core imports no journey.
Each check returns nothing when the dependency answers, and raises otherwise.
"""

import logging
import time
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

logger = logging.getLogger(__name__)

_checks: dict[str, Callable[[], None]] = {}


def register_check(name: str, check: Callable[[], None]) -> None:
    _checks[name] = check


def run_checks() -> dict[str, dict]:
    """{name: {"ok": bool, "ms": float}}; the reason of a failure goes to the log, not to the caller."""
    results = {}
    for name, check in _checks.items():
        started = time.perf_counter()
        try:
            check()
            ok = True
        except Exception:
            logger.warning("Readiness check %s failed", name, exc_info=True)
            ok = False
        results[name] = {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1)}
    return results


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache() -> None:
    key = f"readiness:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not keep a value")
    cache.delete(key)


def check_storage() -> None:
    # Write, read back and delete a small object: a read-only or unreachable storage fails here.
    name = default_storage.save(f"readiness/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as stored:
            if stored.read() != b"ok":
                raise RuntimeError("the storage did not keep the file")
    finally:
        default_storage.delete(name)


def check_antivirus() -> None:
    # A node that cannot scan uploads refuses them: it is not ready to serve the journeys that take files.
    from .antivirus import get_scanner

    get_scanner().scan(b"readiness check")


register_check("database", check_database)
register_check("cache", check_cache)
register_check("storage", check_storage)
register_check("antivirus", check_antivirus)
