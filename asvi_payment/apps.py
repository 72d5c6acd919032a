from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AsviPaymentConfig(AppConfig):
    name = "asvi_payment"
    verbose_name = _("Paiement en ligne ASVI")

    def ready(self):
        from macnss.core.portal import PortalService, register_request_provider, register_service

        from .portal import asvi_payment_requests

        register_service(
            PortalService(
                key="asvi_payment",
                title=_("Payer mes cotisations ASVI"),
                description=_("Réglez par carte bancaire vos trimestres d'assurance volontaire non payés."),
                url_name="asvi_payment:member_start",
                is_available=lambda person: person is not None and person.is_asvi_member,
                order=40,
            )
        )
        from macnss.core.caching import call_on_person_change

        from .models import AsviDue, PaymentOrder
        from .selectors import dues_changed

        register_request_provider(asvi_payment_requests, models=[PaymentOrder])
        from macnss.core.document_signing import register_reference_lookup

        from .authenticity import KIND_LABELS, REFERENCE_PATTERN, verified_document

        register_reference_lookup(REFERENCE_PATTERN, verified_document, kind_labels=KIND_LABELS)

        from backoffice.queues import WorkQueue, register_queue

        register_queue(
            WorkQueue(
                key="asvi-a-rapprocher",
                journey=_("ASVI"),
                label=_("Paiements ASVI à rapprocher"),
                model="asvi_payment.PaymentOrder",
                filters={"status": "pending"},
                age_field="created_at",
                groups=("Agents", "Superviseurs"),
                service_days=1,
                order=40,
            )
        )
        # A due or an order of a person changed: his cached dues page goes (selectors.dues_page).
        for model in (AsviDue, PaymentOrder):
            call_on_person_change(model, dues_changed, uid=f"asvi-dues-page-{model._meta.label}")
        from .personal_data import register as register_personal_data

        register_personal_data()  # «Mes données» and retention (Law 09-08)
