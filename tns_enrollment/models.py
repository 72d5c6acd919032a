"""TNS onboarding (seed 001): the liaison organisms' lists, their CSV imports, the log of what people
typed on the public form, and the proximity points and agencies where unlisted workers go."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from accounts.models import (
    IdentityDocumentType,
    InsuredPerson,
    PersonIdentity,
    PhoneOperator,
    ProfessionalCategory,
    ProfessionalSubCategory,
)

# What a liaison list says of a person, field for field the CNSS record's (accounts.PersonIdentity):
# the agents' form, the CSV import and the registration all take this one list.
IDENTITY_FIELDS = (
    "id_document_type",
    "id_document_number",
    "id_document_expiry",
    "birth_date",
    "last_name",
    "first_name",
    "last_name_ar",
    "first_name_ar",
    "address",
    "phone",
    "email",
)
# The identity document names an entry: an import matches on it and never changes it.
IDENTITY_KEY = ("id_document_type", "id_document_number")


class NonEligibilityReason(models.TextChoices):
    """Why a person cannot join the TNS scheme: he is already covered by another mandatory AMO scheme."""

    EMPLOYEE = (
        "salarie",
        _("Vous êtes déjà couvert par l'assurance maladie obligatoire en tant que salarié du secteur privé (CNSS)."),
    )
    CNOPS = "cnops", _("Vous êtes déjà couvert par l'assurance maladie obligatoire du secteur public (CNOPS).")
    OTHER_AMO = "autre_amo", _("Vous êtes déjà couvert par un autre régime d'assurance maladie obligatoire.")
    PENSIONER = "pensionne", _("Vous êtes déjà couvert par l'assurance maladie obligatoire en tant que pensionné.")
    NOT_LIBERAL = (
        "activite_non_eligible",
        _("L'activité déclarée par votre organisme de liaison ne relève pas du régime des travailleurs non salariés."),
    )


class LiaisonImport(models.Model):
    """One CSV file imported by an agent. The checksum makes a second import of the same file a no-op."""

    checksum = models.CharField(_("empreinte SHA-256"), max_length=64, unique=True)
    file_name = models.CharField(_("nom du fichier"), max_length=255)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("importé par")
    )
    imported_at = models.DateTimeField(_("importé le"), default=timezone.now)
    rows_total = models.PositiveIntegerField(_("lignes"), default=0)
    rows_created = models.PositiveIntegerField(_("lignes créées"), default=0)
    rows_updated = models.PositiveIntegerField(_("lignes mises à jour"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("lignes inchangées"), default=0)

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("import de liste de liaison")
        verbose_name_plural = _("imports de listes de liaison")

    def __str__(self):
        return f"{self.file_name} ({self.imported_at:%d/%m/%Y %H:%M})"


class LiaisonStatus(models.TextChoices):
    PENDING = "a_immatriculer", _("Éligible, à immatriculer")
    REGISTERED = "immatricule", _("Immatriculé")
    NOT_ELIGIBLE = "non_eligible", _("Non éligible")


class LiaisonListEntry(PersonIdentity):
    """A person communicated by a liaison organism (Health ministry, DGI, an Ordre…), once made reliable."""

    organism = models.CharField(_("organisme de liaison"), max_length=150)
    category = models.ForeignKey(
        ProfessionalCategory, on_delete=models.PROTECT, related_name="liaison_entries", verbose_name=_("catégorie")
    )
    subcategory = models.ForeignKey(
        ProfessionalSubCategory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="liaison_entries",
        verbose_name=_("sous-catégorie"),
    )
    is_eligible = models.BooleanField(_("éligible au régime TNS"), default=True)
    non_eligibility_reason = models.CharField(
        _("motif de non-éligibilité"), max_length=30, choices=NonEligibilityReason, blank=True
    )
    status = FSMField(_("statut"), max_length=20, choices=LiaisonStatus, default=LiaisonStatus.PENDING)
    # One entry registers one person, and one person comes from at most one entry (DB-enforced).
    insured = models.OneToOneField(
        InsuredPerson,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="liaison_entry",
        verbose_name=_("assuré"),
    )
    registered_at = models.DateTimeField(_("immatriculé le"), null=True, blank=True)
    import_batch = models.ForeignKey(
        LiaisonImport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entries",
        verbose_name=_("dernier import"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("personne d'une liste de liaison")
        verbose_name_plural = _("listes de liaison")
        constraints = [
            models.UniqueConstraint(fields=["id_document_type", "id_document_number"], name="unique_liaison_identity"),
            models.CheckConstraint(
                condition=models.Q(is_eligible=True) | ~models.Q(non_eligibility_reason=""),
                name="liaison_not_eligible_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["id_document_number"], name="tns_liaison_docnum_idx")]

    def __str__(self):
        return f"{self.last_name} {self.first_name} ({self.id_document_number})"

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name}".strip()

    @transition(field=status, source=LiaisonStatus.PENDING, target=LiaisonStatus.REGISTERED)
    def register(self, *, person: InsuredPerson):
        self.insured = person
        self.registered_at = timezone.now()

    @transition(field=status, source=LiaisonStatus.PENDING, target=LiaisonStatus.NOT_ELIGIBLE)
    def declare_not_eligible(self, *, reason: str):
        self.is_eligible = False
        self.non_eligibility_reason = reason

    @transition(field=status, source=LiaisonStatus.NOT_ELIGIBLE, target=LiaisonStatus.PENDING)
    def declare_eligible(self):
        self.is_eligible = True
        self.non_eligibility_reason = ""


class Outcome(models.TextChoices):
    HAS_ACCOUNT = "a_compte", _("a. Immatriculé, dispose d'un compte")
    NO_ACCOUNT = "b_sans_compte", _("b. Immatriculé, sans compte (code SMS)")
    NOT_REGISTERED = "c_non_immatricule", _("c. Assujetti, non immatriculé")
    NOT_ELIGIBLE = "d_non_eligible", _("d. Non éligible")
    BLOCKED = "bloque", _("Refusé : trop de tentatives")


class OnboardingAttempt(models.Model):
    """What a person typed on «Introduction des informations personnelles» (never the OTP), and what followed."""

    id_document_type = models.CharField(_("type de la pièce d'identité"), max_length=20, choices=IdentityDocumentType)
    id_document_number = models.CharField(_("numéro de la pièce d'identité"), max_length=20)
    id_document_expiry = models.DateField(_("date d'expiration saisie"))
    birth_date = models.DateField(_("date de naissance saisie"))
    phone = models.CharField(_("téléphone saisi (E.164)"), max_length=20)
    phone_operator = models.CharField(_("opérateur"), max_length=20, choices=PhoneOperator)
    email = models.EmailField(_("e-mail saisi"), blank=True)
    language = models.CharField(_("langue"), max_length=5, default="fr")
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    outcome = models.CharField(_("résultat"), max_length=20, choices=Outcome)
    non_eligibility_reason = models.CharField(
        _("motif de non-éligibilité"), max_length=30, choices=NonEligibilityReason, blank=True
    )
    insured = models.ForeignKey(
        InsuredPerson,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="onboarding_attempts",
        verbose_name=_("assuré trouvé"),
    )
    liaison_entry = models.ForeignKey(
        LiaisonListEntry,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="onboarding_attempts",
        verbose_name=_("personne de la liste de liaison"),
    )
    chosen_category = models.ForeignKey(
        ProfessionalCategory,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("catégorie choisie"),
    )
    otp_confirmed_at = models.DateTimeField(_("code SMS confirmé le"), null=True, blank=True)
    account_created_at = models.DateTimeField(_("compte créé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("le"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("tentative d'immatriculation en ligne")
        verbose_name_plural = _("tentatives d'immatriculation en ligne")
        indexes = [
            models.Index(fields=["id_document_number", "created_at"], name="tns_attempt_doc_idx"),
            models.Index(fields=["insured", "account_created_at"], name="tns_attempt_insured_idx"),
        ]

    def __str__(self):
        return f"{self.id_document_number} — {self.get_outcome_display()} ({self.created_at:%d/%m/%Y %H:%M})"


class ProximityKind(models.TextChoices):
    PROXIMITY_POINT = "point", _("Point de proximité")
    AGENCY = "agence", _("Agence CNSS")


class ProximityPoint(models.Model):
    """Where an unlisted TNS brings his documents."""

    name = models.CharField(_("nom"), max_length=150)
    name_ar = models.CharField(_("nom en arabe"), max_length=150, blank=True)
    kind = models.CharField(_("type"), max_length=10, choices=ProximityKind, default=ProximityKind.AGENCY)
    city = models.CharField(_("ville"), max_length=80)
    city_ar = models.CharField(_("ville en arabe"), max_length=80, blank=True)
    address = models.CharField(_("adresse"), max_length=250)
    address_ar = models.CharField(_("adresse en arabe"), max_length=250, blank=True)
    hours = models.CharField(_("horaires"), max_length=200)
    hours_ar = models.CharField(_("horaires en arabe"), max_length=200, blank=True)
    is_active = models.BooleanField(_("affiché sur le portail"), default=True)

    class Meta:
        ordering = ["city", "kind", "name"]
        verbose_name = _("point de proximité ou agence")
        verbose_name_plural = _("points de proximité et agences")
        indexes = [models.Index(fields=["is_active", "city"], name="tns_proximity_city_idx")]

    def __str__(self):
        return f"{self.city} — {self.name}"

    def _localized(self, field: str) -> str:
        arabic = getattr(self, f"{field}_ar")
        return arabic if get_language() == "ar" and arabic else getattr(self, field)

    def localized_name(self) -> str:
        return self._localized("name")

    def localized_city(self) -> str:
        return self._localized("city")

    def localized_address(self) -> str:
        return self._localized("address")

    def localized_hours(self) -> str:
        return self._localized("hours")
