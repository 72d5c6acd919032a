"""Fill the database with a national-scale population, to measure the portal at scale (issue 8 §2).

    DATABASE_URL=postgres://… .venv/bin/python bench/scale_data.py          # the national scale (--help)
    DATABASE_URL=postgres://… .venv/bin/python bench/scale_data.py --persons 2000 --dues 8000 --claims 400

A script of the benchmark rather than a management command of macnss.core, which must not import the
journeys whose tables it fills. Every third person who is not an ASVI member is an employee with 24
monthly salary declarations (--declarations caps the total); the persons' `declared_days` stay the totals
of their whole career, of which these months are the last two years.

On PostgreSQL rows are streamed with COPY (psycopg 3); elsewhere they go through bulk_create.
Generated persons have numbers from 700000000 up, so they never collide with the demo data, and the
script refuses to run twice on the same database.
"""

import argparse
import os
import sys
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from itertools import islice
from pathlib import Path

FIRST_NUMBER = 700_000_000
# Values every generated row shares; the generators yield only what varies.
PERSON_TEMPLATE = {
    "immatriculation_number": "0",
    "id_document_number": "X",
    "id_document_expiry": date(2030, 1, 1),
    "birth_date": date(1950, 1, 1),
    "phone_operator": "maroc_telecom",
}
DUE_TEMPLATE = {"year": 2022, "quarter": 1, "amount": Decimal("1451.10"), "reference": "X"}
CLAIM_TEMPLATE = {"cessation_date": date(2023, 1, 1)}
DECLARATION_TEMPLATE = {"employer_number": "1000000", "month": date(2024, 1, 1), "days": 26, "salary": Decimal("0")}
DECLARED_MONTHS = [date(2024 + m // 12, m % 12 + 1, 1) for m in range(24)]
BATCH = 20_000
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
LAST_NAMES = ["ALAOUI", "BENNANI", "TAZI", "IDRISSI", "BERRADA", "CHRAIBI", "FASSI", "OUAZZANI", "SQALLI", "ZIANI"]
FIRST_NAMES = ["Mohammed", "Fatima", "Youssef", "Khadija", "Omar", "Salma", "Hamza", "Imane", "Karim", "Nadia"]
DEFAULTS = {"persons": 1_000_000, "dues": 4_000_000, "claims": 200_000, "declarations": 4_000_000, "account_every": 10}


class ScaleDataExists(Exception):
    """The database already holds the generated population."""


def copy_rows(model, template: dict, rows) -> int:
    """Stream rows into the model's table (COPY on PostgreSQL, bulk_create elsewhere).

    Each row is a dict of the columns that vary, over `template`: the model's defaults (and auto_now
    values) are computed once from one instance, not per row.
    """
    from django.db import connection
    from django.db.models import AutoField

    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoField)]
    sample = model(**template)
    raw = {f.attname: f.pre_save(sample, True) for f in fields}
    defaults = {f.attname: f.get_db_prep_save(raw[f.attname], connection) for f in fields}
    attnames = [f.attname for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    written = 0
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in batch:
                    copy.write_row([row.get(name, defaults[name]) for name in attnames])
        else:
            model.objects.bulk_create([model(**{**raw, **row}) for row in batch], batch_size=2000)
        written += len(batch)
    return written


def identity_number(index: int) -> str:
    prefix = LETTERS[(index // 1_000_000) % len(LETTERS)] + LETTERS[(index // 23_000_000) % len(LETTERS)]
    return f"{prefix}{index % 1_000_000:06d}"


def generate(
    *,
    persons=DEFAULTS["persons"],
    dues=DEFAULTS["dues"],
    claims=DEFAULTS["claims"],
    declarations=DEFAULTS["declarations"],
    account_every=DEFAULTS["account_every"],
    out=print,
) -> None:
    """Write the population (Django set up); ScaleDataExists if it is already there."""
    from django.db import connection, transaction

    from accounts.models import InsuredPerson, User
    from asvi_payment.models import AsviDue
    from insured_space.models import SalaryDeclaration
    from taawidaty.models import RefundClaim

    if InsuredPerson.objects.filter(immatriculation_number=str(FIRST_NUMBER)).exists():
        raise ScaleDataExists(f"Scale data is already there (number {FIRST_NUMBER} exists).")
    started = time.monotonic()

    def report(what, count):
        out(f"{time.monotonic() - started:7.1f} s  {count:>9,} {what}")

    with transaction.atomic():
        report("insured persons", copy_rows(InsuredPerson, PERSON_TEMPLATE, _persons(persons, dues)))
        ids = dict(
            InsuredPerson.objects.filter(immatriculation_number__gte=str(FIRST_NUMBER)).values_list(
                "immatriculation_number", "pk"
            )
        )
        report("portal accounts", copy_rows(User, {"username": "template"}, _users(persons, account_every, ids)))
        report("ASVI dues", copy_rows(AsviDue, DUE_TEMPLATE, _dues(dues, ids)))
        report("TAAWIDATY claims", copy_rows(RefundClaim, CLAIM_TEMPLATE, _claims(claims, persons, ids)))
        rows = _declarations(declarations, persons, dues, ids)
        report("salary declarations", copy_rows(SalaryDeclaration, DECLARATION_TEMPLATE, rows))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    report("done (ANALYZE included)", 0)


def _persons(total, dues):
    from accounts.models import Regime

    asvi_members = max(1, dues // 16)
    other_regimes = (Regime.EMPLOYEE, Regime.TNS, Regime.PENSIONER)
    expiry, birth = date(2030, 1, 1), date(1950, 1, 1)
    for i in range(total):
        asvi = i < asvi_members
        yield {
            "immatriculation_number": str(FIRST_NUMBER + i),
            "id_document_number": identity_number(i),
            "id_document_expiry": expiry + timedelta(days=i % 2000),
            "birth_date": birth + timedelta(days=i % 20000),
            "last_name": LAST_NAMES[i % 10],
            "first_name": FIRST_NAMES[(i // 10) % 10],
            "address": f"{i % 300} avenue Hassan II, Casablanca",
            "phone": f"+2126{i:08d}",
            "regime": Regime.ASVI.value if asvi else other_regimes[i % 3].value,
            "declared_days": i % 4000,
            "asvi_reference_salary": Decimal("4000.00") if asvi else None,
        }


def _users(total, every, ids):
    from django.contrib.auth.hashers import make_password

    password = make_password("Scale-data-password-2026")
    for i in range(0, total, every):
        number = str(FIRST_NUMBER + i)
        yield {"username": number, "password": password, "insured_id": ids[number]}


def _dues(total, ids):
    for n in range(total):
        member, slot = divmod(n, 16)
        number = str(FIRST_NUMBER + member)
        year, quarter = 2022 + slot // 4, slot % 4 + 1
        yield {
            "insured_id": ids[number],
            "year": year,
            "quarter": quarter,
            "reference": f"ASVI-{number}-{year}{quarter:02d}",
            "status": "paid" if slot < 8 else "unpaid",
        }


def _claims(total, persons, ids):
    from django.utils import timezone

    statuses = ["deposee", "en_instruction", "acceptee", "rejetee", "payee"]
    now = timezone.now()
    for n in range(total):
        number = str(FIRST_NUMBER + (n * 5) % persons)
        yield {
            "public_id": uuid.uuid4(),
            "insured_id": ids[number],
            "reference": f"RCS-SCALE-{n:08d}",
            "status": statuses[n % len(statuses)],
            "mining": n % 10 == 0,
            "cessation_date": date(2023, 1, 1) + timedelta(days=n % 700),
            "declared_days": n % 1300,
            "submitted_at": now - timedelta(days=n % 365),
        }


def _declarations(total, persons, dues, ids):
    """24 months for each employee (as _persons makes them), until `total` rows are written."""
    first_employee = max(1, dues // 16)
    first_employee += -first_employee % 3  # employees are the non-ASVI persons with i % 3 == 0
    written = 0
    for i in range(first_employee, persons, 3):
        insured_id = ids[str(FIRST_NUMBER + i)]
        employer = str(1_000_000 + i % 50_000)
        salary = Decimal(3000 + i % 9000)
        for n, month in enumerate(DECLARED_MONTHS):
            if written >= total:
                return
            yield {
                "insured_id": insured_id,
                "employer_number": employer,
                "month": month,
                "days": 26 if n % 5 else 20,
                "salary": salary,
                "mining": i % 50 == 0,
            }
            written += 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=DEFAULTS["persons"])
    parser.add_argument("--dues", type=int, default=DEFAULTS["dues"], help="ASVI dues, 16 quarters per ASVI member")
    parser.add_argument("--claims", type=int, default=DEFAULTS["claims"])
    parser.add_argument(
        "--declarations",
        type=int,
        default=DEFAULTS["declarations"],
        help="monthly salary declarations, 24 per employee",
    )
    parser.add_argument(
        "--account-every", type=int, default=DEFAULTS["account_every"], help="one portal account every N persons"
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "macnss.settings.base")
    import django

    django.setup()
    try:
        generate(**vars(args))
    except ScaleDataExists as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
