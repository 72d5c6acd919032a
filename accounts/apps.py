from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Assurés et comptes")

    def ready(self):
        from . import signals  # noqa: F401  (connects the sign-in journal and the contact-change notices)
        from .personal_data import register as register_personal_data

        register_personal_data()  # «Mes données» and retention (Law 09-08)

        from backoffice.queues import WorkQueue, register_queue

        # Issue 16 §2: a first RIB given after a phone proven only online waits for an agent.
        register_queue(
            WorkQueue(
                key="rib-a-verifier",
                journey=_("Assurés"),
                label=_("RIB à vérifier"),
                model="accounts.BankDetails",
                filters={"status": "a_verifier"},
                age_field="updated_at",
                groups=("Agents", "Superviseurs"),
                service_days=2,
                order=10,
            )
        )
