"""What TAAWIDATY holds about a person («Mes données»), and how long the documents of a refused or abandoned
claim are kept (Law 09-08)."""

from django.db.models import Q
from django.utils.translation import gettext as _

from macnss.core.personal_data import DataSection, records, register_personal_data_provider
from macnss.core.retention import RetentionRule, register_retention_rule

from .models import ClaimDocument, ClaimStatus, RefundClaim


def sections(person) -> list[DataSection]:
    claims = RefundClaim.objects.filter(insured=person).select_related("physical_control_rule")
    documents = ClaimDocument.objects.filter(claim__insured=person).select_related("claim", "required_document")
    return [
        DataSection(
            "taawidaty.claims",
            _("Demandes TAAWIDATY"),
            records(claims, exclude=["insured", "public_id", "physical_control_rule"]),
            _("Instruire et payer vos demandes de remboursement."),
        ),
        DataSection(
            "taawidaty.documents",
            _("Pièces jointes déposées"),
            records(documents, exclude=["sha256", "antivirus_backend"]),
            _("Instruire vos demandes ; les pièces d'une demande rejetée sont supprimées après le délai de recours."),
        ),
    ]


def expired_documents(cutoff):
    """Documents of a claim rejected before the cutoff, or of a draft left untouched since then."""
    return ClaimDocument.objects.filter(
        Q(claim__status=ClaimStatus.REJECTED, claim__decided_at__lt=cutoff)
        | Q(claim__status=ClaimStatus.DRAFT, claim__updated_at__lt=cutoff)
    )


def register() -> None:
    register_personal_data_provider(sections)
    register_retention_rule(
        RetentionRule(
            key="taawidaty.refused_claim_documents",
            setting="RETENTION_REFUSED_REQUEST_DOCUMENTS_DAYS",
            expired=expired_documents,
            file_fields=("file",),
        )
    )
