"""The TAAWIDATY tile and its lines in «Mes demandes» (one query per call)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Regime
from macnss.core.portal import RequestSummary

from .models import RefundClaim


def is_available(person) -> bool:
    return person.regime != Regime.TNS or person.declared_days > 0


def claim_summaries(person) -> list[RequestSummary]:
    claims = RefundClaim.objects.filter(insured=person).only(
        "public_id", "reference", "status", "created_at", "submitted_at"
    )
    return [
        RequestSummary(
            kind=_("Remboursement des cotisations salariales"),
            reference=claim.reference or _("Brouillon"),
            status_label=claim.get_status_display(),
            created_at=claim.submitted_at or claim.created_at,
            url=reverse("taawidaty:detail", kwargs={"public_id": claim.public_id}),
        )
        for claim in claims
    ]
