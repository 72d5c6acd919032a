"""Cost as the data grows (issue 8 §2): the hot operations on the demo database and on a national-scale
database (1,000,000 persons, 4,000,000 ASVI dues, 200,000 claims), each within 1.5× of its demo time.

    .venv/bin/python bench/scale.py            # creates both databases if missing, then measures
    .venv/bin/python bench/scale.py --fresh    # drops and rebuilds them first

Each operation runs in-process through Django's test client (no HTTP, no load generator), 300 times
after a warm-up; the median is compared. PostgreSQL at 127.0.0.1:5432 (trust auth) is required.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432/"
DATABASES = {"demo": "macnss_scale_demo", "national": "macnss_scale"}
RUNS = 300
LIMIT = 1.5


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True)


def exists(name: str) -> bool:
    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{name}'"],  # noqa: S608 - our own constant names
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip() == "1"


def manage(db: str, *args: str, script: str = "manage.py") -> None:
    env = {**os.environ, "DATABASE_URL": PG + db, "DJANGO_SETTINGS_MODULE": "macnss.settings.base"}
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, script, *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def build(kind: str, db: str, fresh: bool) -> None:
    if fresh and exists(db):
        psql(f"DROP DATABASE {db}")
    if exists(db):
        return
    print(f"Building the {kind} database {db}…", flush=True)
    psql(f"CREATE DATABASE {db}")
    manage(db, "migrate", "-v0")
    manage(db, "seed_demo")
    if kind == "national":
        started = time.monotonic()
        manage(db, script="bench/scale_data.py")
        print(f"  generated in {time.monotonic() - started:.0f} s", flush=True)


def measure(db: str) -> dict:
    """Run in a child process so that each database gets its own Django setup."""
    env = {**os.environ, "DATABASE_URL": PG + db, "DJANGO_SETTINGS_MODULE": "macnss.settings.test", "SCALE_CHILD": "1"}
    env.pop("REDIS_URL", None)
    out = subprocess.run([sys.executable, __file__], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def child() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import InsuredPerson, Regime, User
    from asvi_payment.selectors import find_asvi_member, read_dues_page
    from tns_enrollment.selectors import match_identity

    setup_test_environment()
    connection.settings_dict["NAME"] = connection.settings_dict["NAME"]  # the real database, not a test one
    national = InsuredPerson.objects.filter(immatriculation_number="700000000").exists()
    # Look someone up in the middle of the table, where an index is the only fast way.
    person = (
        InsuredPerson.objects.get(immatriculation_number="700123450")
        if national
        else InsuredPerson.objects.filter(account__isnull=False).order_by("pk").first()
    )
    asvi = InsuredPerson.objects.filter(regime="asvi").order_by("pk" if not national else "-pk").first()
    if national:
        asvi = InsuredPerson.objects.get(immatriculation_number="700120000")
    # The same kind of person on both databases: a salarié with an account, whose private home renders
    # (a TNS without a RIB would be a redirect to the RIB step, which is not the same page).
    user = (
        User.objects.filter(insured__regime=Regime.EMPLOYEE, is_active=True)
        .order_by("-pk" if national else "pk")
        .select_related("insured")
        .first()
    )
    agent = User.objects.get(username="superviseur")
    insured_client, agent_client, login_client = Client(), Client(), Client()
    insured_client.force_login(user)
    agent_client.force_login(agent)

    operations = {
        "onboarding match": lambda: match_identity(
            document_type=person.id_document_type,
            document_number=person.id_document_number,
            expiry=person.id_document_expiry,
            birth_date=person.birth_date,
        ),
        "ASVI lookup + unpaid dues": lambda: read_dues_page(find_asvi_member(asvi.immatriculation_number).pk),
        "login page + wrong password": lambda: login_client.post(
            "/compte/connexion/", {"username": user.username, "password": "not-the-password"}
        ),
        "Mes demandes": lambda: insured_client.get("/compte/demandes/"),
        "private home": lambda: insured_client.get("/compte/"),
        "admin search by number": lambda: agent_client.get(
            "/admin/accounts/insuredperson/", {"q": person.immatriculation_number}
        ),
        "admin search by CIN": lambda: agent_client.get(
            "/admin/accounts/insuredperson/", {"q": person.id_document_number}
        ),
        "admin search by phone": lambda: agent_client.get(
            "/admin/accounts/insuredperson/", {"q": "0" + person.phone[-9:]}
        ),
    }
    from django.core.cache import cache

    check_pages(insured_client, user)
    results = {}
    for name, operation in operations.items():
        for _ in range(20):
            operation()
        samples = []
        for _ in range(RUNS):
            cache.clear()  # lockout and rate-limit counters must not change what is measured
            started = time.perf_counter()
            operation()
            samples.append((time.perf_counter() - started) * 1000)
        results[name] = statistics.median(samples)
    print(json.dumps(results))


def check_pages(client, user) -> None:
    """Measure only what was meant: both private pages answer 200 with this person's own content."""
    for url in ("/compte/", "/compte/demandes/"):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code} for {user.username}, not the page to measure")
    home = client.get("/compte/").content.decode()
    if user.insured.immatriculation_number not in home:
        raise SystemExit(f"/compte/ does not show {user.insured.immatriculation_number}: not the person's home page")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild both databases")
    args = parser.parse_args()
    for kind, db in DATABASES.items():
        build(kind, db, args.fresh)
    demo, national = measure(DATABASES["demo"]), measure(DATABASES["national"])
    failed = False
    print(f"\n{'operation':<30} {'demo ms':>9} {'1M ms':>9} {'ratio':>7}  goal ≤ {LIMIT}×")
    for name in demo:
        ratio = national[name] / demo[name]
        ok = ratio <= LIMIT
        failed |= not ok
        print(f"{name:<30} {demo[name]:>9.2f} {national[name]:>9.2f} {ratio:>6.2f}×  {'PASS' if ok else 'FAIL'}")
    return 1 if failed else 0


if __name__ == "__main__":
    if os.environ.get("SCALE_CHILD"):
        child()
    else:
        sys.exit(main())
