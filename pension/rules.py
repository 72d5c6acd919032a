"""The arithmetic and the age rules of the voluntary pension (seed 000, DOMAIN §1–2), free of any view."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.contributions import category_base, minimum_pension_contribution, smig_on, truncate
from accounts.models import InsuredPerson, ProfessionalSubCategory

from .models import MAX_MULTIPLIER, MIN_MULTIPLIER, AgeBand

CASABLANCA = ZoneInfo("Africa/Casablanca")
MULTIPLIERS = range(MIN_MULTIPLIER, MAX_MULTIPLIER + 1)
LIQUIDATION_AGE = 65
# The version of the «mentions légales» page the insured accepts (pension/templates/pension/legal_notice.html).
LEGAL_NOTICE_VERSION = "2026-01"


def request_date(now: datetime | None = None) -> date:
    """The request date is the calendar day in Casablanca, whatever the server's clock zone."""
    return timezone.localtime(now or timezone.now(), CASABLANCA).date()


def age_band(years: int, months: int) -> AgeBand:
    total = years * 12 + months
    if total < 63 * 12:
        return AgeBand.UNDER_63
    if total < 64 * 12 + 9:
        return AgeBand.AJOURNEMENT
    if total < LIQUIDATION_AGE * 12:
        return AgeBand.DROIT_SUPPLEMENTAIRE
    return AgeBand.TOO_OLD


def person_age_band(person: InsuredPerson, day: date) -> AgeBand:
    return age_band(*person.age_on(day))


def debit_start_date(day: date) -> date:
    """Contributions are due from the first day of the month (DOMAIN §1.1): the month after the request."""
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


@dataclass(frozen=True)
class Contribution:
    subcategory: ProfessionalSubCategory
    smig: Decimal
    base: Decimal
    minimum: Decimal
    multiplier: int
    monthly_amount: Decimal


def amount_for(minimum: Decimal, multiplier: int) -> Decimal:
    return truncate(minimum * multiplier)


def contribution(subcategory: ProfessionalSubCategory, *, day: date, multiplier: int = 1) -> Contribution:
    """Always computed from the database (category multiple and SMIG in force), never from posted figures."""
    if multiplier not in MULTIPLIERS:
        raise ValueError(f"multiplier {multiplier} out of range")
    smig = smig_on(day)
    minimum = minimum_pension_contribution(subcategory, smig=smig)
    return Contribution(
        subcategory=subcategory,
        smig=smig,
        base=category_base(subcategory, smig=smig),
        minimum=minimum,
        multiplier=multiplier,
        monthly_amount=amount_for(minimum, multiplier),
    )


def is_eligible(person: InsuredPerson | None) -> bool:
    """Seed 000: «Cette opération est dédiée aux TNS qui payent directement leurs cotisations à la CNSS»."""
    return bool(
        person is not None and person.is_tns and person.pays_contributions_directly and person.tns_subcategory_id
    )
