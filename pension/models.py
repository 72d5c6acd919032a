"""The voluntary pension request of a TNS (seed 000, DOMAIN §2): one per person, with the figures of the day."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from accounts.models import BankDetails, DirectDebitMandate, InsuredPerson, ProfessionalSubCategory, RibVerification

MIN_MULTIPLIER = 1
MAX_MULTIPLIER = 10


class PensionRequestStatus(models.TextChoices):
    RECEIVED = "recue", _("Reçue")
    VALIDATED = "validee", _("Validée")
    ACTIVE = "active", _("Active")
    REJECTED = "rejetee", _("Rejetée")


class AgeBand(models.TextChoices):
    """Seed 000: the age at the request date decides the extra question."""

    UNDER_63 = "moins_63", _("Moins de 63 ans")
    AJOURNEMENT = "63_64_9", _("De 63 ans à 64 ans et 9 mois")
    DROIT_SUPPLEMENTAIRE = "64_9_65", _("De 64 ans et 9 mois à 65 ans")
    TOO_OLD = "65_plus", _("65 ans ou plus")


class PensionRequest(models.Model):
    insured = models.OneToOneField(
        InsuredPerson, on_delete=models.PROTECT, related_name="pension_request", verbose_name=_("assuré")
    )
    reference = models.CharField(_("référence"), max_length=20, unique=True)
    status = FSMField(_("statut"), max_length=10, choices=PensionRequestStatus, default=PensionRequestStatus.RECEIVED)
    rejection_reason = models.TextField(_("motif du rejet"), blank=True)

    # Figures of the request date, kept as they were shown to the insured.
    subcategory = models.ForeignKey(
        ProfessionalSubCategory,
        on_delete=models.PROTECT,
        related_name="pension_requests",
        verbose_name=_("sous-catégorie"),
    )
    smig = models.DecimalField(_("SMIG mensuel"), max_digits=10, decimal_places=2)
    base_smig_multiple = models.DecimalField(_("base (multiple du SMIG)"), max_digits=5, decimal_places=2)
    base = models.DecimalField(_("revenu forfaitaire"), max_digits=12, decimal_places=2)
    minimum_contribution = models.DecimalField(_("cotisation minimale"), max_digits=12, decimal_places=2)
    multiplier = models.PositiveSmallIntegerField(
        _("multiplicateur"), validators=[MinValueValidator(MIN_MULTIPLIER), MaxValueValidator(MAX_MULTIPLIER)]
    )
    monthly_amount = models.DecimalField(_("cotisation mensuelle"), max_digits=12, decimal_places=2)

    request_date = models.DateField(_("date de la demande"))
    age_years = models.PositiveSmallIntegerField(_("âge (années)"))
    age_months = models.PositiveSmallIntegerField(_("âge (mois)"))
    age_band = models.CharField(_("tranche d'âge"), max_length=10, choices=AgeBand)
    ajournement = models.BooleanField(_("ajournement de la liquidation demandé"), null=True, blank=True)
    droit_supplementaire = models.BooleanField(
        _("constitution d'un droit supplémentaire demandée"), null=True, blank=True
    )

    rib = models.CharField(_("RIB"), max_length=24)
    mandate = models.ForeignKey(
        DirectDebitMandate,
        on_delete=models.PROTECT,
        related_name="pension_requests",
        verbose_name=_("mandat de prélèvement"),
    )
    legal_notice_version = models.CharField(_("version des mentions légales"), max_length=20)
    legal_notice_accepted_at = models.DateTimeField(_("mentions légales acceptées le"))
    debit_start_date = models.DateField(_("début du prélèvement"))
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    # SMS about this request speak the language of the pages on which it was made.
    language = models.CharField(_("langue de la demande"), max_length=5, default="fr")

    submitted_at = models.DateTimeField(_("déposée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("demande de pension facultative")
        verbose_name_plural = _("demandes de pension facultative")
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["age_band"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(multiplier__gte=MIN_MULTIPLIER, multiplier__lte=MAX_MULTIPLIER),
                name="pension_multiplier_range",
            ),
        ]

    def __str__(self):
        return self.reference

    @transition(field=status, source=PensionRequestStatus.RECEIVED, target=PensionRequestStatus.VALIDATED)
    def validate(self):
        pass

    @transition(
        field=status,
        source=PensionRequestStatus.VALIDATED,
        target=PensionRequestStatus.ACTIVE,
        conditions=[lambda pension_request: not pension_request.rib_pending_verification()],
    )
    def activate(self):
        """The direct debit starts: never on a RIB «à vérifier» (issue 16 §2)."""

    def rib_pending_verification(self) -> bool:
        return BankDetails.objects.filter(insured_id=self.insured_id, status=RibVerification.PENDING).exists()

    @transition(
        field=status,
        source=[PensionRequestStatus.RECEIVED, PensionRequestStatus.VALIDATED],
        target=PensionRequestStatus.REJECTED,
    )
    def reject(self, reason: str = ""):
        self.rejection_reason = reason
