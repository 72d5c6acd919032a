"""A demo employee with a career over three employers and two regimes (run by `manage.py seed_demo`)."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.demo import birth_date_for_age, ensure_account, ensure_person
from accounts.models import Regime
from macnss.core.demo_support import DEMO_PASSWORD, DemoAccount

from .models import RegimePeriod, SalaryDeclaration

DEMO_NUMBER = "600000310"


def _months(first: date, last: date):
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def career(today: date) -> list[tuple[str, date, date, Decimal]]:
    """(employer, first month, last month, monthly salary) — the last job runs to last month."""
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return [
        ("1234567", date(2012, 3, 1), date(2018, 8, 1), Decimal("3800.00")),
        ("2345678", date(2020, 1, 1), date(2023, 6, 1), Decimal("5200.00")),
        ("3456789", date(2023, 7, 1), last_month, Decimal("6450.50")),
    ]


def seed() -> list[DemoAccount]:
    today = timezone.localdate()
    person = ensure_person(
        DEMO_NUMBER,
        id_document_number="IS600310",
        birth_date=birth_date_for_age(41),
        last_name="AMRANI",
        first_name="Salma",
        last_name_ar="العمراني",
        first_name_ar="سلمى",
        phone="+212661000310",
        regime=Regime.EMPLOYEE,
    )
    ensure_account(person)
    RegimePeriod.objects.filter(insured=person).delete()
    RegimePeriod.objects.bulk_create(
        [
            RegimePeriod(
                insured=person, regime=Regime.EMPLOYEE, started_on=date(2012, 3, 1), ended_on=date(2018, 8, 31)
            ),
            RegimePeriod(insured=person, regime=Regime.ASVI, started_on=date(2018, 9, 1), ended_on=date(2019, 12, 31)),
            RegimePeriod(insured=person, regime=Regime.EMPLOYEE, started_on=date(2020, 1, 1)),
        ]
    )
    SalaryDeclaration.objects.filter(insured=person).delete()
    rows = []
    for employer, first, last, salary in career(today):
        for index, month in enumerate(_months(first, last)):
            days = 26 if index % 7 else 18  # a shorter month now and then
            rows.append(
                SalaryDeclaration(
                    insured=person,
                    employer_number=employer,
                    month=month,
                    days=days,
                    salary=(salary * days / 26).quantize(Decimal("0.01")),
                )
            )
    SalaryDeclaration.objects.bulk_create(rows)
    person.declared_days = sum(row.days for row in rows)
    person.mining_days = 0
    person.save(update_fields=["declared_days", "mining_days", "updated_at"])
    return [
        DemoAccount(
            "Mon immatriculation (salariée, 3 employeurs)",
            DEMO_NUMBER,
            DEMO_PASSWORD,
            "attestations d'immatriculation et de salaire",
        )
    ]
