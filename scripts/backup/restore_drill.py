#!/usr/bin/env python3
"""Restore drill: restore a backup into a scratch database and check that it holds what the source holds.

    scripts/backup/restore_drill.py --source postgres://postgres@127.0.0.1:5432/macnss
    scripts/backup/restore_drill.py --source URL --dump /backups/macnss-2026-12-04.dump

Without --dump it takes a fresh `pg_dump -Fc` of the source first. The scratch database is
`<source>_restore_drill`, dropped at the end (--keep leaves it). The check compares the row counts of the
tables that matter (persons, accounts, requests, payments, the status log, the access journal when it
exists, migrations) and the latest migration of each app. Exit code 0 when everything matches.
Point-in-time recovery (base backups + WAL) is described in docs/DEPLOYMENT.md, «Backups».
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

TABLES = [
    "accounts_insuredperson",
    "accounts_user",
    "accounts_bankdetails",
    "tns_enrollment_liaisonlistentry",
    "pension_pensionrequest",
    "taawidaty_refundclaim",
    "taawidaty_claimdocument",
    "asvi_payment_asvidue",
    "asvi_payment_paymentorder",
    "core_statuschange",
    "django_migrations",
]


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def psql(url: str, sql: str) -> str:
    out = subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-tAc", sql], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def snapshot(url: str) -> dict[str, str]:
    existing = set(psql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").split())
    facts = {}
    for table in TABLES:
        facts[table] = psql(url, f"SELECT count(*) FROM {table}") if table in existing else "absent"  # noqa: S608 - fixed names
    facts["latest migrations"] = psql(
        url,
        "SELECT string_agg(app || ':' || name, ',' ORDER BY app) FROM (SELECT app, max(name) AS name FROM django_migrations GROUP BY app) m",
    )
    return facts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", required=True, help="postgres:// URL of the database the backup is of")
    parser.add_argument("--dump", type=Path, help="a pg_dump -Fc file (default: take one now)")
    parser.add_argument("--keep", action="store_true", help="leave the scratch database for inspection")
    args = parser.parse_args(argv)

    source_name = urlsplit(args.source).path.lstrip("/")
    scratch_name = f"{source_name}_restore_drill"
    admin_url = with_database(args.source, "postgres")
    scratch_url = with_database(args.source, scratch_name)

    with tempfile.TemporaryDirectory() as tmp:
        dump = args.dump
        if dump is None:
            dump = Path(tmp) / "source.dump"
            subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), args.source], check=True)
        expected = snapshot(args.source)
        psql(admin_url, f'DROP DATABASE IF EXISTS "{scratch_name}"')
        psql(admin_url, f'CREATE DATABASE "{scratch_name}"')
        try:
            subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-d", scratch_url, str(dump)], check=True)
            restored = snapshot(scratch_url)
        finally:
            if not args.keep:
                psql(admin_url, f'DROP DATABASE IF EXISTS "{scratch_name}"')

    failed = False
    print(f"{'what':<32} {'source':>12} {'restored':>12}")
    for key, value in expected.items():
        ok = restored.get(key) == value
        failed |= not ok
        shown = value if len(value) <= 12 else f"{len(value.split(','))} apps"
        shown_restored = (
            restored.get(key, "") if len(restored.get(key, "")) <= 12 else f"{len(restored[key].split(','))} apps"
        )
        print(f"{key:<32} {shown:>12} {shown_restored:>12}  {'OK' if ok else 'DIFFERENT'}")
    print("Restore drill: " + ("FAILED" if failed else "PASSED"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
