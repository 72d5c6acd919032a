"""Cross-journey records: the SMS and e-mail outbox, and the log of status changes."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("En attente d'envoi")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")
    EXPIRED = "expired", _("Expiré avant l'envoi")


class OutboxMessage(models.Model):
    """A message is written here first, in the user's transaction, then sent by a Celery task.

    So nothing is lost while Redis or the provider is down: the row waits as `queued`.
    """

    status = models.CharField(_("statut"), max_length=10, choices=OutboxStatus, default=OutboxStatus.QUEUED)
    purpose = models.CharField(_("objet"), max_length=60)
    language = models.CharField(_("langue"), max_length=5, default="fr")
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    backend = models.CharField(_("passerelle"), max_length=20, blank=True)
    provider_message_id = models.CharField(_("identifiant fournisseur"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    # When the task's own retry is due after a transient error; the beat re-queue leaves the row alone
    # until then, so it never cuts the backoff short.
    next_attempt_at = models.DateTimeField(_("prochain essai le"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class OutboundSms(OutboxMessage):
    to = models.CharField(_("destinataire"), max_length=20, db_index=True)
    body = models.TextField(_("texte"))
    # One-time codes and temporary passwords: encrypted while waiting, wiped once sent, failed or expired.
    sensitive = models.BooleanField(_("contenu sensible"), default=False)

    class Meta(OutboxMessage.Meta):
        verbose_name = _("SMS")
        verbose_name_plural = _("SMS")
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self):
        from .validators import mask_phone

        return f"SMS {self.pk} → {mask_phone(self.to)} ({self.get_status_display()})"


class OutboundEmail(OutboxMessage):
    to = models.EmailField(_("destinataire"))
    subject = models.CharField(_("objet du message"), max_length=200)
    body = models.TextField(_("texte"))
    attachment = models.FileField(_("pièce jointe"), upload_to="outbox/", blank=True)
    attachment_name = models.CharField(_("nom de la pièce jointe"), max_length=100, blank=True)

    class Meta(OutboxMessage.Meta):
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self):
        return f"E-mail {self.pk} → {self.to} ({self.get_status_display()})"


class StatusChange(models.Model):
    """Who moved which record from which status to which, when and why (agents' audit trail)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    from_status = models.CharField(_("ancien statut"), max_length=40)
    to_status = models.CharField(_("nouveau statut"), max_length=40)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("par")
    )
    note = models.TextField(_("motif"), blank=True)
    changed_at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_at"]
        verbose_name = _("changement de statut")
        verbose_name_plural = _("changements de statut")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.content_type.model} {self.object_id}: {self.from_status} → {self.to_status}"


class ThrottleCount(models.Model):
    """A rate-limit count kept in the database while the cache is down (`macnss.core.throttle`)."""

    bucket = models.CharField(max_length=60)
    client = models.CharField(max_length=64)
    slot = models.BigIntegerField(help_text="start of the window, in periods since the epoch")
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "client", "slot"], name="throttle_one_count_per_window")
        ]

    def __str__(self):
        return f"{self.bucket} {self.client} {self.slot}: {self.count}"
