from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PensionConfig(AppConfig):
    name = "pension"
    verbose_name = _("Pension facultative")

    def ready(self):
        from macnss.core.portal import PortalService, register_request_provider, register_service

        from . import rules
        from .portal import pension_requests

        register_service(
            PortalService(
                key="pension",
                title=_("Pension facultative"),
                description=_("Adhérez au régime facultatif des pensions, avec prélèvement automatique."),
                url_name="pension:home",
                is_available=rules.is_eligible,
                order=20,
            )
        )
        from .models import PensionRequest

        register_request_provider(pension_requests, models=[PensionRequest])
        from .personal_data import register as register_personal_data

        register_personal_data()  # «Mes données» and retention (Law 09-08)

        from backoffice.queues import WorkQueue, register_queue

        register_queue(
            WorkQueue(
                key="pension-recues",
                journey=_("Pension facultative"),
                label=_("demandes reçues à valider"),
                model="pension.PensionRequest",
                filters={"status": "recue"},
                age_field="submitted_at",
                groups=("Agents", "Superviseurs"),
                order=30,
            )
        )
        register_queue(
            WorkQueue(
                key="pension-validees",
                journey=_("Pension facultative"),
                label=_("demandes validées à activer"),
                model="pension.PensionRequest",
                filters={"status": "validee"},
                age_field="submitted_at",
                groups=("Agents", "Superviseurs"),
                order=31,
            )
        )
