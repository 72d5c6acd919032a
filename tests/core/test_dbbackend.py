"""macnss.core.dbbackend: Django's connection health check, at most once a second per connection."""

import os

import psycopg
import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the backend wraps PostgreSQL's")


@pytest.fixture
def health_checks(transactional_db, monkeypatch):
    """The SELECT 1 checks Django runs (is_usable), counted."""
    calls = []
    real = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: calls.append(1) or real())
    return calls


def serve_request(sql="SELECT 2"):
    """What a request does to the connection: the start and end hooks around a query."""
    connection.close_if_unusable_or_obsolete()  # request_started
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close_if_unusable_or_obsolete()  # request_finished


def test_a_connection_used_less_than_a_second_ago_is_not_checked(health_checks):
    assert connection.settings_dict["ENGINE"] == "macnss.core.dbbackend"
    serve_request()
    health_checks.clear()
    serve_request()
    serve_request()
    assert health_checks == []


def test_an_idle_connection_is_checked_again(health_checks):
    serve_request()
    health_checks.clear()
    connection.healthy_until = 0.0  # as if more than a second had passed
    serve_request()
    assert health_checks == [1]


# Through PgBouncer the portal's connection is to the pooler, which replaces a killed server connection itself.
direct_to_postgresql = pytest.mark.skipif(
    bool(os.environ.get("PGBOUNCER_PORT")), reason="kills the server process behind the connection: direct only"
)


@direct_to_postgresql
def test_a_connection_killed_by_the_server_is_replaced(health_checks):
    serve_request()
    pid = connection.connection.info.backend_pid
    settings = connection.get_connection_params()
    with psycopg.connect(**settings, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    connection.healthy_until = 0.0  # idle for more than a second: checked, replaced, no error
    serve_request()
    assert connection.connection.info.backend_pid != pid


@direct_to_postgresql
def test_a_failed_query_is_not_taken_as_healthy(health_checks):
    serve_request()
    pid = connection.connection.info.backend_pid
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    # Within the second after a successful request, the dead connection is not checked: that request
    # fails (as it would have during the restart) and the connection is dropped at its end.
    with pytest.raises(OperationalError):
        serve_request()
    serve_request()
    assert connection.connection.info.backend_pid != pid
