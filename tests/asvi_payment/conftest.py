from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Regime
from asvi_payment import cmi, selectors, services
from asvi_payment.demo import seed_rates
from asvi_payment.models import AsviDue
from tests.factories import InsuredPersonFactory


@pytest.fixture(autouse=True)
def _client_transport(settings):
    settings.ASVI_MOCK_CALLBACK_TRANSPORT = "tests.asvi_payment.transport.ClientCallbackTransport"
    settings.CMI_STORE_KEY = "TEST1234"
    settings.CMI_CLIENT_ID = "600000000"
    settings.MOCK_CMI_ENABLED = True


@pytest.fixture
def rate(db):
    return seed_rates()


@pytest.fixture
def member(db):
    return InsuredPersonFactory(regime=Regime.ASVI, asvi_reference_salary=Decimal("2778.29"), email="membre@example.ma")


def make_due(person, year, quarter, amount="1451.10"):
    return AsviDue.objects.create(
        insured=person,
        year=year,
        quarter=quarter,
        amount=Decimal(amount),
        reference=services.due_reference(person.immatriculation_number, year, quarter),
    )


@pytest.fixture
def due_2020_t1(member):
    return make_due(member, 2020, 1)


@pytest.fixture
def order(member, due_2020_t1):
    return services.create_payment_order(
        person=member, due_ids=[due_2020_t1.pk], card_type="LOC", idempotency_key="key-1", language="fr"
    )


def callback_fields(order, *, code="00", amount=None, **extra):
    """What the gateway posts back: the request fields echoed, the result, a fresh HASH."""
    _url, request_fields = services.gateway_request(order, absolute=lambda path: f"http://testserver{path}")
    fields = {k: v for k, v in request_fields.items() if k != "HASH"}
    fields.update(
        {
            "ProcReturnCode": code,
            "Response": "Approved" if code == "00" else "Declined",
            "AuthCode": "123456" if code == "00" else "",
            "TransId": "26327ABCDEF",
            "mdStatus": "1",
            "maskedCreditCard": "400000******0010",
            "EXTRA.TRXDATE": "20261122 20:00:00",
        }
    )
    if amount is not None:
        fields["amount"] = amount
    fields.update(extra)
    return cmi.sign(fields, "TEST1234")


__all__ = ["callback_fields", "make_due", "selectors", "date"]
