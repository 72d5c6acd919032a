"""A PDF of «Mes données», built by the worker on request and kept one day (RETENTION_DATA_EXPORT_DAYS)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataExport(models.Model):
    insured = models.ForeignKey(
        "accounts.InsuredPerson", on_delete=models.CASCADE, related_name="+", verbose_name=_("assuré")
    )
    language = models.CharField(_("langue"), max_length=5, default="fr")
    pdf = models.FileField(_("PDF"), upload_to="mes-donnees/", blank=True)
    requested_at = models.DateTimeField(_("demandé le"), auto_now_add=True, db_index=True)
    built_at = models.DateTimeField(_("préparé le"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("export de mes données")
        verbose_name_plural = _("exports de mes données")

    def __str__(self):
        return f"{self.insured_id} — {self.requested_at:%d/%m/%Y %H:%M}"
