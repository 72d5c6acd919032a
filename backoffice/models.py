"""The agents' back office: contact-change proposals (four-eyes), the access journal, queue assignments."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from accounts.models import IdentityDocumentType


class ChangeKind(models.TextChoices):
    PHONE = "telephone", _("Téléphone")
    RIB = "rib", _("RIB")
    EMAIL = "email", _("E-mail")


class ProposalStatus(models.TextChoices):
    DRAFT = "brouillon", _("Brouillon")
    PROPOSED = "proposee", _("À approuver")
    APPROVED = "approuvee", _("Approuvée")
    REFUSED = "refusee", _("Refusée")


class ContactChangeProposal(models.Model):
    """An agent's proposal, made at the counter with the person's identity document in hand, to change
    a phone, a RIB or an e-mail. A supervisor other than the proposer decides (four-eyes)."""

    insured = models.ForeignKey(
        "accounts.InsuredPerson", on_delete=models.PROTECT, related_name="contact_proposals", verbose_name=_("assuré")
    )
    kind = models.CharField(_("donnée à changer"), max_length=10, choices=ChangeKind)
    old_value = models.CharField(_("valeur actuelle"), max_length=254, blank=True)
    new_value = models.CharField(_("nouvelle valeur"), max_length=254)
    document_type = models.CharField(_("pièce d'identité vue"), max_length=20, choices=IdentityDocumentType)
    document_number = models.CharField(_("numéro de la pièce vue"), max_length=20)
    status = FSMField(_("statut"), max_length=10, choices=ProposalStatus, default=ProposalStatus.DRAFT)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposé par")
    )
    proposed_at = models.DateTimeField(_("proposé le"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("décidé par"),
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    decision_note = models.TextField(_("motif de la décision"), blank=True)

    class Meta:
        ordering = ["proposed_at"]
        verbose_name = _("changement de coordonnées")
        verbose_name_plural = _("changements de coordonnées")
        permissions = [("decide_contactchangeproposal", _("Peut approuver ou refuser un changement de coordonnées"))]
        indexes = [models.Index(fields=["status", "proposed_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.insured.immatriculation_number}"

    @transition(field=status, source=ProposalStatus.DRAFT, target=ProposalStatus.PROPOSED)
    def submit(self):
        pass

    @transition(field=status, source=ProposalStatus.PROPOSED, target=ProposalStatus.APPROVED)
    def approve(self, *, decided_by, decision_note=""):
        self._decide(decided_by, decision_note)

    @transition(field=status, source=ProposalStatus.PROPOSED, target=ProposalStatus.REFUSED)
    def refuse(self, *, decided_by, decision_note=""):
        self._decide(decided_by, decision_note)

    def _decide(self, by, note):
        from django.utils import timezone

        self.decided_by = by
        self.decided_at = timezone.now()
        self.decision_note = note


class AccessAction(models.TextChoices):
    VIEW = "consultation", _("consultation")
    CHANGE = "modification", _("modification")
    DOWNLOAD = "telechargement", _("téléchargement")
    EXPORT = "export", _("export")
    ACTION = "action", _("action")


class AccessRecord(models.Model):
    """One reading (or change, download, export, action) of an insured person's data by staff.
    Written by the admin hooks of backoffice.audit; never changed nor deleted."""

    at = models.DateTimeField(_("le"), auto_now_add=True, db_index=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("agent")
    )
    staff_username = models.CharField(_("identifiant de l'agent"), max_length=150)
    role = models.CharField(_("rôle"), max_length=150, blank=True)
    insured = models.ForeignKey(
        "accounts.InsuredPerson",
        on_delete=models.CASCADE,
        related_name="access_records",
        verbose_name=_("assuré"),
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("type de donnée"))
    object_id = models.CharField(_("identifiant"), max_length=64)
    object_reference = models.CharField(_("référence"), max_length=100, blank=True)
    action = models.CharField(_("nature"), max_length=20, choices=AccessAction)
    reason = models.CharField(_("motif"), max_length=300, blank=True)
    outside_queues = models.BooleanField(_("hors de ses files"), default=False)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("consultation de données")
        verbose_name_plural = _("journal des consultations")
        indexes = [models.Index(fields=["insured", "-at"]), models.Index(fields=["staff", "at"])]

    def __str__(self):
        return f"{self.staff_username} — {self.content_type.model} {self.object_id}"


class Assignment(models.Model):
    """«Je prends ce dossier»: who works on a queue item (any model, hence a generic relation)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    item = GenericForeignKey("content_type", "object_id")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("agent")
    )
    assigned_at = models.DateTimeField(_("pris le"), auto_now=True)

    class Meta:
        verbose_name = _("dossier pris en charge")
        verbose_name_plural = _("dossiers pris en charge")
        constraints = [models.UniqueConstraint(fields=["content_type", "object_id"], name="one_assignee_per_item")]
        indexes = [models.Index(fields=["assigned_to", "assigned_at"])]

    def __str__(self):
        return f"{self.content_type.model} {self.object_id} → {self.assigned_to}"


class QueueSetting(models.Model):
    """The service time of a work queue (editable by supervisors): older items are shown late."""

    key = models.CharField(_("file"), max_length=80, unique=True)
    label = models.CharField(_("libellé"), max_length=200, blank=True)
    service_days = models.PositiveSmallIntegerField(_("délai de traitement (jours)"), default=5)

    class Meta:
        ordering = ["key"]
        verbose_name = _("délai d'une file de travail")
        verbose_name_plural = _("délais des files de travail")

    def __str__(self):
        return self.label or self.key
