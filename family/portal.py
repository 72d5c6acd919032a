"""The family tile and its lines in «Mes demandes» (one query per call)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from macnss.core.portal import RequestSummary

from .models import FamilyMember, MemberStatus


def member_summaries(person) -> list[RequestSummary]:
    members = (
        FamilyMember.objects.filter(insured=person)
        .exclude(status=MemberStatus.NEW)
        .only("public_id", "reference", "status", "first_name", "relationship", "created_at", "submitted_at")
    )
    return [
        RequestSummary(
            kind=_("Déclaration d'un ayant droit (%(relationship)s)")
            % {"relationship": member.get_relationship_display()},
            reference=member.reference,
            status_label=member.get_status_display(),
            created_at=member.submitted_at or member.created_at,
            url=reverse("family:detail", kwargs={"public_id": member.public_id}),
        )
        for member in members
    ]
