"""The shared insured-person model, the portal account, and what every journey reads from them."""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition


class IdentityDocumentType(models.TextChoices):
    CNIE = "cnie", _("Carte nationale d'identité électronique (CNIE)")
    RESIDENCE_CARD = "carte_sejour", _("Carte de séjour")
    PASSPORT = "passeport", _("Passeport")


class PhoneOperator(models.TextChoices):
    MAROC_TELECOM = "maroc_telecom", _("Maroc Telecom")
    ORANGE = "orange", _("Orange")
    INWI = "inwi", _("inwi")


class Regime(models.TextChoices):
    EMPLOYEE = "salarie", _("Salarié")
    TNS = "tns", _("Travailleur non salarié (TNS)")
    ASVI = "asvi", _("Assurance volontaire (ASVI)")
    PENSIONER = "pensionne", _("Pensionné")
    OTHER_AMO = "autre_amo", _("Autre régime AMO obligatoire")


class ProfessionalCategory(models.Model):
    """A TNS professional category (DOMAIN §1.2), with the documents to bring to register."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("nom"), max_length=150)
    name_ar = models.CharField(_("nom en arabe"), max_length=150, blank=True)
    liaison_body = models.CharField(_("organisme de liaison"), max_length=150, blank=True)
    required_documents = models.TextField(_("documents à fournir (un par ligne)"), blank=True)
    required_documents_ar = models.TextField(_("documents à fournir en arabe (un par ligne)"), blank=True)
    display_order = models.PositiveSmallIntegerField(_("ordre d'affichage"), default=100)
    is_open = models.BooleanField(_("ouverte à l'immatriculation"), default=True)

    class Meta:
        ordering = ["display_order", "name"]
        verbose_name = _("catégorie professionnelle")
        verbose_name_plural = _("catégories professionnelles")

    def __str__(self):
        return self.name

    def localized_name(self) -> str:
        return self.name_ar if get_language() == "ar" and self.name_ar else self.name

    def documents(self) -> list[str]:
        text = (
            self.required_documents_ar
            if get_language() == "ar" and self.required_documents_ar
            else self.required_documents
        )
        return [line.strip() for line in text.splitlines() if line.strip()]


class ProfessionalSubCategory(models.Model):
    """The contribution base is a multiple of the SMIG; AMO and pension rates apply to it."""

    category = models.ForeignKey(
        ProfessionalCategory, on_delete=models.PROTECT, related_name="subcategories", verbose_name=_("catégorie")
    )
    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("nom"), max_length=150)
    name_ar = models.CharField(_("nom en arabe"), max_length=150, blank=True)
    base_smig_multiple = models.DecimalField(_("base (multiple du SMIG)"), max_digits=5, decimal_places=2)
    amo_rate = models.DecimalField(_("taux AMO"), max_digits=5, decimal_places=4, default=Decimal("0.0637"))
    pension_rate = models.DecimalField(_("taux pension"), max_digits=5, decimal_places=4, default=Decimal("0.1000"))

    class Meta:
        ordering = ["category__display_order", "name"]
        verbose_name = _("sous-catégorie professionnelle")
        verbose_name_plural = _("sous-catégories professionnelles")

    def __str__(self):
        return f"{self.category.name} — {self.name}"

    def localized_name(self) -> str:
        return self.name_ar if get_language() == "ar" and self.name_ar else self.name


class SmigValue(models.Model):
    """The monthly SMIG used for TNS bases is dated data, not a constant (DOMAIN §1.1)."""

    valid_from = models.DateField(_("en vigueur depuis"), unique=True)
    monthly_amount = models.DecimalField(_("SMIG mensuel (DH)"), max_digits=10, decimal_places=2)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("valeur du SMIG")
        verbose_name_plural = _("valeurs du SMIG")

    def __str__(self):
        return f"{self.monthly_amount} DH ({self.valid_from:%d/%m/%Y})"


class PersonIdentity(models.Model):
    """Who a person is, as his identity document and contact details say. Shared by the CNSS record
    and by the lists liaison organisms send (tns_enrollment), so both are matched on the same fields."""

    id_document_type = models.CharField(
        _("type de la pièce d'identité"), max_length=20, choices=IdentityDocumentType, default=IdentityDocumentType.CNIE
    )
    id_document_number = models.CharField(_("numéro de la pièce d'identité"), max_length=20)
    id_document_expiry = models.DateField(_("date d'expiration de la pièce"))
    birth_date = models.DateField(_("date de naissance"))
    last_name = models.CharField(_("nom"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name_ar = models.CharField(_("nom en arabe"), max_length=100, blank=True)
    first_name_ar = models.CharField(_("prénom en arabe"), max_length=100, blank=True)
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    phone = models.CharField(_("téléphone (E.164)"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        abstract = True


class InsuredPerson(PersonIdentity):
    """The CNSS record of a person. It exists with or without a portal account."""

    immatriculation_number = models.CharField(_("numéro d'immatriculation"), max_length=9, unique=True)
    phone = models.CharField(_("téléphone (E.164)"), max_length=20, blank=True, db_index=True)  # agents search by it
    phone_operator = models.CharField(_("opérateur"), max_length=20, choices=PhoneOperator, blank=True)
    preferred_language = models.CharField(_("langue préférée"), max_length=5, default="fr")
    regime = models.CharField(_("régime"), max_length=20, choices=Regime, default=Regime.EMPLOYEE)
    tns_subcategory = models.ForeignKey(
        ProfessionalSubCategory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="insured_persons",
        verbose_name=_("sous-catégorie TNS"),
    )
    pays_contributions_directly = models.BooleanField(_("paie directement ses cotisations"), default=False)
    declared_days = models.PositiveIntegerField(_("jours déclarés"), default=0)
    mining_days = models.PositiveIntegerField(_("jours de travail minier"), default=0)
    receives_pension = models.BooleanField(_("perçoit une pension"), default=False)
    asvi_reference_salary = models.DecimalField(
        _("salaire de référence ASVI"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    # Issue 16 §2's one exception: a phone proven online but never checked by the CNSS. The first RIB
    # then waits for an agent («RIB à vérifier») before any direct debit.
    first_rib_needs_check = models.BooleanField(_("premier RIB à vérifier par un agent"), default=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("assuré")
        verbose_name_plural = _("assurés")
        constraints = [
            models.UniqueConstraint(fields=["id_document_type", "id_document_number"], name="unique_identity_document")
        ]
        indexes = [models.Index(fields=["id_document_number"])]

    def __str__(self):
        return f"{self.immatriculation_number} {self.full_name}"

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name}".strip()

    def localized_full_name(self) -> str:
        if get_language() == "ar" and self.last_name_ar:
            return f"{self.last_name_ar} {self.first_name_ar}".strip()
        return self.full_name

    @property
    def is_tns(self) -> bool:
        return self.regime == Regime.TNS

    @property
    def is_asvi_member(self) -> bool:
        return self.regime == Regime.ASVI

    def age_on(self, day) -> tuple[int, int]:
        """(years, months) completed on `day`."""
        months = (day.year - self.birth_date.year) * 12 + day.month - self.birth_date.month
        if day.day < self.birth_date.day:
            months -= 1
        return divmod(months, 12)


class User(AbstractUser):
    """A portal account. Insured persons log in with their 9-digit number; agents are staff without one."""

    insured = models.OneToOneField(
        InsuredPerson,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account",
        verbose_name=_("assuré"),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("compte")
        verbose_name_plural = _("comptes")


class RibVerification(models.TextChoices):
    VERIFIED = "verifie", _("Vérifié")
    PENDING = "a_verifier", _("RIB à vérifier")


class BankDetails(models.Model):
    """The insured's current RIB (24 digits, key checked). A RIB «à vérifier» starts no direct debit."""

    insured = models.OneToOneField(
        InsuredPerson, on_delete=models.CASCADE, related_name="bank_details", verbose_name=_("assuré")
    )
    rib = models.CharField(_("RIB"), max_length=24)
    # Named `status` for macnss.core.services.apply_transition, which logs every change.
    status = FSMField(
        _("vérification"), max_length=12, choices=RibVerification, default=RibVerification.VERIFIED, db_index=True
    )
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    class Meta:
        verbose_name = _("RIB")
        verbose_name_plural = _("RIB")

    def __str__(self):
        from macnss.core.validators import format_rib

        return format_rib(self.rib)

    @property
    def is_pending_verification(self) -> bool:
        return self.status == RibVerification.PENDING

    @transition(field=status, source=RibVerification.PENDING, target=RibVerification.VERIFIED)
    def confirm(self):
        """An agent compared the RIB with the person's file (admin action, through accounts.services)."""


