"""State changes of TAAWIDATY claims: draft, uploads, validation, agents' decisions, receipts."""

import logging
import secrets
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from macnss.core.languages import page_language
from macnss.core.services import apply_transition, queue_sms
from macnss.core.storage import all_or_nothing
from macnss.core.tasks_queue import enqueue_now, enqueue_on_commit
from macnss.core.uploads import CheckedFile

from . import eligibility, selectors
from .models import (
    AntivirusVerdict,
    ClaimDocument,
    ClaimStatus,
    PhysicalControlRule,
    RefundClaim,
    RequiredDocument,
    receipt_path,
)

logger = logging.getLogger(__name__)

# Crockford-style alphabet without 0/O, 1/I/L, U: easy to read aloud and to type from paper.
BUILD_RECEIPT = "taawidaty.tasks.build_receipt"
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 8  # 30^8 ≈ 6.6 × 10^11 possible values per year: not guessable


class ClaimNotAllowed(Exception):
    """The claim cannot move on (not eligible any more, documents missing, already submitted)."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def new_reference(year: int) -> str:
    return f"RCS-{year}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def _check_eligible(person, *, exclude_claim=None) -> eligibility.Eligibility:
    result = selectors.eligibility_for(person, exclude_claim=exclude_claim)
    if not result.eligible:
        raise ClaimNotAllowed(result.reasons)
    return result


@transaction.atomic
def save_draft(*, person, mining: bool, cessation_date: date, claim: RefundClaim | None = None) -> RefundClaim:
    """Create the person's draft (or update it): the answers of «Activité minière» and the cessation date."""
    _check_eligible(person, exclude_claim=claim)
    if claim is None:
        claim = RefundClaim.objects.filter(insured=person, status=ClaimStatus.DRAFT).first()
    if claim is None:
        try:
            with transaction.atomic():
                return RefundClaim.objects.create(insured=person, mining=mining, cessation_date=cessation_date)
        except IntegrityError:  # a second tab created the draft at the same moment
            claim = RefundClaim.objects.get(insured=person, status=ClaimStatus.DRAFT)
    if not claim.is_draft:
        raise ClaimNotAllowed([_("Cette demande est déjà déposée : elle ne peut plus être modifiée.")])
    mining_changed = claim.mining != mining
    claim.mining = mining
    claim.cessation_date = cessation_date
    claim.save(update_fields=["mining", "cessation_date", "updated_at"])
    if mining_changed:
        # Documents that the new list no longer asks for are dropped (the file goes after commit).
        stale = claim.documents.exclude(required_document__in=selectors.required_documents(mining=mining))
        for document in stale:
            _delete_file_on_commit(document.file.storage, document.file.name)
        stale.delete()
    return claim


def _delete_file_on_commit(storage, name: str) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def attach_documents(*, claim: RefundClaim, uploads: dict[RequiredDocument, CheckedFile]) -> list[ClaimDocument]:
    """Store each accepted scan under a random name and link it to the draft; a new file replaces the old one.
    All or nothing: raises macnss.core.storage.StorageUnavailable when the storage does not take a file."""
    written: list = []
    with all_or_nothing(written):
        return _attach_documents(claim=claim, uploads=uploads, written=written)


@transaction.atomic
def _attach_documents(*, claim, uploads, written: list) -> list[ClaimDocument]:
    claim = RefundClaim.objects.select_for_update().get(pk=claim.pk)
    if not claim.is_draft:
        raise ClaimNotAllowed([_("Cette demande est déjà déposée : elle ne peut plus être modifiée.")])
    saved = []
    for required, upload in uploads.items():
        if not upload.verdict.clean:  # the form refuses these; never store an infected file
            continue
        existing = ClaimDocument.objects.filter(claim=claim, required_document=required).first()
        document = existing or ClaimDocument(claim=claim, required_document=required)
        old_name = existing.file.name if existing else ""
        random_name = f"{secrets.token_urlsafe(24)}.{upload.extension}"
        document.file.save(random_name, ContentFile(upload.data), save=False)
        written.append((document.file.storage, document.file.name))
        document.original_name = upload.original_name[:120]
        document.content_type = upload.content_type
        document.size = upload.size
        document.sha256 = upload.sha256
        document.antivirus_verdict = AntivirusVerdict.CLEAN
        document.antivirus_backend = upload.verdict.backend
        document.save()
        if old_name and old_name != document.file.name:
            _delete_file_on_commit(document.file.storage, old_name)
        saved.append(document)
    return saved


def decide_physical_control(claim: RefundClaim) -> PhysicalControlRule | None:
    for rule in PhysicalControlRule.objects.filter(is_active=True).order_by("pk"):
        if rule.selects(claim):
            return rule
    return None


@transaction.atomic
def submit_claim(*, claim: RefundClaim, by=None, language: str | None = None) -> RefundClaim:
    """«Valider»: final checks, a reference, the physical-control decision, the SMS and the receipt task."""
    claim = RefundClaim.objects.select_for_update().select_related("insured").get(pk=claim.pk)
    if not claim.is_draft:
        return claim  # double submit: the first one won, nothing happens twice
    person = claim.insured
    _check_eligible(person, exclude_claim=claim)
    missing = selectors.missing_documents(claim)
    if missing:
        raise ClaimNotAllowed(
            [_("Il manque la pièce « %(name)s ».") % {"name": document.localized_name()} for document in missing]
        )
    claim.declared_days = person.declared_days
    claim.mining_days = person.mining_days
    year = timezone.localdate().year
    for _attempt in range(10):
        reference = new_reference(year)
        if not RefundClaim.objects.filter(reference=reference).exists():
            break
    else:  # pragma: no cover - 10 collisions in a row in 6.6 × 10^11
        raise RuntimeError("Could not allocate a claim reference")
    claim.reference = reference
    claim.language = language or page_language()
    rule = decide_physical_control(claim)
    claim.physical_control = rule is not None
    claim.physical_control_rule = rule
    apply_transition(claim, "submit", by=by, note=_("Demande validée par l'assuré."))
    notify_status(claim)
    enqueue_on_commit(BUILD_RECEIPT, claim.pk)
    return claim


