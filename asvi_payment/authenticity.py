"""The ASVI payment receipt as a signed document (macnss.core.document_signing): its QR code is a signed
/verifier/ URL, and its number is checked on the public page «Vérification de l'authenticité des
attestations» (type, date, amount paid, initials)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from macnss.core import document_signing

from .models import OrderStatus, PaymentOrder
from .selectors import normalize_receipt_number

KIND = "recu_asvi"
KIND_LABELS = {KIND: _("Reçu de règlement ASVI")}
REFERENCE_PATTERN = r"RA-?[2-9A-Z]{4}-?[2-9A-Z]{4}-?[2-9A-Z]{4}"


def canonical_pairs(order: PaymentOrder, lines) -> list[tuple[str, object]]:
    """The receipt's printed figures: number, date, amount and each line's code and amount."""
    return [
        ("type", KIND),
        ("reference", order.receipt_number),
        ("date", timezone.localdate(order.paid_at)),
        ("number", order.insured.immatriculation_number),
        ("amount", order.amount),
        *(("line", f"{line.code}|{line.amount:.2f}") for line in lines),
    ]


def signed_url(order: PaymentOrder, lines) -> str:
    token = document_signing.sign(
        reference=order.receipt_number,
        kind=KIND,
        issued_on=timezone.localdate(order.paid_at),
        initials=document_signing.initials_of(order.insured.last_name, order.insured.first_name),
        digest=document_signing.figures_digest(canonical_pairs(order, lines)),
    )
    return document_signing.verification_url(token)


def verified_document(reference: str):
    order = (
        PaymentOrder.objects.select_related("insured")
        .prefetch_related("lines")
        .filter(receipt_number=normalize_receipt_number(reference), status=OrderStatus.PAID)
        .first()
    )
    if order is None or order.paid_at is None:
        return None
    return document_signing.VerifiedDocument(
        reference=order.receipt_number,
        kind=KIND,
        issued_on=timezone.localdate(order.paid_at),
        initials=document_signing.initials_of(order.insured.last_name, order.insured.first_name),
        digest=document_signing.figures_digest(canonical_pairs(order, order.lines.all())),
        amount=order.amount,
    )
