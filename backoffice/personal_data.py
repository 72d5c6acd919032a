"""«Mes données»: the staff readings of a person's records (without the agents' names, as on «Qui a consulté
mes données»); and how long the journal is kept (Law 09-08)."""

from django.utils.translation import gettext as _

from macnss.core.personal_data import DataSection, register_personal_data_provider
from macnss.core.retention import RetentionRule, register_retention_rule

from .models import AccessRecord


def sections(person) -> list[DataSection]:
    rows = AccessRecord.objects.filter(insured=person).select_related("content_type").order_by("-at")
    return [
        DataSection(
            "backoffice.access_journal",
            _("Consultations de vos données par la CNSS"),
            [
                {
                    _("le"): row.at.isoformat(timespec="minutes"),
                    _("rôle"): row.role,
                    _("type de donnée"): str(row.content_type.name),
                    _("référence"): row.object_reference or row.object_id,
                    _("nature"): row.get_action_display(),
                    _("motif"): row.reason,
                }
                for row in rows
            ],
            _("Savoir qui, à la CNSS, a lu ou modifié vos données, et pourquoi."),
        )
    ]


def register() -> None:
    register_personal_data_provider(sections, order=85)
    register_retention_rule(
        RetentionRule(
            key="backoffice.access_journal",
            setting="RETENTION_ACCESS_JOURNAL_DAYS",
            expired=lambda cutoff: AccessRecord.objects.filter(at__lt=cutoff),
        )
    )
