from django.apps import AppConfig

from macnss.core.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Assurés et comptes")

    def ready(self):
        from . import signals  # noqa: F401  (connects the cache invalidation of accounts.backends)
        from .personal_data import register as register_personal_data

        register_personal_data()  # «Mes données» and retention (Law 09-08)
