"""Every page runs a small, constant number of SQL queries whatever the data size (issue 8 §2):
the same count with 1 and with 50 claims / dues / payments, and at most 8."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Regime
from tests.factories import InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db
MAX_QUERIES = 8


def _claims(person, n):
    from taawidaty.models import RefundClaim

    now = timezone.now()
    RefundClaim.objects.bulk_create(
        RefundClaim(
            insured=person,
            reference=f"RCS-T-{person.pk}-{i:04d}",
            status="rejetee",
            cessation_date=date(2023, 1, 1),
            submitted_at=now - timedelta(days=i),
        )
        for i in range(n)
    )


def _dues(person, n):
    from asvi_payment.models import AsviDue

    AsviDue.objects.bulk_create(
        AsviDue(
            insured=person,
            year=2000 + i // 4,
            quarter=i % 4 + 1,
            amount=Decimal("1451.10"),
            reference=f"R-{person.pk}-{i}",
        )
        for i in range(n)
    )


def _paid_orders(person, n):
    from asvi_payment.models import PaymentOrder

    now = timezone.now()
    PaymentOrder.objects.bulk_create(
        PaymentOrder(
            oid=f"OID-{person.pk}-{i}",
            insured=person,
            idempotency_key=f"k-{person.pk}-{i}",
            selection_key=str(i),
            card_type="LOC",
            quarters_amount=Decimal("1451.10"),
            fee_amount=Decimal("15.96"),
            amount=Decimal("1467.06"),
            status="paid",
            paid_at=now,
            receipt_number=f"RC-{person.pk}-{i}",
        )
        for i in range(n)
    )


def _person_with(n, **fields):
    person = InsuredPersonFactory(**fields)
    _claims(person, n)
    _paid_orders(person, n)
    return person


@pytest.mark.parametrize("url_name", ["accounts:dashboard", "accounts:my_requests"])
def test_private_pages_are_constant_in_the_number_of_requests(client, count_queries, url_name):
    counts = []
    for n in (1, 50):
        user = UserFactory(insured=_person_with(n, regime=Regime.ASVI))
        client.force_login(user)
        client.get(reverse(url_name))  # the first page after login reads the person, then cached
        counts.append(count_queries(client, reverse(url_name)))
    assert counts[0] == counts[1], counts
    assert counts[1] <= MAX_QUERIES, counts


def test_taawidaty_service_page_is_constant_in_the_number_of_claims(client, count_queries):
    from accounts.demo import birth_date_for_age

    counts = []
    for n in (1, 50):
        user = UserFactory(insured=_person_with(n, birth_date=birth_date_for_age(61), declared_days=900))
        client.force_login(user)
        counts.append(count_queries(client, reverse("taawidaty:home")))
    assert counts[0] == counts[1], counts
    assert counts[1] <= MAX_QUERIES, counts


def test_asvi_dues_page_is_constant_in_the_number_of_dues(client, count_queries):
    from asvi_payment.views import SESSION_KEY

    counts = []
    for n in (1, 50):
        person = InsuredPersonFactory(regime=Regime.ASVI, asvi_reference_salary=Decimal("4000"))
        _dues(person, n)
        session = client.session
        session[SESSION_KEY] = {"insured": person.pk, "number": person.immatriculation_number}
        session.save()
        counts.append(count_queries(client, reverse("asvi_payment:dues")))
    assert counts[0] == counts[1], counts
    assert counts[1] <= MAX_QUERIES, counts


def test_pension_page_stays_small(client, count_queries):
    from accounts.demo import seed_reference_data
    from accounts.models import ProfessionalSubCategory

    seed_reference_data()
    person = InsuredPersonFactory(
        regime=Regime.TNS,
        pays_contributions_directly=True,
        tns_subcategory=ProfessionalSubCategory.objects.get(code="medecins-generalistes"),
    )
    from accounts.models import BankDetails

    BankDetails.objects.create(insured=person, rib="011519000001205000534921")
    client.force_login(UserFactory(insured=person))
    assert count_queries(client, reverse("pension:home")) <= MAX_QUERIES
