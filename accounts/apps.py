from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Assurés et comptes")

    def ready(self):
        from . import signals  # noqa: F401  (connects the cache invalidation of accounts.backends)
