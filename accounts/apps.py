from django.apps import AppConfig

from macnss.core.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Assurés et comptes")

    def ready(self):
        from . import signals  # noqa: F401  (connects the cache invalidation of accounts.backends)
