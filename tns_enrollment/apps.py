from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TnsEnrollmentConfig(AppConfig):
    name = "tns_enrollment"
    verbose_name = _("Immatriculation des TNS")

    def ready(self):
        from macnss.core.portal import PortalService, register_request_provider, register_service

        from .portal import registration_requests

        register_service(
            PortalService(
                key="tns_proximity_points",
                title=_("Points de proximité et agences"),
                description=_("Où déposer un document ou poser une question sur votre immatriculation TNS."),
                url_name="tns_enrollment:proximity_points",
                is_available=lambda person: person.is_tns,
                order=90,
            )
        )
        from .models import OnboardingAttempt

        register_request_provider(registration_requests, models=[OnboardingAttempt])
        from .personal_data import register as register_personal_data

        register_personal_data()  # «Mes données» and retention (Law 09-08)

        from backoffice.queues import WorkQueue, register_queue

        register_queue(
            WorkQueue(
                key="tns-liaison-a-immatriculer",
                journey=_("TNS"),
                label=_("Imports de listes de liaison : éligibles à immatriculer"),
                model="tns_enrollment.LiaisonListEntry",
                filters={"status": "a_immatriculer"},
                age_field="created_at",
                groups=("Agents", "Superviseurs"),
                order=50,
            )
        )
