"""The national-scale generator, and the indexes the hot lookups rely on (EXPLAIN on PostgreSQL)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import InsuredPerson, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def scale_data():
    call_command("generate_scale_data", persons=640, dues=1600, claims=120, account_every=10, stdout=io.StringIO())


def test_generator_makes_the_asked_population(scale_data):
    from asvi_payment.models import AsviDue
    from taawidaty.models import RefundClaim

    assert InsuredPerson.objects.filter(immatriculation_number__gte="700000000").count() == 640
    assert User.objects.filter(username__gte="700000000").count() == 64
    assert AsviDue.objects.count() == 1600
    assert RefundClaim.objects.filter(reference__startswith="RCS-SCALE-").count() == 120
    person = InsuredPerson.objects.get(immatriculation_number="700000000")
    assert person.asvi_dues.filter(status="unpaid").count() == 8


def test_generator_refuses_to_run_twice(scale_data):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("generate_scale_data", persons=10, dues=16, claims=1)


def _uses_an_index(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # on a small table the planner would rightly prefer a scan
        try:
            plan = queryset.explain()
        finally:
            cursor.execute("SET enable_seqscan = on")
    return plan


@pytest.mark.postgres
def test_hot_lookups_use_indexes(scale_data):
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
