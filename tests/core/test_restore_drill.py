"""The restore drill (scripts/backup/restore_drill.py) on a real database: it restores a dump into a scratch
database and finds the same counts; a dump that lost rows is reported."""

import importlib
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import InsuredPersonFactory

BACKUP = Path(__file__).resolve().parents[2] / "scripts" / "backup"

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def drill(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL restore drill")
    monkeypatch.syspath_prepend(str(BACKUP))
    return importlib.import_module("restore_drill")


def source_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:5432/{db['NAME']}"  # directly, never through PgBouncer


def test_a_fresh_dump_restores_with_the_same_counts(drill, capsys):
    InsuredPersonFactory.create_batch(3)
    assert drill.main(["--source", source_url()]) == 0
    out = capsys.readouterr().out
    assert "accounts_insuredperson" in out and "Restore drill: PASSED" in out


def test_a_dump_that_lacks_rows_is_reported(drill, tmp_path, capsys):
    dump = tmp_path / "old.dump"
    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), source_url()], check=True)
    InsuredPersonFactory.create()  # written after the backup: the restored copy has one person fewer
    assert drill.main(["--source", source_url(), "--dump", str(dump)]) == 1
    assert "DIFFERENT" in capsys.readouterr().out
