"""Family members declared by an insured person («ayants droit», DOMAIN §7)."""

import unicodedata
import uuid

from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from accounts.models import InsuredPerson

from . import rules


def private_storage() -> FileSystemStorage:
    """Files under MEDIA_ROOT, never served by URL (only through an ownership check)."""
    return FileSystemStorage()


def document_upload_path(instance, filename: str) -> str:
    # The caller has already chosen a random name; the user's file name never reaches the disk.
    return f"family/pieces/{filename}"


class CoverageRule(models.Model):
    """The age limits of children's coverage (Law 65-00 art. 5): data agents can change in the admin.
    The newest row in force applies; a data migration writes 21 / 26 / no limit when disabled."""

    valid_from = models.DateField(_("en vigueur depuis"), unique=True)
    child_age_limit = models.PositiveSmallIntegerField(
        _("âge limite d'un enfant"), default=21, validators=[MinValueValidator(1), MaxValueValidator(40)]
    )
    student_age_limit = models.PositiveSmallIntegerField(
        _("âge limite d'un enfant qui poursuit des études (non marié)"),
        default=26,
        validators=[MinValueValidator(1), MaxValueValidator(40)],
    )
    disabled_without_limit = models.BooleanField(_("sans limite d'âge en cas de handicap"), default=True)
    reminder_days = models.PositiveSmallIntegerField(
        _("rappel par SMS, jours avant la limite"), default=30, validators=[MaxValueValidator(365)]
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("règle d'âge des ayants droit")
        verbose_name_plural = _("règles d'âge des ayants droit")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(student_age_limit__gte=models.F("child_age_limit")),
                name="family_student_limit_not_below_child_limit",
            )
        ]

    def __str__(self):
        return _("%(child)d ans, %(student)d ans en études, depuis le %(day)s") % {
            "child": self.child_age_limit,
            "student": self.student_age_limit,
            "day": self.valid_from.strftime("%d/%m/%Y"),
        }

    def as_limits(self) -> rules.AgeLimits:
        return rules.AgeLimits(
            child=self.child_age_limit,
            student=self.student_age_limit,
            disabled_without_limit=self.disabled_without_limit,
        )


class Relationship(models.TextChoices):
    SPOUSE = rules.SPOUSE, _("Conjoint(e)")
    CHILD = rules.CHILD, _("Enfant")


class Sex(models.TextChoices):
    MALE = "M", _("Masculin")
    FEMALE = "F", _("Féminin")


class DocumentKind(models.TextChoices):
    MARRIAGE_CERTIFICATE = rules.MARRIAGE_CERTIFICATE, _("Acte de mariage")
    BIRTH_CERTIFICATE = rules.BIRTH_CERTIFICATE, _("Extrait d'acte de naissance")
    SCHOOL_CERTIFICATE = rules.SCHOOL_CERTIFICATE, _("Certificat de scolarité")
    DISABILITY_PROOF = rules.DISABILITY_PROOF, _("Carte d'invalidité ou certificat médical")


class MemberStatus(models.TextChoices):
    NEW = "nouvelle", _("Nouvelle")
    SUBMITTED = "deposee", _("Déposée")
    IN_REVIEW = "en_instruction", _("En instruction")
    VALIDATED = "validee", _("Validée")
    REJECTED = "rejetee", _("Rejetée")


# A person declared in one of these statuses cannot be declared again, by anyone (one insured only).
ACTIVE_STATUSES = (MemberStatus.NEW, MemberStatus.SUBMITTED, MemberStatus.IN_REVIEW, MemberStatus.VALIDATED)


def identity_key(*, relationship: str, last_name: str, first_name: str, birth_date, cin: str = "") -> str:
    """Who the declared person is, the same whoever declares him: the CIN when there is one, else the
    names without accents, case or extra spaces, and the birth date."""
    if cin:
        return f"cin:{cin.upper()}"

    def plain(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text or "")
        letters = "".join(c for c in decomposed if not unicodedata.combining(c))
        return " ".join(letters.upper().replace("-", " ").split())

    return f"nom:{plain(last_name)}|{plain(first_name)}|{birth_date:%Y-%m-%d}"


