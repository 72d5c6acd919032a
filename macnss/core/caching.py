"""Dropping cached copies of database rows."""

from django.core.cache import cache
from django.db import transaction


def drop_now_and_after_commit(keys: list[str]) -> None:
    """Delete the keys now, and again once the current transaction commits: a request that reads the
    rows between the save and the commit would otherwise put the old state back in the cache."""
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))
