from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


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
        from .personal_data import register as register_personal_data

        register_personal_data()  # «Mes données» and retention (Law 09-08)

        from backoffice.queues import WorkQueue, register_queue

        for queue in (
            WorkQueue(
                key="family-deposees",
                journey=_("Ayants droit"),
                label=_("déclarations déposées à instruire"),
                model="family.FamilyMember",
                filters={"status": "deposee"},
                age_field="submitted_at",
                groups=("Agents", "Superviseurs"),
                order=60,
            ),
            WorkQueue(
                key="family-en-instruction",
                journey=_("Ayants droit"),
                label=_("déclarations en instruction, à décider"),
                model="family.FamilyMember",
                filters={"status": "en_instruction"},
                age_field="submitted_at",
                groups=("Agents", "Superviseurs"),
                order=61,
            ),
        ):
            register_queue(queue)
