"""What the pension journey holds about a person («Mes données»)."""

from django.utils.translation import gettext as _

from macnss.core.personal_data import DataSection, records, register_personal_data_provider

from .models import PensionRequest


def sections(person) -> list[DataSection]:
    requests = PensionRequest.objects.filter(insured=person).select_related("subcategory")
    return [
        DataSection(
            "pension.requests",
            _("Demande d'adhésion à la pension"),
            records(requests, exclude=["insured", "mandate"]),
            _("Instruire votre demande et prélever vos cotisations."),
        )
    ]


def register() -> None:
    register_personal_data_provider(sections)
