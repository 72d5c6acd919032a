from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TnsEnrollmentConfig(AppConfig):
    name = "tns_enrollment"
    verbose_name = _("Immatriculation des TNS")