class DirectDebitMandate(models.Model):
    """Proof of the direct-debit consent: which text was accepted, when, from which address."""

    insured = models.ForeignKey(
        InsuredPerson, on_delete=models.CASCADE, related_name="mandates", verbose_name=_("assuré")
    )
    rib = models.CharField(_("RIB"), max_length=24)
    consent_text = models.TextField(_("texte accepté"))
    consent_text_version = models.CharField(_("version du texte"), max_length=20)
    consented_at = models.DateTimeField(_("accepté le"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    class Meta:
        ordering = ["-consented_at"]
        verbose_name = _("mandat de prélèvement")
        verbose_name_plural = _("mandats de prélèvement")

    def __str__(self):
        return f"{self.insured.immatriculation_number} — {self.consented_at:%d/%m/%Y}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class OneTimeCode(models.Model):
    """An SMS code, stored hashed, bound to one purpose, valid 10 minutes, 5 tries, single use."""

    purpose = models.CharField(_("usage"), max_length=40)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True, db_index=True)
    subject = models.CharField(_("objet lié"), max_length=60, blank=True)
    code_hash = models.CharField(max_length=64)
    salt = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    consumed_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    # A keyed hash of the identity typed (number or document number): sends are counted per identity,
    # for real people and decoys alike, so the limit tells nobody whether a record exists (L1).
    identity_key = models.CharField(_("identité saisie (empreinte)"), max_length=64, blank=True, db_index=True)
    # An SMS that carries no code («vous avez déjà un compte…»): kept to send it again on «Renvoyer».
    notice = models.TextField(_("message sans code"), blank=True)

    class Meta:
        verbose_name = _("code à usage unique")
        verbose_name_plural = _("codes à usage unique")
        indexes = [models.Index(fields=["phone", "created_at"])]

    def __str__(self):
        return f"{self.purpose} #{self.pk}"


class SignIn(models.Model):
    """One sign-in to the portal and the session it opened («Mes connexions»). The session key lets
    `accounts.services.end_other_sessions` end that session; it is cleared when the session ends."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_ins", verbose_name=_("compte"))
    session_key = models.CharField(_("clé de session"), max_length=40, blank=True, db_index=True)
    created_at = models.DateTimeField(_("connecté le"), default=timezone.now)
    ended_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    user_agent = models.CharField(_("navigateur"), max_length=300, blank=True)
    method = models.CharField(_("moyen"), max_length=20, default="password")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("connexion")
        verbose_name_plural = _("connexions")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.user} — {self.created_at:%d/%m/%Y %H:%M}"


class LoginFailure(models.Model):
    """A refused password (login, re-authentication, password change), for accounts.login_guard.

    `subject` is the person ("user:<id>") or, when the identifier typed matches no account, a keyed hash
    of it ("id:<hash>"): no identifier typed by a stranger is stored. `ip_bucket` is the client address
    (its /64 network for IPv6)."""

    subject = models.CharField(_("personne"), max_length=80)
    ip_bucket = models.CharField(_("adresse IP"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("échec de connexion")
        verbose_name_plural = _("échecs de connexion")
        indexes = [
            models.Index(fields=["subject", "created_at"]),
            models.Index(fields=["ip_bucket", "created_at"]),
            models.Index(fields=["created_at"]),
        ]


class LoginThrottle(models.Model):
    """One row per person or address the login guard has counted: the row locked while a try is judged
    (so parallel tries cannot pass the limit together), the lock's end, the last «compte bloqué» SMS."""

    key = models.CharField(_("clé"), max_length=80, unique=True)
    locked_until = models.DateTimeField(_("bloqué jusqu'au"), null=True, blank=True)
    notice_sent_at = models.DateTimeField(_("SMS de blocage envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("blocage de connexion")
        verbose_name_plural = _("blocages de connexion")

    def __str__(self):
        return self.key


class OtpSendGate(models.Model):
    """A row per phone (or decoy chain) updated before codes are counted and sent: the update takes the
    row lock on PostgreSQL and the write lock on SQLite, so parallel starts are counted one after the other."""

    key = models.CharField(max_length=80, unique=True)
    touched_at = models.DateTimeField(default=timezone.now)
