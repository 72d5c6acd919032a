"""The suite on PostgreSQL runs through PgBouncer in transaction mode in CI (`make test-postgres`)."""

import os

import pytest
from django.db import connection

from tests.concurrency import run_at_once

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("PGBOUNCER_PORT"), reason="runs through PgBouncer: make test-postgres in CI"),
]


def _server_port() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT inet_server_port()")
        return cursor.fetchone()[0]


def test_connections_go_through_pgbouncer_to_postgresql():
    assert str(connection.settings_dict["PORT"]) == os.environ["PGBOUNCER_PORT"]
    assert _server_port() == 5432  # PgBouncer hands the query to the server


def test_no_statement_is_prepared_behind_pgbouncer():
    connection.ensure_connection()
    assert connection.connection.prepare_threshold is None
    for _ in range(10):  # psycopg would prepare from the fifth run with a threshold
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            assert cursor.fetchone()[0] == 0


def test_threads_each_get_a_server_connection():
    ports = run_at_once(_server_port, _server_port, _server_port)
    assert ports == [5432, 5432, 5432]
