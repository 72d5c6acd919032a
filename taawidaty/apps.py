from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaawidatyConfig(AppConfig):
    name = "taawidaty"
    verbose_name = _("TAAWIDATY")
