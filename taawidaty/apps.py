from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaawidatyConfig(AppConfig):
    name = "taawidaty"
    verbose_name = _("TAAWIDATY")

    def ready(self):
        from macnss.core.portal import PortalService, register_request_provider, register_service

        from .portal import claim_summaries, is_available

        register_service(
            PortalService(
                key="taawidaty",
                title=_("TAAWIDATY"),
                description=_("Remboursement des cotisations salariales : déposez votre demande en ligne."),
                url_name="taawidaty:home",
                is_available=is_available,
                order=30,
            )
        )
        from .models import RefundClaim

        register_request_provider(claim_summaries, models=[RefundClaim])
        from .personal_data import register as register_personal_data

        register_personal_data()  # «Mes données» and retention (Law 09-08)
        from macnss.core.document_signing import register_reference_lookup

        from .authenticity import KIND_LABELS, REFERENCE_PATTERN, verified_document

        register_reference_lookup(REFERENCE_PATTERN, verified_document, kind_labels=KIND_LABELS)

        from backoffice.queues import WorkQueue, register_queue

        for queue in (
            WorkQueue(
                key="taawidaty-deposees",
                journey=_("TAAWIDATY"),
                label=_("déposées à instruire"),
                model="taawidaty.RefundClaim",
                filters={"status": "deposee"},
                age_field="submitted_at",
                groups=("Agents", "Superviseurs"),
                order=20,
            ),
            WorkQueue(
                key="taawidaty-controle",
                journey=_("TAAWIDATY"),
                label=_("Contrôle physique à planifier"),
                model="taawidaty.RefundClaim",
                filters={"status": "en_instruction", "physical_control": True},
                age_field="submitted_at",
                groups=("Agents", "Superviseurs"),
                order=21,
            ),
            WorkQueue(
                key="taawidaty-a-decider",
                journey=_("TAAWIDATY"),
                label=_("en instruction, à décider"),
                model="taawidaty.RefundClaim",
                filters={"status__in": ["en_instruction", "controle_effectue"]},
                age_field="submitted_at",
                groups=("Agents", "Superviseurs"),
                order=22,
            ),
        ):
            register_queue(queue)
