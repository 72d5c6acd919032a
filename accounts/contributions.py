"""TNS contribution arithmetic (DOMAIN §1): bases are multiples of the SMIG, amounts truncated to the centime."""

from datetime import date
from decimal import ROUND_DOWN, Decimal

from .models import ProfessionalSubCategory, SmigValue

CENTIME = Decimal("0.01")


def truncate(amount: Decimal) -> Decimal:
    """CNSS truncates, it does not round: 720.755 → 720.75."""
    return Decimal(amount).quantize(CENTIME, rounding=ROUND_DOWN)


def smig_on(day: date) -> Decimal:
    value = (
        SmigValue.objects.filter(valid_from__lte=day)
        .order_by("-valid_from")
        .values_list("monthly_amount", flat=True)
        .first()
    )
    if value is None:
        raise LookupError(f"No SMIG value in force on {day:%d/%m/%Y}")
    return value


def category_base(subcategory: ProfessionalSubCategory, *, smig: Decimal) -> Decimal:
    return truncate(subcategory.base_smig_multiple * smig)


def minimum_pension_contribution(subcategory: ProfessionalSubCategory, *, smig: Decimal) -> Decimal:
    return truncate(category_base(subcategory, smig=smig) * subcategory.pension_rate)


def amo_contribution(subcategory: ProfessionalSubCategory, *, smig: Decimal) -> Decimal:
    return truncate(category_base(subcategory, smig=smig) * subcategory.amo_rate)
