"""State changes of the ASVI payment journey: dues, payment orders, CMI callbacks, receipts."""

import logging
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import InsuredPerson, Regime
from macnss.core.pdf import qr_code_data_uri, render_pdf
from macnss.core.services import apply_transition, queue_email
from macnss.core.tasks_queue import enqueue_on_commit

from . import cmi, selectors
from .models import (
    ACCOUNT_LABEL,
    FEE_LABEL,
    FEE_QUARTER,
    AsviDue,
    CallbackRecord,
    DueStatus,
    OrderChannel,
    OrderStatus,
    PaymentLine,
    PaymentOrder,
)

logger = logging.getLogger(__name__)


class DuesChanged(Exception):
    """The selection no longer matches unpaid dues of this person (paid meanwhile, or not theirs)."""


# --- Dues ------------------------------------------------------------------------------------------


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


@transaction.atomic
def generate_quarterly_dues(*, year: int, quarter: int) -> int:
    """Create the quarter's due for every ASVI member with a reference salary; run it twice, nothing doubles."""
    rate = selectors.rate_on(date(year, 3 * (quarter - 1) + 1, 1))
    if rate is None:
        logger.error("No ASVI rate in force for %s T%s: no dues created.", year, quarter)
        return 0
    created = 0
    members = InsuredPerson.objects.filter(regime=Regime.ASVI, asvi_reference_salary__isnull=False)
    for person in members.iterator():
        _, was_created = AsviDue.objects.get_or_create(
            insured=person,
            year=year,
            quarter=quarter,
            defaults={
                "amount": selectors.quarter_amount(person.asvi_reference_salary, rate),
                "reference": due_reference(person.immatriculation_number, year, quarter),
                "account_label": ACCOUNT_LABEL,
            },
        )
        created += was_created
    return created


def due_reference(number: str, year: int, quarter: int) -> str:
    return f"BPC{number}{year}{quarter:02d}"


# --- Orders ----------------------------------------------------------------------------------------


@transaction.atomic
def create_payment_order(
    *,
    person: InsuredPerson,
    due_ids: list[int],
    card_type: str,
    idempotency_key: str,
    language: str = "fr",
    channel: str = OrderChannel.PUBLIC,
) -> PaymentOrder:
    """«Valider le paiement»: one order per transaction page (idempotency key), one pending order per selection."""
    dues = list(
        AsviDue.objects.select_for_update()
        .filter(insured=person, pk__in=due_ids, status=DueStatus.UNPAID)
        .order_by("year", "quarter")
    )
    existing = PaymentOrder.objects.filter(idempotency_key=idempotency_key, insured=person).first()
    if existing is not None:
        return existing
    if not dues or len(dues) != len(set(due_ids)):
        raise DuesChanged
    selection_key = ",".join(str(d.pk) for d in sorted(dues, key=lambda d: d.pk))
    for old in PaymentOrder.objects.select_for_update().filter(
        insured=person, selection_key=selection_key, status=OrderStatus.PENDING
    ):
        apply_transition(old, "abandon", note="Nouvelle tentative de paiement pour les mêmes trimestres.")
    quarters_total = sum((d.amount for d in dues), Decimal("0"))
    fee = selectors.processing_fee(quarters_total)
    first = dues[0]
    try:
        with transaction.atomic():
            order = PaymentOrder.objects.create(
                oid=f"ASVI-{person.immatriculation_number}-{first.year}T{first.quarter}-{secrets.token_hex(3).upper()}",
                insured=person,
                idempotency_key=idempotency_key,
                selection_key=selection_key,
                card_type=card_type,
                quarters_amount=quarters_total,
                fee_amount=fee,
                amount=quarters_total + fee,
                language=language,
                channel=channel,
            )
    except IntegrityError:
        # The same page submitted twice at once: the other request made the order.
        return PaymentOrder.objects.get(idempotency_key=idempotency_key, insured=person)
    lines = [
        PaymentLine(
            order=order,
            due=due,
            code=due.code,
            year=due.year,
            quarter=due.quarter,
            reference=due.reference,
            description=due.account_label,
            amount=due.amount,
            position=i,
        )
        for i, due in enumerate(dues)
    ]
    fee_year = dues[-1].year
    lines.append(
        PaymentLine(
            order=order,
            due=None,
            code=f"{fee_year}{FEE_QUARTER:02d}",
            year=fee_year,
            quarter=FEE_QUARTER,
            reference=f"{order.oid}-F",
            description=FEE_LABEL,
            amount=fee,
            position=len(dues),
        )
    )
    PaymentLine.objects.bulk_create(lines)
    return order


