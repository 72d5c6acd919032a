from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AsviPaymentConfig(AppConfig):
    name = "asvi_payment"
    verbose_name = _("Paiement en ligne ASVI")
