from django.apps import AppConfig

from macnss.core.translation import gettext_lazy as _


class FamilyConfig(AppConfig):
    name = "family"
    verbose_name = _("Ayants droit")

    def ready(self):
        from macnss.core.portal import PortalService, register_request_provider, register_service

        from .models import FamilyMember
        from .portal import member_summaries

        register_service(
            PortalService(
                key="family",
                title=_("Mes ayants droit"),
                description=_(
                    "Déclarez les membres de votre famille (conjoint(e), enfants) et suivez leur couverture."
                ),
                url_name="family:members",
                order=40,
            )
        )
        register_request_provider(member_summaries, models=[FamilyMember])
