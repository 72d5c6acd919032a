"""Reads for TAAWIDATY. Private objects are always reached through their owner."""

from datetime import timedelta

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from . import eligibility
from .models import OPEN_STATUSES, ClaimDocument, ClaimStatus, RefundClaim, RequiredDocument


def eligibility_for(person, *, exclude_claim=None, today=None) -> eligibility.Eligibility:
    others = RefundClaim.objects.filter(insured=person).exclude(status__in=[ClaimStatus.DRAFT, ClaimStatus.REJECTED])
    if exclude_claim is not None and exclude_claim.pk:
        others = others.exclude(pk=exclude_claim.pk)
    statuses = set(others.values_list("status", flat=True))
    return eligibility.check(
        person,
        today=today or timezone.localdate(),
        has_open_claim=bool(statuses & set(OPEN_STATUSES)),
        has_paid_claim=ClaimStatus.PAID in statuses,
    )


def required_documents(*, mining: bool):
    flag = Q(for_mining=True) if mining else Q(for_ordinary=True)
    return RequiredDocument.objects.filter(flag, is_active=True).order_by("display_order", "pk")


def missing_documents(claim: RefundClaim) -> list[RequiredDocument]:
    present = set(claim.documents.values_list("required_document_id", flat=True))
    return [doc for doc in required_documents(mining=claim.mining) if doc.pk not in present]


def claims_for(person):
    return RefundClaim.objects.filter(insured=person).order_by("-created_at")


def draft_for(person) -> RefundClaim | None:
    return RefundClaim.objects.filter(insured=person, status=ClaimStatus.DRAFT).first()


def claim_for_owner(person, public_id) -> RefundClaim:
    return get_object_or_404(RefundClaim.objects.select_related("insured"), public_id=public_id, insured=person)


def document_for_owner(person, public_id, document_id) -> ClaimDocument:
    return get_object_or_404(
        ClaimDocument.objects.select_related("claim"),
        pk=document_id,
        claim__public_id=public_id,
        claim__insured=person,
    )


def documents_of(claim: RefundClaim):
    return claim.documents.select_related("required_document").order_by("required_document__display_order", "pk")


def claims_missing_receipt(older_than: timedelta = timedelta(minutes=2)):
    return RefundClaim.objects.filter(
        receipt_built_at__isnull=True, submitted_at__lt=timezone.now() - older_than
    ).exclude(status=ClaimStatus.DRAFT)


def find_receipt(*, reference: str, day) -> RefundClaim | None:
    """For the public authenticity page: the same answer whether the reference is unknown or the date wrong."""
    claim = (
        RefundClaim.objects.select_related("insured")
        .filter(reference=reference)
        .exclude(status=ClaimStatus.DRAFT)
        .first()
    )
    if claim is None or timezone.localtime(claim.submitted_at).date() != day:
        return None
    return claim
