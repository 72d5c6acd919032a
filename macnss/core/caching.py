"""Dropping cached copies of database rows."""

from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save


def drop_now_and_after_commit(keys: list[str]) -> None:
    """Delete the keys now, and again once the current transaction commits: a request that reads the
    rows between the save and the commit would otherwise put the old state back in the cache."""
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def call_on_person_change(model, changed: Callable[[int], None], *, uid: str, person_field: str = "insured_id") -> None:
    """changed(person_id) after every save or delete of a row of `model`: how a cache of one person's rows
    is dropped. QuerySet.update() and raw SQL send no signal: their callers call `changed` themselves."""

    def on_change(sender, instance, **kwargs):
        person_id = getattr(instance, person_field, None)
        if person_id:
            changed(person_id)

    post_save.connect(on_change, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(on_change, sender=model, weak=False, dispatch_uid=f"{uid}-delete")
