"""TAAWIDATY: claims for the refund of employee contributions (DOMAIN §3, seed 002)."""

import hashlib
import uuid
from datetime import timedelta

from django.core.files.storage import Storage, storages
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from accounts.models import InsuredPerson


def private_storage() -> Storage:
    """The "private" storage of the settings (local disk or S3, never served by URL); it overwrites, since
    receipts are rebuilt in place at a fixed path."""
    return storages["private"]


def document_upload_path(instance, filename: str) -> str:
    # The caller has already chosen a random name; the user's file name never reaches the disk.
    return f"taawidaty/pieces/{filename}"


def receipt_path(claim: "RefundClaim") -> str:
    return f"taawidaty/accuses/{claim.public_id}.pdf"


def _receipt_upload_to(instance, filename: str) -> str:
    return receipt_path(instance)


class RequiredDocument(models.Model):
    """One scanned document the insured must upload; agents edit the lists (DOMAIN §3)."""

    name = models.CharField(_("intitulé"), max_length=200)
    name_ar = models.CharField(_("intitulé en arabe"), max_length=200, blank=True)
    hint = models.CharField(_("précision"), max_length=250, blank=True)
    hint_ar = models.CharField(_("précision en arabe"), max_length=250, blank=True)
    for_ordinary = models.BooleanField(_("demande ordinaire"), default=True)
    for_mining = models.BooleanField(_("demande au titre de l'activité minière"), default=True)
    display_order = models.PositiveSmallIntegerField(_("ordre"), default=100)
    is_active = models.BooleanField(_("demandé"), default=True)

    class Meta:
        ordering = ["display_order", "pk"]
        verbose_name = _("pièce demandée")
        verbose_name_plural = _("pièces demandées")

    def __str__(self):
        return self.name

    def localized_name(self) -> str:
        return self.name_ar if get_language() == "ar" and self.name_ar else self.name

    def localized_hint(self) -> str:
        return self.hint_ar if get_language() == "ar" and self.hint_ar else self.hint


