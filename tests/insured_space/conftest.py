from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Regime
from insured_space.models import RegimePeriod, SalaryDeclaration
from tests.factories import InsuredPersonFactory, UserFactory


@pytest.fixture
def employee(db):
    """An employee with two employers over 2024-2025 and an ASVI interlude."""
    person = InsuredPersonFactory(last_name="AMRANI", first_name="Salma", regime=Regime.EMPLOYEE)
    RegimePeriod.objects.create(
        insured=person, regime=Regime.EMPLOYEE, started_on=date(2015, 3, 1), ended_on=date(2019, 12, 31)
    )
    RegimePeriod.objects.create(
        insured=person, regime=Regime.ASVI, started_on=date(2020, 1, 1), ended_on=date(2023, 12, 31)
    )
    RegimePeriod.objects.create(insured=person, regime=Regime.EMPLOYEE, started_on=date(2024, 1, 1))
    rows = [
        SalaryDeclaration(
            insured=person, employer_number="1234567", month=date(2024, m, 1), days=26, salary=Decimal("5000.00")
        )
        for m in range(1, 13)
    ] + [
        SalaryDeclaration(
            insured=person,
            employer_number="7654321",
            month=date(2025, m, 1),
            days=20,
            salary=Decimal("4200.50"),
            mining=m % 2 == 0,
        )
        for m in range(1, 13)
    ]
    SalaryDeclaration.objects.bulk_create(rows)
    person.declared_days = sum(r.days for r in rows)
    person.mining_days = 6 * 20
    person.save()
    return person


@pytest.fixture
def employee_client(client, employee):
    client.force_login(UserFactory(insured=employee))
    return client
