"""The fail-closed limiter: cache first, then the database, then «refuse»."""

import pytest
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.db import DatabaseError
from django.test import RequestFactory

from macnss.core import throttle
from macnss.core.models import ThrottleCount

pytestmark = pytest.mark.django_db


def request_from(ip="198.51.100.7"):
    return RequestFactory().post("/", REMOTE_ADDR=ip)


@pytest.fixture(autouse=True)
def clear_counts():
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


class SilentCache(BaseCache):
    """What django-redis answers with IGNORE_EXCEPTIONS while Redis is down: nothing."""

    def __init__(self, *args, **kwargs):
        super().__init__({})

    def add(self, *args, **kwargs):
        return None

    def incr(self, *args, **kwargs):
        return None


class RefusingCache(BaseCache):
    """What django-redis raises without IGNORE_EXCEPTIONS while Redis is down."""

    def __init__(self, *args, **kwargs):
        super().__init__({})

    def add(self, *args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    incr = add


def test_parse_rate():
    assert throttle.parse_rate("10/h") == (10, 3600)
    assert throttle.parse_rate("5/15m") == (5, 900)
    with pytest.raises(ValueError, match="invalid rate"):
        throttle.parse_rate("ten/h")


def test_counts_in_the_cache_per_client_and_group():
    results = [throttle.limit_exceeded(request_from(), "probe", "3/h") for _ in range(5)]
    assert results == [False, False, False, True, True]
    assert not throttle.limit_exceeded(request_from("203.0.113.9"), "probe", "3/h")  # another client
    assert not throttle.limit_exceeded(request_from(), "other", "3/h")  # another group
    assert not ThrottleCount.objects.exists()  # the cache answered: nothing in the database


@pytest.mark.parametrize("cache_class", ["SilentCache", "RefusingCache"])
def test_counts_in_the_database_when_the_cache_is_down(settings, cache_class):
    settings.CACHES = {**settings.CACHES, "down": {"BACKEND": f"tests.core.test_throttle.{cache_class}"}}
    settings.THROTTLE_CACHE = "down"
    results = [throttle.limit_exceeded(request_from(), "probe", "2/h") for _ in range(4)]
    assert results == [False, False, True, True]
    row = ThrottleCount.objects.get()
    assert (row.bucket, row.client, row.count) == ("probe", "198.51.100.7", 4)
    assert not throttle.limit_exceeded(request_from("203.0.113.9"), "probe", "2/h")


def test_expired_database_counts_are_dropped(settings):
    settings.CACHES = {**settings.CACHES, "down": {"BACKEND": "tests.core.test_throttle.RefusingCache"}}
    settings.THROTTLE_CACHE = "down"
    ThrottleCount.objects.create(bucket="probe", client="x", slot=1, count=9, expires_at="2000-01-01T00:00Z")
    throttle.limit_exceeded(request_from(), "probe", "2/h")
    assert list(ThrottleCount.objects.values_list("client", flat=True)) == ["198.51.100.7"]


def test_refuses_when_the_cache_and_the_database_are_down(settings, monkeypatch):
    settings.CACHES = {**settings.CACHES, "down": {"BACKEND": "tests.core.test_throttle.RefusingCache"}}
    settings.THROTTLE_CACHE = "down"

    def database_down(*args, **kwargs):
        raise DatabaseError("server closed the connection unexpectedly")

    monkeypatch.setattr(throttle.connection, "cursor", database_down)
    assert throttle.limit_exceeded(request_from(), "probe", "100/h") is True


def test_counts_per_trusted_client_address_not_a_forged_header(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    forged = [
        RequestFactory().post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7")
        for n in range(3)
    ]
    assert [throttle.limit_exceeded(r, "probe", "2/h") for r in forged] == [False, False, True]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_attempts_each_get_their_own_database_count(settings):
    from django.db import connection

    from tests.concurrency import run_at_once

    if connection.vendor != "postgresql":
        pytest.skip("concurrent upserts need PostgreSQL")
    settings.CACHES = {**settings.CACHES, "down": {"BACKEND": "tests.core.test_throttle.RefusingCache"}}
    settings.THROTTLE_CACHE = "down"
    results = run_at_once(*[lambda: throttle.limit_exceeded(request_from(), "probe", "5/h")] * 12)
    assert sorted(results) == [False] * 5 + [True] * 7  # no lost update, no error
    assert ThrottleCount.objects.get().count == 12