# --- Agents ------------------------------------------------------------------------------------------

AGENT_TRANSITIONS = ("start_review", "record_physical_control", "accept", "reject", "mark_paid")


@transaction.atomic
def change_status(*, claim: RefundClaim, transition: str, by, note: str = "", **kwargs) -> RefundClaim:
    """An agent's decision: logged (StatusChange) and told to the insured by SMS."""
    if transition not in AGENT_TRANSITIONS:
        raise ValueError(transition)
    claim = RefundClaim.objects.select_for_update().select_related("insured").get(pk=claim.pk)
    apply_transition(claim, transition, by=by, note=note, **kwargs)
    notify_status(claim)
    return claim


def status_message(claim: RefundClaim) -> str:
    """The SMS text for the claim's current status, in the active language."""
    values = {
        "reference": claim.reference,
        "amount": f"{claim.amount:.2f}" if claim.amount is not None else "",
        "reason": claim.rejection_reason,
        "phone": settings.CUSTOMER_SERVICE_NUMBER,
    }
    if claim.status == ClaimStatus.SUBMITTED:
        text = _("Ma CNSS : votre demande de remboursement des cotisations %(reference)s est déposée.") % values
        if claim.physical_control:
            text += " " + _(
                "Elle est soumise à un contrôle physique : présentez-vous à l'agence CNSS de votre choix avec "
                "votre dossier papier et l'accusé de dépôt."
            )
        return text
    messages = {
        ClaimStatus.IN_REVIEW: _("Ma CNSS : votre demande %(reference)s est en cours d'instruction."),
        ClaimStatus.CONTROLLED: _(
            "Ma CNSS : le contrôle physique de votre demande %(reference)s est effectué. Son instruction continue."
        ),
        ClaimStatus.ACCEPTED: _(
            "Ma CNSS : votre demande %(reference)s est acceptée. Montant du remboursement : %(amount)s DH."
        ),
        ClaimStatus.REJECTED: _(
            "Ma CNSS : votre demande %(reference)s est rejetée. Motif : %(reason)s. Service client : %(phone)s."
        ),
        ClaimStatus.PAID: _("Ma CNSS : le remboursement de %(amount)s DH de votre demande %(reference)s est payé."),
    }
    return messages[claim.status] % values


def notify_status(claim: RefundClaim) -> None:
    person = claim.insured
    if not person.phone:
        return
    language = claim.language
    with translation.override(language):
        body = status_message(claim)
    queue_sms(to=person.phone, body=body, purpose=f"taawidaty_{claim.status}", language=language)


# --- Receipt (accusé de dépôt) ---------------------------------------------------------------------


def verification_url(claim: RefundClaim) -> str:
    with translation.override("fr"):
        path = reverse("taawidaty:verify")
    return f"{settings.PUBLIC_BASE_URL}{path}?reference={claim.reference}"


def render_receipt(claim: RefundClaim) -> bytes:
    from macnss.core.pdf import qr_code_data_uri, render_pdf

    from .authenticity import signed_url

    url = verification_url(claim)
    context = {
        "claim": claim,
        "person": claim.insured,
        "submitted_on": timezone.localtime(claim.submitted_at).date(),
        "verification_url": url,
        # The QR code: a signed /verifier/ URL anyone can check, even offline (macnss.core.document_signing).
        "qr_code": qr_code_data_uri(signed_url(claim)),
        "customer_service": settings.CUSTOMER_SERVICE_NUMBER,
    }
    return render_pdf("taawidaty/receipt_pdf.html", context, stylesheet="pdf/taawidaty_receipt.css", language="fr")


def build_receipt(claim_id: int) -> bool:
    """Render and store the receipt once. Returns False when there was nothing to do (idempotent)."""
    with transaction.atomic():
        claim = RefundClaim.objects.select_for_update().select_related("insured").filter(pk=claim_id).first()
        if claim is None or claim.is_draft:
            return False
        if claim.receipt_ready and claim.receipt.storage.exists(claim.receipt.name):
            return False
        pdf = render_receipt(claim)
        storage = claim.receipt.storage
        name = storage.save(receipt_path(claim), ContentFile(pdf))  # fixed path, overwritten in place
        claim.receipt.name = name
        claim.receipt_built_at = timezone.now()
        claim.save(update_fields=["receipt", "receipt_built_at", "updated_at"])
    return True


def requeue_missing_receipts() -> int:
    """Re-send to the worker the receipts still missing (the broker was down, or the task died)."""
    count = 0
    for pk in selectors.claims_missing_receipt().values_list("pk", flat=True)[:200]:
        try:
            enqueue_now(BUILD_RECEIPT, pk)
        except Exception:
            logger.warning("Broker unavailable; receipt of claim %s stays pending.", pk)
            break
        count += 1
    return count
