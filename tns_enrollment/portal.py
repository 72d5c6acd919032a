"""What the TNS onboarding shows in the private space: the online registration in «Mes demandes»."""

from django.utils.translation import gettext as _

from macnss.core.portal import RequestSummary

from .selectors import completed_registrations_for


def registration_requests(person) -> list[RequestSummary]:
    """One query: the online registrations that created this person's account."""
    return [
        RequestSummary(
            kind=_("Immatriculation TNS en ligne"),
            reference=person.immatriculation_number,
            status_label=_("Compte créé"),
            created_at=attempt.account_created_at,
        )
        for attempt in completed_registrations_for(person)[:1]
    ]
