from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, app_config=None, using="default", **kwargs):
    """Once per migrate (after the last app's): every permission exists, the roles get theirs."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from .roles import sync_roles

    configs = list(apps.get_app_configs())
    if sender is not configs[-1]:
        return
    for config in configs:
        create_permissions(config, verbosity=0, using=using)
    sync_roles(Group, Permission)


def _register_change_history():
    """django-auditlog records, field by field, who changed a person's record, account, RIB, mandate, a
    staff member's roles, a proposal or a queue's service time (never a password hash)."""
    from auditlog.registry import auditlog
    from django.contrib.auth import get_user_model

    from accounts.models import BankDetails, DirectDebitMandate, InsuredPerson

    from .models import ContactChangeProposal, QueueSetting

    auditlog.register(InsuredPerson, exclude_fields=["updated_at"])
    auditlog.register(BankDetails, mask_fields=["rib"], exclude_fields=["updated_at"])
    auditlog.register(DirectDebitMandate, mask_fields=["rib"])
    auditlog.register(get_user_model(), exclude_fields=["password", "last_login"], m2m_fields={"groups"})
    auditlog.register(ContactChangeProposal)
    auditlog.register(QueueSetting)


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = _("Back-office")

    def ready(self):
        from macnss.core.portal import PortalService, register_service

        from .queues import WorkQueue, register_queue

        _register_change_history()

        from .personal_data import register as register_personal_data

        register_personal_data()  # «Mes données» and the journal's retention (Law 09-08)
        # Every app's permissions exist once the last app's post_migrate ran: the roles follow new models.
        post_migrate.connect(_sync_roles, dispatch_uid="backoffice-sync-roles")
        register_service(
            PortalService(
                key="access-journal",
                title=_("Qui a consulté mes données"),
                description=_("Chaque consultation de votre dossier par un agent de la CNSS, avec sa date."),
                url_name="backoffice:access_journal",
                is_available=lambda person: True,
                order=900,
            )
        )
        register_queue(
            WorkQueue(
                key="coordonnees-a-approuver",
                journey=_("Coordonnées"),
                label=_("Changements de téléphone/RIB à approuver"),
                model="backoffice.ContactChangeProposal",
                filters={"status__exact": "proposee"},
                age_field="proposed_at",
                groups=("Superviseurs",),
                service_days=2,
                order=10,
            )
        )
