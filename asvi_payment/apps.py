from django.apps import AppConfig

from macnss.core.translation import gettext_lazy as _


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
                url_name="asvi_payment:start",
                is_available=lambda person: person is not None and person.is_asvi_member,
                order=40,
            )
        )
        from django.db.models.signals import post_delete, post_save

        from .models import AsviDue, PaymentOrder

        register_request_provider(asvi_payment_requests, models=[PaymentOrder])
        for model in (AsviDue, PaymentOrder):
            post_save.connect(_drop_dues_page, sender=model, dispatch_uid=f"asvi-dues-page-{model.__name__}")
            post_delete.connect(_drop_dues_page, sender=model, dispatch_uid=f"asvi-dues-page-{model.__name__}-del")


def _drop_dues_page(sender, instance, **kwargs):
    """A due or an order of this person changed: his cached dues page goes (selectors.dues_page)."""
    from .selectors import dues_changed

    if instance.insured_id:
        dues_changed(instance.insured_id)