def gateway_request(order: PaymentOrder, *, absolute) -> tuple[str, dict[str, str]]:
    """Where the browser posts, and the signed fields. `absolute(path)` makes merchant URLs absolute.

    The form passes through the browser of whoever typed the number: an order from the public path
    names the member by his initials only, with no e-mail and no phone (audit H4). An order the member
    made, logged in, from his private space may carry his name and contact details for CMI's page."""
    person = order.insured
    with translation.override(order.language):
        shop_url = absolute(reverse("asvi_payment:dues"))
    if order.channel == OrderChannel.PRIVATE:
        contact = {"name": person.full_name, "email": person.email, "tel": _national_phone(person.phone)}
    else:
        contact = {"name": selectors.initials(person)}
    extra = {}
    for n, line in enumerate(order.lines.all(), start=1):
        extra[f"itemCode{n}"] = line.code
        extra[f"itemId{n}"] = line.reference
        extra[f"itemDescription{n}"] = cmi.bill_to_name(line.description)
        extra[f"itemAmount{n}"] = cmi.format_amount(line.amount)
    fields = cmi.build_request_fields(
        oid=order.oid,
        amount=order.amount,
        ok_url=absolute(reverse("cmi:ok")),
        fail_url=absolute(reverse("cmi:fail")),
        callback_url=absolute(reverse("cmi:callback")),
        shop_url=shop_url,
        lang=order.language,
        extra=extra,
        **contact,
    )
    gateway = settings.CMI_GATEWAY_URL
    if settings.MOCK_CMI_ENABLED and "/mock-cmi/" in gateway:
        # The mock lives in this very site: post to it on the host the browser is using.
        gateway = absolute(reverse("cmi:mock_gate"))
    return gateway, fields


def _national_phone(e164: str) -> str:
    return "0" + e164[-9:] if e164.startswith("+212") else e164


@transaction.atomic
def expire_stale_orders(*, older_than: timedelta) -> int:
    """Reconciliation: orders still waiting for CMI long after the attempt are closed (a late approval still pays)."""
    cutoff = timezone.now() - older_than
    count = 0
    for order in PaymentOrder.objects.select_for_update(skip_locked=True).filter(
        status=OrderStatus.PENDING, created_at__lt=cutoff
    ):
        order.reconciliation_note = (
            f"Expiré par le rapprochement le {timezone.now():%d/%m/%Y %H:%M} : aucun retour CMI."
        )
        apply_transition(order, "expire", note="Aucun callback CMI approuvé reçu.")
        count += 1
    return count


# --- The callback: the source of truth ------------------------------------------------------------


@dataclass(frozen=True)
class CallbackOutcome:
    reply: str
    order: PaymentOrder | None
    note: str


def handle_callback(*, fields: dict[str, str], remote_addr: str | None = None) -> CallbackOutcome:
    """Verify, reconcile and answer one CMI callback; every callback is stored with our reply (a body whose
    HASH is wrong only as a bounded sample: it is not CMI's, and could be as large as a request may be)."""
    hash_ok = cmi.verify(fields, settings.CMI_STORE_KEY)
    try:
        outcome = _apply_callback(fields, hash_ok)
    except Exception:
        logger.exception("CMI callback for oid %r failed", fields.get("oid"))
        outcome = CallbackOutcome(cmi.REPLY_FAILURE, None, "Erreur technique : à traiter manuellement.")
    CallbackRecord.objects.create(
        order=outcome.order,
        oid=str(fields.get("oid", ""))[:64],
        raw_fields=fields if hash_ok else cmi.bounded_sample(fields),
        hash_valid=hash_ok,
        proc_return_code=str(fields.get("ProcReturnCode", ""))[:4],
        reply=outcome.reply,
        outcome=outcome.note[:250],
        remote_addr=remote_addr,
    )
    if outcome.reply == cmi.REPLY_FAILURE:
        logger.warning("CMI callback refused (oid=%r): %s", fields.get("oid"), outcome.note)
    return outcome


