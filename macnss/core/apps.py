from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "macnss.core"
    label = "core"
    verbose_name = _("Messages et journal")

    def ready(self):
        from . import outbox_personal_data

        outbox_personal_data.register()  # «Mes données» and the retention of the outbox
