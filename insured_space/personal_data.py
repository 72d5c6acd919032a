"""What «Mon immatriculation» holds about a person («Mes données»)."""

from django.utils.translation import gettext as _

from macnss.core.personal_data import DataSection, records, register_personal_data_provider

from .models import Attestation, RegimePeriod, SalaryDeclaration


def sections(person) -> list[DataSection]:
    return [
        DataSection(
            "insured_space.regimes",
            _("Régimes"),
            records(RegimePeriod.objects.filter(insured=person).order_by("pk"), exclude=["insured"]),
            _("Établir vos droits selon vos régimes successifs."),
        ),
        DataSection(
            "insured_space.declarations",
            _("Jours et salaires déclarés"),
            records(
                SalaryDeclaration.objects.filter(insured=person).order_by("month"), exclude=["insured", "import_batch"]
            ),
            _("Calculer vos droits et établir vos attestations."),
        ),
        DataSection(
            "insured_space.attestations",
            _("Attestations délivrées"),
            records(Attestation.objects.filter(insured=person).order_by("pk"), exclude=["insured", "public_id"]),
            _("Permettre à quiconque de vérifier une attestation que vous présentez."),
        ),
    ]


def register() -> None:
    register_personal_data_provider(sections)
