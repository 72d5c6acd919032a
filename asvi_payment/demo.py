"""Demo data of the ASVI payment: rates, an ASVI member with unpaid quarters, and a non-ASVI number."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from accounts.demo import birth_date_for_age, ensure_account, ensure_person
from accounts.models import Regime
from macnss.core.demo_support import DEMO_PASSWORD, DemoAccount

from . import selectors, services
from .models import AsviDue, AsviRate

ASVI_NUMBER = "300000101"
NON_ASVI_NUMBER = "300000102"
CARDS_NOTE = (
    "paiement sans connexion : /paiement/ → ASSURÉ ASVI, code de contrôle affiché ; "
    "cartes : 4000000000000010 accepté, 5191630100004896 3-D Secure code 123, "
    "4000000000000002 refus 05, 4000000000009995 refus 51 ; expiration future, CVV 000"
)


def seed_rates() -> AsviRate:
    rate, _ = AsviRate.objects.update_or_create(
        valid_from=date(2014, 1, 1),
        defaults={
            "pension_rate": Decimal("0.1289"),
            "pension_monthly_ceiling": Decimal("6000.00"),
            "amo_rate": Decimal("0.0452"),
            "source": "DOMAIN §4 (aujourdhui.ma : 12,89 % plafonné à 6 000 DH, AMO 4,52 %)",
        },
    )
    return rate


def _due(person, year, quarter, amount):
    AsviDue.objects.update_or_create(
        insured=person,
        year=year,
        quarter=quarter,
        defaults={"amount": amount, "reference": services.due_reference(person.immatriculation_number, year, quarter)},
    )


def seed() -> list[DemoAccount]:
    rate = seed_rates()
    member = ensure_person(
        ASVI_NUMBER,
        id_document_number="BK300101",
        birth_date=birth_date_for_age(52),
        last_name="TAZI",
        first_name="Nadia",
        last_name_ar="التازي",
        first_name_ar="نادية",
        phone="+212661300101",
        email="nadia.tazi@example.ma",
        regime=Regime.ASVI,
        asvi_reference_salary=Decimal("2778.29"),
        declared_days=2400,
    )
    ensure_account(member)
    # The guide's quarter (2020 T1 = 1451.10), then the last two quarters from the reference salary.
    _due(member, 2020, 1, Decimal("1451.10"))
    year, quarter = services.quarter_of(timezone.localdate())
    previous = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    for y, q in (previous, (year, quarter)):
        _due(member, y, q, selectors.quarter_amount(member.asvi_reference_salary, rate))
    other = ensure_person(
        NON_ASVI_NUMBER,
        id_document_number="BK300102",
        birth_date=birth_date_for_age(38),
        last_name="BERRADA",
        first_name="Youssef",
        phone="+212661300102",
        email="youssef.berrada@example.ma",
        regime=Regime.EMPLOYEE,
    )
    return [
        DemoAccount(
            "ASVI : paiement en ligne (3 trimestres)", member.immatriculation_number, DEMO_PASSWORD, CARDS_NOTE
        ),
        DemoAccount(
            "ASVI : numéro non ASVI (message neutre)",
            other.immatriculation_number,
            "-",
            "saisir ce numéro dans ASSURÉ ASVI",
        ),
    ]
