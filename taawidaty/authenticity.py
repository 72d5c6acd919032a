"""The TAAWIDATY receipt as a signed document (macnss.core.document_signing): its QR code is a signed
/verifier/ URL, and its reference is checked on the public page «Vérification de l'authenticité des
attestations»."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from macnss.core import document_signing

from .models import ClaimStatus, RefundClaim

KIND = "accuse_taawidaty"
KIND_LABELS = {KIND: _("Accusé de dépôt TAAWIDATY")}
REFERENCE_PATTERN = r"RCS-\d{4}-[2-9A-Z]{8}"


def _submitted_on(claim: RefundClaim):
    return timezone.localdate(claim.submitted_at)


def canonical_pairs(claim: RefundClaim) -> list[tuple[str, object]]:
    """The receipt's printed figures that never change once it is filed (the name may be corrected later)."""
    return [
        ("type", KIND),
        ("reference", claim.reference),
        ("date", _submitted_on(claim)),
        ("number", claim.insured.immatriculation_number),
        ("mining", int(claim.mining)),
    ]


def signed_url(claim: RefundClaim) -> str:
    token = document_signing.sign(
        reference=claim.reference,
        kind=KIND,
        issued_on=_submitted_on(claim),
        initials=document_signing.initials_of(claim.insured.last_name, claim.insured.first_name),
        digest=document_signing.figures_digest(canonical_pairs(claim)),
    )
    return document_signing.verification_url(token)


def verified_document(reference: str):
    claim = (
        RefundClaim.objects.select_related("insured")
        .filter(reference=reference)
        .exclude(status=ClaimStatus.DRAFT)
        .first()
    )
    if claim is None or claim.submitted_at is None:
        return None
    return document_signing.VerifiedDocument(
        reference=claim.reference,
        kind=KIND,
        issued_on=_submitted_on(claim),
        initials=document_signing.initials_of(claim.insured.last_name, claim.insured.first_name),
        digest=document_signing.figures_digest(canonical_pairs(claim)),
    )
