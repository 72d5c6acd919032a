"""What the private home shows of the voluntary pension («Mes demandes»)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from macnss.core.portal import RequestSummary

from .models import PensionRequest


def pension_requests(person) -> list[RequestSummary]:
    """One query: the person's request, if any."""
    rows = PensionRequest.objects.filter(insured=person).only("reference", "status", "submitted_at")
    return [
        RequestSummary(
            kind=_("Pension facultative"),
            reference=row.reference,
            status_label=str(row.get_status_display()),
            created_at=row.submitted_at,
            url=reverse("pension:detail"),
        )
        for row in rows
    ]
