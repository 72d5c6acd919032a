"""What «Mes ayants droit» holds about a person («Mes données»), and how long the documents of a rejected
declaration are kept (Law 09-08)."""

from django.utils.translation import gettext as _

from macnss.core.personal_data import DataSection, records, register_personal_data_provider
from macnss.core.retention import RetentionRule, register_retention_rule

from .models import FamilyMember, MemberDocument, MemberStatus


def sections(person) -> list[DataSection]:
    members = FamilyMember.objects.filter(insured=person).order_by("pk")
    documents = MemberDocument.objects.filter(member__insured=person).select_related("member")
    return [
        DataSection(
            "family.members",
            _("Ayants droit déclarés"),
            records(members, exclude=["insured", "public_id"]),
            _("Ouvrir les droits de votre conjoint(e) et de vos enfants."),
        ),
        DataSection(
            "family.documents",
            _("Pièces des ayants droit"),
            records(documents, exclude=["sha256", "antivirus_backend"]),
            _("Vérifier chaque déclaration ; les pièces d'une déclaration rejetée sont supprimées ensuite."),
        ),
    ]


def register() -> None:
    register_personal_data_provider(sections)
    register_retention_rule(
        RetentionRule(
            key="family.rejected_documents",
            setting="RETENTION_REFUSED_REQUEST_DOCUMENTS_DAYS",
            expired=lambda cutoff: MemberDocument.objects.filter(
                member__status=MemberStatus.REJECTED, member__decided_at__lt=cutoff
            ),
            file_fields=("file",),
        )
    )
