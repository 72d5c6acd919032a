from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Law 09-08: the privacy notice and «Mes données» (what every app registered in macnss.core.personal_data)."""

    name = "privacy"
    verbose_name = _("Protection des données personnelles")

    def ready(self):
        from macnss.core.portal import PortalService, register_service
        from macnss.core.retention import RetentionRule, register_retention_rule

        from .models import DataExport

        register_service(
            PortalService(
                key="my_data",
                title=_("Mes données"),
                description=_(
                    "Ce que le portail conserve sur vous : consultez-le, téléchargez-le, faites-le corriger."
                ),
                url_name="privacy:my_data",
                order=950,
            )
        )
        register_retention_rule(
            RetentionRule(
                key="privacy.data_exports",
                setting="RETENTION_DATA_EXPORT_DAYS",
                expired=lambda cutoff: DataExport.objects.filter(requested_at__lt=cutoff),
                file_fields=("pdf",),
            )
        )
