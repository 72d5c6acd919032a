"""The national-scale generator (bench/scale_data.py), and the indexes the hot lookups rely on (EXPLAIN on
PostgreSQL)."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import InsuredPerson, User
from bench import scale_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def population():
    scale_data.generate(persons=640, dues=1600, claims=120, account_every=10, out=lambda line: None)


def test_generator_makes_the_asked_population(population):
    from asvi_payment.models import AsviDue
    from taawidaty.models import RefundClaim

    assert InsuredPerson.objects.filter(immatriculation_number__gte="700000000").count() == 640
    assert User.objects.filter(username__gte="700000000").count() == 64
    assert AsviDue.objects.count() == 1600
    assert RefundClaim.objects.filter(reference__startswith="RCS-SCALE-").count() == 120
    person = InsuredPerson.objects.get(immatriculation_number="700000000")
    assert person.asvi_dues.filter(status="unpaid").count() == 8


def test_generator_refuses_to_run_twice(population):
    with pytest.raises(scale_data.ScaleDataExists):
        scale_data.generate(persons=10, dues=16, claims=1)


def test_the_script_has_its_own_command_line():
    result = subprocess.run(
        [sys.executable, "bench/scale_data.py", "--help"], cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0 and "--account-every" in result.stdout


def _uses_an_index(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # on a small table the planner would rightly prefer a scan
        try:
            plan = queryset.explain()
        finally:
            cursor.execute("SET enable_seqscan = on")
    return plan


@pytest.mark.postgres
def test_hot_lookups_use_indexes(population):
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN plans are checked on PostgreSQL")
    from asvi_payment.models import AsviDue, PaymentOrder
    from pension.models import PensionRequest
    from taawidaty.models import RefundClaim

    person = InsuredPerson.objects.get(immatriculation_number="700000123")
    lookups = {
        "login": User.objects.filter(username="700000120"),
        "onboarding match": InsuredPerson.objects.filter(
            id_document_type=person.id_document_type,
            id_document_number=person.id_document_number,
            birth_date=person.birth_date,
            id_document_expiry=person.id_document_expiry,
        ),
        "ASVI lookup / admin search by number": InsuredPerson.objects.filter(immatriculation_number="700000123"),
        "admin search by CIN": InsuredPerson.objects.filter(id_document_number=person.id_document_number),
        "admin search by phone": InsuredPerson.objects.filter(phone=person.phone),
        "ASVI unpaid dues": AsviDue.objects.filter(insured=person, status="unpaid"),
        "Mes demandes: claims": RefundClaim.objects.filter(insured=person),
        "Mes demandes: pension": PensionRequest.objects.filter(insured=person),
        "Mes demandes: payments": PaymentOrder.objects.filter(insured=person, status="paid"),
    }
    for name, queryset in lookups.items():
        plan = _uses_an_index(queryset)
        assert "Index" in plan and "Seq Scan" not in plan, f"{name}: {plan}"

    # The dues page's own SQL (asvi_payment.selectors.dues_page): both sides of the join use an index.
    from asvi_payment.selectors import _dues_page_sql

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute("EXPLAIN " + _dues_page_sql(), [person.pk, "pending", person.pk, "unpaid"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("SET enable_seqscan = on")
    assert plan.count("Index") >= 2 and "Seq Scan" not in plan, plan