class PhysicalControlRule(models.Model):
    """Which validated claims go to a physical control. A claim is selected when any active rule matches.

    The «rate» draw is deterministic: it depends only on the claim's reference, so a claim's
    selection can be explained afterwards and tests can pin it with 0 % or 100 %.
    """

    name = models.CharField(_("nom"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)
    always_for_mining = models.BooleanField(
        _("toujours pour les demandes au titre de l'activité minière"), default=False
    )
    min_declared_days = models.PositiveIntegerField(
        _("à partir de ce nombre de jours déclarés"),
        null=True,
        blank=True,
        help_text=_("Laisser vide pour ne pas utiliser ce critère."),
    )
    rate_percent = models.PositiveSmallIntegerField(
        _("taux de tirage (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("Part des autres demandes tirées au sort, de 0 à 100."),
    )
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    class Meta:
        verbose_name = _("règle de contrôle physique")
        verbose_name_plural = _("règles de contrôle physique")

    def __str__(self):
        return self.name

    def selects(self, claim: "RefundClaim") -> bool:
        if self.always_for_mining and claim.mining:
            return True
        if self.min_declared_days is not None and claim.declared_days >= self.min_declared_days:
            return True
        return draw_bucket(claim.reference) < self.rate_percent


def draw_bucket(reference: str) -> int:
    """0–99, stable for a given reference."""
    return int(hashlib.sha256(reference.encode()).hexdigest()[:8], 16) % 100


class ClaimStatus(models.TextChoices):
    DRAFT = "brouillon", _("Brouillon")
    SUBMITTED = "deposee", _("Déposée")
    IN_REVIEW = "en_instruction", _("En instruction")
    CONTROLLED = "controle_effectue", _("Contrôle physique effectué")
    ACCEPTED = "acceptee", _("Acceptée")
    REJECTED = "rejetee", _("Rejetée")
    PAID = "payee", _("Payée")


# A claim in one of these statuses blocks a new one (DOMAIN §3: one claim at a time; a refund is final).
OPEN_STATUSES = (ClaimStatus.SUBMITTED, ClaimStatus.IN_REVIEW, ClaimStatus.CONTROLLED, ClaimStatus.ACCEPTED)


def _control_done_if_required(claim) -> bool:
    return not claim.physical_control or claim.status == ClaimStatus.CONTROLLED


class RefundClaim(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    insured = models.ForeignKey(
        InsuredPerson, on_delete=models.PROTECT, related_name="refund_claims", verbose_name=_("assuré")
    )
    reference = models.CharField(_("référence"), max_length=24, unique=True, null=True, blank=True, editable=False)
    status = FSMField(_("statut"), max_length=20, choices=ClaimStatus, default=ClaimStatus.DRAFT)
    mining = models.BooleanField(_("activité minière"), default=False)
    cessation_date = models.DateField(_("date de cessation d'activité"))
    declared_days = models.PositiveIntegerField(_("jours déclarés au dépôt"), default=0)
    mining_days = models.PositiveIntegerField(_("jours miniers au dépôt"), default=0)
    physical_control = models.BooleanField(_("contrôle physique"), default=False)
    physical_control_rule = models.ForeignKey(
        PhysicalControlRule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("règle de contrôle appliquée"),
    )
    amount = models.DecimalField(_("montant remboursé (DH)"), max_digits=12, decimal_places=2, null=True, blank=True)
    rejection_reason = models.TextField(_("motif du rejet"), blank=True)
    # SMS about this claim speak the language of the pages on which it was filed.
    language = models.CharField(_("langue de la demande"), max_length=5, default="fr")
    receipt = models.FileField(_("accusé de dépôt"), storage=private_storage, upload_to=_receipt_upload_to, blank=True)
    receipt_built_at = models.DateTimeField(_("accusé produit le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)
    submitted_at = models.DateTimeField(_("déposée le"), null=True, blank=True)
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    paid_at = models.DateTimeField(_("payée le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("demande de remboursement")
        verbose_name_plural = _("demandes de remboursement")
        indexes = [
            models.Index(fields=["insured", "status"]),
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["receipt_built_at", "status"]),
        ]
        constraints = [
            # At most one draft per insured: «Créer une demande» resumes it instead of piling up drafts.
            models.UniqueConstraint(
                fields=["insured"], condition=models.Q(status="brouillon"), name="taawidaty_one_draft_per_insured"
            )
        ]

    def __str__(self):
        return self.reference or _("Brouillon %(id)s") % {"id": self.pk}

    @property
    def is_draft(self) -> bool:
        return self.status == ClaimStatus.DRAFT

    @property
    def receipt_ready(self) -> bool:
        return bool(self.receipt and self.receipt_built_at)

    @property
    def age_in_days(self) -> int | None:
        if not self.submitted_at:
            return None
        return (timezone.now() - self.submitted_at) // timedelta(days=1)

    # --- Transitions: always through macnss.core.services.apply_transition ---------------------------

    @transition(field=status, source=ClaimStatus.DRAFT, target=ClaimStatus.SUBMITTED)
    def submit(self):
        self.submitted_at = timezone.now()

    @transition(field=status, source=ClaimStatus.SUBMITTED, target=ClaimStatus.IN_REVIEW)
    def start_review(self):
        pass

    @transition(
        field=status,
        source=[ClaimStatus.SUBMITTED, ClaimStatus.IN_REVIEW],
        target=ClaimStatus.CONTROLLED,
        conditions=[lambda claim: claim.physical_control],
    )
    def record_physical_control(self):
        pass

    @transition(
        field=status,
        source=[ClaimStatus.IN_REVIEW, ClaimStatus.CONTROLLED],
        target=ClaimStatus.ACCEPTED,
        conditions=[_control_done_if_required],
    )
    def accept(self, amount=None):
        self.amount = amount
        self.decided_at = timezone.now()

    @transition(
        field=status,
        source=[ClaimStatus.SUBMITTED, ClaimStatus.IN_REVIEW, ClaimStatus.CONTROLLED],
        target=ClaimStatus.REJECTED,
    )
    def reject(self, reason=""):
        self.rejection_reason = reason
        self.decided_at = timezone.now()

    @transition(field=status, source=ClaimStatus.ACCEPTED, target=ClaimStatus.PAID)
    def mark_paid(self):
        self.paid_at = timezone.now()


class AntivirusVerdict(models.TextChoices):
    CLEAN = "clean", _("Sain")
    INFECTED = "infected", _("Infecté")


class ClaimDocument(models.Model):
    claim = models.ForeignKey(
        RefundClaim, on_delete=models.CASCADE, related_name="documents", verbose_name=_("demande")
    )
    required_document = models.ForeignKey(
        RequiredDocument, on_delete=models.PROTECT, related_name="+", verbose_name=_("pièce")
    )
    file = models.FileField(_("fichier"), storage=private_storage, upload_to=document_upload_path, max_length=200)
    original_name = models.CharField(_("nom d'origine"), max_length=120, blank=True)
    content_type = models.CharField(_("type détecté"), max_length=40)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    antivirus_verdict = models.CharField(_("antivirus"), max_length=10, choices=AntivirusVerdict)
    antivirus_backend = models.CharField(_("moteur antivirus"), max_length=20, blank=True)
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now=True)

    class Meta:
        ordering = ["required_document__display_order", "required_document_id"]
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        constraints = [
            models.UniqueConstraint(fields=["claim", "required_document"], name="taawidaty_one_file_per_document")
        ]

    def __str__(self):
        return f"{self.required_document} ({self.original_name})"

    @property
    def download_name(self) -> str:
        extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(self.content_type, "bin")
        return f"piece-{self.pk}.{extension}"
