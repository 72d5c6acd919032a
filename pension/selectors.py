"""Reads of the voluntary pension: a person's own request, and the agents' lists."""

from accounts.models import BankDetails, InsuredPerson, RibVerification

from .models import PensionRequest, PensionRequestStatus


def request_of(person: InsuredPerson) -> PensionRequest | None:
    """The only request of this person (or None): always reached through its owner."""
    return PensionRequest.objects.select_related("subcategory__category", "mandate").filter(insured=person).first()


def current_rib(person: InsuredPerson) -> str:
    return BankDetails.objects.filter(insured=person).values_list("rib", flat=True).first() or ""


def active_mandates():
    """Active requests with what the bank needs to debit them (one query)."""
    return (
        PensionRequest.objects.filter(status=PensionRequestStatus.ACTIVE, mandate__revoked_at__isnull=True)
        .exclude(insured__bank_details__status=RibVerification.PENDING)
        .select_related("insured", "mandate")
        .order_by("debit_start_date", "reference")
    )
