"""Persistent PostgreSQL connections with Django's health check (CONN_MAX_AGE, CONN_HEALTH_CHECKS)."""

import os

import psycopg
import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL connections")


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


def test_django_s_own_backend_keeps_and_checks_its_connections():
    settings = connection.settings_dict
    assert settings["ENGINE"] == "django.db.backends.postgresql"
    assert settings["CONN_MAX_AGE"] > 0 and settings["CONN_HEALTH_CHECKS"] is True


def test_a_reused_connection_is_checked_once_per_request(health_checks):
    serve_request()
    pid = connection.connection.info.backend_pid
    health_checks.clear()
    serve_request()
    assert health_checks == [1]
    assert connection.connection.info.backend_pid == pid  # kept, not reopened


# Through PgBouncer the portal's connection is to the pooler, which replaces a killed server connection itself.
direct_to_postgresql = pytest.mark.skipif(
    bool(os.environ.get("PGBOUNCER_PORT")), reason="kills the server process behind the connection: direct only"
)


@direct_to_postgresql
def test_a_connection_killed_by_the_server_is_replaced_without_error(health_checks):
    serve_request()
    pid = connection.connection.info.backend_pid
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    serve_request()  # checked, replaced, no error
    assert connection.connection.info.backend_pid != pid


@direct_to_postgresql
def test_a_query_failing_on_a_dead_connection_drops_it(transactional_db):
    serve_request()
    pid = connection.connection.info.backend_pid
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    # Checked already in this request: the query fails and the connection is closed at the request's end.
    connection.health_check_done = True
    with pytest.raises(OperationalError), connection.cursor() as cursor:
        cursor.execute("SELECT 2")
    connection.close_if_unusable_or_obsolete()
    assert connection.connection is None