@transaction.atomic
def _apply_callback(fields: dict[str, str], hash_ok: bool) -> CallbackOutcome:
    if not hash_ok:
        return CallbackOutcome(cmi.REPLY_FAILURE, None, "HASH invalide : rien n'est modifié.")
    order = PaymentOrder.objects.select_for_update().filter(oid=fields.get("oid", "")).first()
    if order is None:
        return CallbackOutcome(cmi.REPLY_FAILURE, None, "oid inconnu.")
    try:
        posted_amount = Decimal(fields.get("amount", ""))
    except InvalidOperation:
        posted_amount = None
    if posted_amount != order.amount or fields.get("currency") != "504":
        return CallbackOutcome(cmi.REPLY_FAILURE, order, "Montant ou devise différent de l'ordre : rien n'est modifié.")
    # Our own request fields, signed with the same key, would pass the HASH check (audit L3): a callback
    # must carry a transaction result, and an approval all that CMI's approvals carry.
    if not cmi.is_gateway_result(fields):
        return CallbackOutcome(cmi.REPLY_FAILURE, order, "Pas de résultat de transaction (ProcReturnCode/Response).")
    if fields.get("clientid") != settings.CMI_CLIENT_ID:
        return CallbackOutcome(cmi.REPLY_FAILURE, order, "clientid différent du nôtre : rien n'est modifié.")
    approved = fields.get("ProcReturnCode") == cmi.APPROVED_CODE
    if approved and not cmi.is_complete_approval(fields, settings.CMI_CLIENT_ID):
        return CallbackOutcome(
            cmi.REPLY_FAILURE, order, "Approbation incomplète (Response, AuthCode ou TransId) : rien n'est modifié."
        )
    if order.is_paid:
        if approved:
            return CallbackOutcome(
                cmi.confirmation_reply(), order, "Déjà payé : confirmation renvoyée, rien ne change."
            )
        return CallbackOutcome(cmi.REPLY_APPROVED, order, "Refus reçu après le paiement : ignoré.")
    if not approved:
        order.last_return_code = str(fields.get("ProcReturnCode", ""))[:4] or "--"
        order.save(update_fields=["last_return_code"])
        return CallbackOutcome(cmi.REPLY_APPROVED, order, "Paiement refusé : ordre inchangé.")
    due_ids = [line.due_id for line in order.lines.all() if line.due_id]
    dues = list(AsviDue.objects.select_for_update().filter(pk__in=due_ids).order_by("pk"))
    if any(d.status != DueStatus.UNPAID for d in dues) or len(dues) != len(due_ids):
        return CallbackOutcome(
            cmi.REPLY_FAILURE, order, "Trimestres déjà réglés par un autre ordre : annulation manuelle à faire."
        )
    for due in dues:
        apply_transition(due, "mark_paid", order=order, note=f"Payé par l'ordre {order.oid}")
    apply_transition(
        order,
        "pay",
        note="Callback CMI approuvé.",
        trans_id=str(fields.get("TransId", ""))[:64],
        auth_code=str(fields.get("AuthCode", ""))[:20],
        masked_card=str(fields.get("maskedCreditCard") or fields.get("MaskedPan") or "")[:32],
    )
    order.receipt_number = new_receipt_number()
    order.save(update_fields=["receipt_number"])
    enqueue_on_commit(SEND_RECEIPT, order.pk)
    return CallbackOutcome(cmi.confirmation_reply(), order, "Paiement approuvé : trimestres réglés.")


