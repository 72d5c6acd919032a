"""The insured person's own record beyond identity: regime history, monthly salary declarations, and the
attestations he downloads (each signed, see macnss.core.document_signing)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Regime

MAX_DAYS_PER_MONTH = 26  # the CNSS counts at most 26 working days a month


class RegimePeriod(models.Model):
    """One regime the person belonged to, with its dates (InsuredPerson.regime is today's)."""

    insured = models.ForeignKey(
        "accounts.InsuredPerson", on_delete=models.CASCADE, related_name="regime_periods", verbose_name=_("assuré")
    )
    regime = models.CharField(_("régime"), max_length=20, choices=Regime)
    started_on = models.DateField(_("du"))
    ended_on = models.DateField(_("au"), null=True, blank=True)

    class Meta:
        ordering = ["started_on"]
        verbose_name = _("période de régime")
        verbose_name_plural = _("périodes de régime")
        indexes = [models.Index(fields=["insured", "started_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="regime_period_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.get_regime_display()} {self.started_on:%d/%m/%Y}"


class DeclarationImport(models.Model):
    """One CSV file of monthly declarations imported by a supervisor (the same file twice changes nothing)."""

    checksum = models.CharField(_("empreinte SHA-256"), max_length=64, unique=True)
    file_name = models.CharField(_("fichier"), max_length=255)
    imported_at = models.DateTimeField(_("importé le"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("importé par")
    )
    rows_total = models.PositiveIntegerField(_("lignes"), default=0)
    rows_created = models.PositiveIntegerField(_("créées"), default=0)
    rows_updated = models.PositiveIntegerField(_("mises à jour"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("inchangées"), default=0)

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("import de déclarations")
        verbose_name_plural = _("imports de déclarations")

    def __str__(self):
        return self.file_name


class SalaryDeclaration(models.Model):
    """What one employer declared for one person for one month (DAMANCOM)."""

    insured = models.ForeignKey(
        "accounts.InsuredPerson",
        on_delete=models.CASCADE,
        related_name="salary_declarations",
        verbose_name=_("assuré"),
    )
    employer_number = models.CharField(_("numéro d'affiliation de l'employeur"), max_length=10)
    month = models.DateField(_("mois"), help_text=_("le premier jour du mois"))
    days = models.PositiveSmallIntegerField(_("jours déclarés"))
    salary = models.DecimalField(_("salaire déclaré (DH)"), max_digits=12, decimal_places=2)
    mining = models.BooleanField(_("travail minier"), default=False)
    import_batch = models.ForeignKey(
        DeclarationImport, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("import")
    )

    class Meta:
        ordering = ["month", "employer_number"]
        verbose_name = _("déclaration de salaire")
        verbose_name_plural = _("déclarations de salaire")
        constraints = [
            models.UniqueConstraint(fields=["insured", "employer_number", "month"], name="declaration_unique_month"),
            models.CheckConstraint(condition=Q(days__lte=MAX_DAYS_PER_MONTH), name="declaration_days_at_most_26"),
            models.CheckConstraint(condition=Q(salary__gte=0), name="declaration_salary_not_negative"),
        ]
        indexes = [models.Index(fields=["insured", "month"])]

    def __str__(self):
        return f"{self.insured_id} {self.employer_number} {self.month:%m/%Y}"


class AttestationKind(models.TextChoices):
    REGISTRATION = "attestation_immatriculation", _("Attestation d'immatriculation")
    SALARY = "attestation_salaire", _("Attestation de déclaration de salaire")


class Attestation(models.Model):
    """One attestation as issued: the figures printed (a snapshot), their signed digest, and the PDF the
    worker builds from them."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    insured = models.ForeignKey(
        "accounts.InsuredPerson", on_delete=models.PROTECT, related_name="attestations", verbose_name=_("assuré")
    )
    kind = models.CharField(_("type"), max_length=40, choices=AttestationKind)
    reference = models.CharField(_("référence"), max_length=20, unique=True)
    issued_on = models.DateField(_("délivrée le"))
    period_start = models.DateField(_("période du"), null=True, blank=True)
    period_end = models.DateField(_("période au"), null=True, blank=True)
    figures = models.JSONField(_("chiffres imprimés"))
    digest = models.CharField(_("empreinte SHA-256 des chiffres"), max_length=64)
    token = models.TextField(_("jeton signé (code QR)"))
    amount = models.DecimalField(_("montant (DH)"), max_digits=14, decimal_places=2, null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="attestations/", blank=True)
    pdf_built_at = models.DateTimeField(_("PDF préparé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")
        indexes = [
            models.Index(fields=["insured", "kind", "issued_on"]),
            models.Index(fields=["pdf_built_at", "created_at"]),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_ready(self) -> bool:
        return bool(self.pdf) and self.pdf_built_at is not None