class FamilyMember(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    insured = models.ForeignKey(
        InsuredPerson, on_delete=models.PROTECT, related_name="family_members", verbose_name=_("assuré")
    )
    reference = models.CharField(_("référence"), max_length=24, unique=True, editable=False)
    relationship = models.CharField(_("lien de parenté"), max_length=10, choices=Relationship)
    last_name = models.CharField(_("nom"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name_ar = models.CharField(_("nom en arabe"), max_length=100, blank=True)
    first_name_ar = models.CharField(_("prénom en arabe"), max_length=100, blank=True)
    birth_date = models.DateField(_("date de naissance"))
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex)
    cin = models.CharField(_("numéro de CIN"), max_length=20, blank=True)
    studying = models.BooleanField(_("poursuit des études"), default=False)
    married = models.BooleanField(_("marié(e)"), default=False)
    disabled = models.BooleanField(_("en situation de handicap"), default=False)
    identity_key = models.CharField(_("clé d'identité"), max_length=260, editable=False)
    status = FSMField(_("statut"), max_length=20, choices=MemberStatus, default=MemberStatus.NEW)
    rejection_reason = models.TextField(_("motif du rejet"), blank=True)
    # Messages about this declaration go in the language of the pages on which it was made.
    language = models.CharField(_("langue de la déclaration"), max_length=5, default="fr")
    coverage_ends_on = models.DateField(_("fin de couverture (limite d'âge)"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)
    submitted_at = models.DateTimeField(_("déposée le"), null=True, blank=True)
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ayant droit")
        verbose_name_plural = _("ayants droit")
        indexes = [
            models.Index(fields=["insured", "status"]),
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["relationship", "status", "coverage_ends_on"]),
        ]
        constraints = [
            # One insured only: two live declarations of the same person cannot coexist, even when two
            # requests race past the service's check.
            models.UniqueConstraint(
                fields=["identity_key"],
                condition=models.Q(status__in=["nouvelle", "deposee", "en_instruction", "validee"]),
                name="family_one_insured_per_person",
            )
        ]

    def __str__(self):
        return f"{self.reference} {self.full_name}"

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name}".strip()

    def localized_full_name(self) -> str:
        from django.utils.translation import get_language

        if get_language() == "ar" and self.last_name_ar:
            return f"{self.last_name_ar} {self.first_name_ar}".strip()
        return self.full_name

    @property
    def is_child(self) -> bool:
        return self.relationship == Relationship.CHILD

    def age_on(self, day) -> int:
        return rules.age_on(self.birth_date, day)

    # --- Transitions: always through macnss.core.services.apply_transition ---------------------------

    @transition(field=status, source=MemberStatus.NEW, target=MemberStatus.SUBMITTED)
    def submit(self):
        self.submitted_at = timezone.now()

    @transition(field=status, source=MemberStatus.SUBMITTED, target=MemberStatus.IN_REVIEW)
    def start_review(self):
        pass

    @transition(field=status, source=MemberStatus.IN_REVIEW, target=MemberStatus.VALIDATED)
    def validate(self):
        self.decided_at = timezone.now()

    @transition(field=status, source=[MemberStatus.SUBMITTED, MemberStatus.IN_REVIEW], target=MemberStatus.REJECTED)
    def reject(self, reason=""):
        self.rejection_reason = reason
        self.decided_at = timezone.now()


class AntivirusVerdict(models.TextChoices):
    CLEAN = "clean", _("Sain")


class MemberDocument(models.Model):
    member = models.ForeignKey(
        FamilyMember, on_delete=models.CASCADE, related_name="documents", verbose_name=_("ayant droit")
    )
    kind = models.CharField(_("pièce"), max_length=30, choices=DocumentKind)
    file = models.FileField(_("fichier"), storage=private_storage, upload_to=document_upload_path, max_length=200)
    original_name = models.CharField(_("nom d'origine"), max_length=120, blank=True)
    content_type = models.CharField(_("type détecté"), max_length=40)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, db_index=True)
    antivirus_verdict = models.CharField(_("antivirus"), max_length=10, choices=AntivirusVerdict)
    antivirus_backend = models.CharField(_("moteur antivirus"), max_length=20, blank=True)
    uploaded_at = models.DateTimeField(_("déposé le"), default=timezone.now)

    class Meta:
        ordering = ["member", "kind", "-uploaded_at"]
        verbose_name = _("pièce d'un ayant droit")
        verbose_name_plural = _("pièces des ayants droit")

    def __str__(self):
        return f"{self.get_kind_display()} ({self.original_name})"

    @property
    def download_name(self) -> str:
        extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(self.content_type, "bin")
        return f"{self.kind}-{self.pk}.{extension}"


class CoverageReminder(models.Model):
    """One SMS per child per age threshold: the beat task writes this row with the SMS, so a second
    run (or two workers at once) never sends it again."""

    member = models.ForeignKey(
        FamilyMember, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("ayant droit")
    )
    threshold_age = models.PositiveSmallIntegerField(_("âge limite"))
    limit_date = models.DateField(_("date de la limite"))
    sent_at = models.DateTimeField(_("envoyé le"), default=timezone.now)

    class Meta:
        verbose_name = _("rappel de limite d'âge")
        verbose_name_plural = _("rappels de limite d'âge")
        constraints = [
            models.UniqueConstraint(fields=["member", "threshold_age"], name="family_one_reminder_per_threshold")
        ]