# --- Receipt ---------------------------------------------------------------------------------------

SEND_RECEIPT = "asvi_payment.tasks.send_receipt"
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L or U: read aloud and retyped without doubt


def new_receipt_number() -> str:
    """`RA-7K3M-9QXD-2P4T`: 12 random characters (about 59 bits), so paid receipts cannot be enumerated (M5).
    A clash is checked for, however unlikely; the unique constraint stands behind it."""
    while True:
        chars = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
        number = f"RA-{chars[:4]}-{chars[4:8]}-{chars[8:]}"
        if not PaymentOrder.objects.filter(receipt_number=number).exists():
            return number


def receipt_context(order: PaymentOrder) -> dict:
    """What the receipt page, the e-mail and the PDF show (the PDF adds its QR code)."""
    path = reverse("asvi_payment:verify_receipt")
    verify_url = f"{settings.PUBLIC_BASE_URL}{path}?reference={order.receipt_number}&date={order.paid_at:%d/%m/%Y}"
    lines = list(order.lines.all())
    return {
        "order": order,
        "person": order.insured,
        "initials": selectors.initials(order.insured),
        "lines": lines,
        "quarter_count": sum(1 for line in lines if not line.is_fee),
        "verify_url": verify_url,
    }


def receipt_pdf_bytes(order: PaymentOrder) -> bytes:
    from .authenticity import signed_url

    context = receipt_context(order)
    # The QR code: a signed /verifier/ URL anyone can check, even offline (macnss.core.document_signing).
    context["qr_code"] = qr_code_data_uri(signed_url(order, context["lines"]))
    return render_pdf(
        "asvi_payment/receipt_pdf.html", context, stylesheet="pdf/asvi_receipt.css", language=order.language
    )


def ensure_receipt_pdf(order: PaymentOrder) -> PaymentOrder:
    """Build the PDF once and keep it; later calls reuse the stored file."""
    if order.receipt_pdf:
        return order
    order.receipt_pdf.save(f"recu-{order.receipt_number}.pdf", ContentFile(receipt_pdf_bytes(order)), save=False)
    PaymentOrder.objects.filter(pk=order.pk).update(receipt_pdf=order.receipt_pdf.name)
    return order


@transaction.atomic
def send_receipt(*, order_id: int) -> bool:
    """The confirmation e-mail with the PDF attached, once per paid order (the worker runs this)."""
    order = PaymentOrder.objects.select_for_update().select_related("insured").get(pk=order_id)
    if not order.is_paid or (order.receipt_emailed_at and order.receipt_pdf):
        return False
    ensure_receipt_pdf(order)
    if order.receipt_emailed_at:  # a receipt renumbered by a migration: its PDF only is built again
        return True
    person = order.insured
    if person.email:
        with translation.override(order.language):
            context = receipt_context(order)
            subject = render_to_string("asvi_payment/email_subject.txt", context).strip()
            body = render_to_string("asvi_payment/email_body.txt", context)
        with order.receipt_pdf.open("rb") as fh:
            pdf = fh.read()
        queue_email(
            to=person.email,
            subject=subject,
            body=body,
            purpose="asvi_payment_receipt",
            language=order.language,
            attachment=ContentFile(pdf),
            attachment_name=f"recu-{order.receipt_number}.pdf",
        )
    PaymentOrder.objects.filter(pk=order.pk).update(receipt_emailed_at=timezone.now())
    return True


def requeue_missing_receipts(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Paid orders whose receipt task never ran (broker down): queue them again."""
    waiting = (
        PaymentOrder.objects.filter(status=OrderStatus.PAID, paid_at__lt=timezone.now() - older_than)
        .filter(Q(receipt_emailed_at__isnull=True) | Q(receipt_pdf=""))
        .values_list("pk", flat=True)[:200]
    )
    count = 0
    for pk in waiting:
        enqueue_on_commit(SEND_RECEIPT, pk)
        count += 1
    return count
