"""Reads of the TNS onboarding: who is this person (one of the four outcomes of seed 001)?"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.models import InsuredPerson, ProfessionalCategory, Regime
from accounts.selectors import find_insured_by_identity
from macnss.core.validators import normalize_identity_number

from .models import LiaisonListEntry, LiaisonStatus, NonEligibilityReason, OnboardingAttempt, Outcome, ProximityPoint

# Regimes that already give a mandatory AMO cover: such a person cannot join the TNS scheme (outcome d).
OTHER_AMO_REGIMES = {
    Regime.EMPLOYEE: NonEligibilityReason.EMPLOYEE,
    Regime.OTHER_AMO: NonEligibilityReason.OTHER_AMO,
}


@dataclass(frozen=True)
class Match:
    outcome: str
    insured: InsuredPerson | None = None
    liaison_entry: LiaisonListEntry | None = None
    reason: str = ""


def _has_account(person: InsuredPerson) -> bool:
    return hasattr(person, "account")


def _from_person(person: InsuredPerson, entry: LiaisonListEntry | None = None) -> Match:
    if person.regime in OTHER_AMO_REGIMES:
        return Match(Outcome.NOT_ELIGIBLE, insured=person, reason=OTHER_AMO_REGIMES[person.regime])
    if _has_account(person):
        return Match(Outcome.HAS_ACCOUNT, insured=person, liaison_entry=entry)
    return Match(Outcome.NO_ACCOUNT, insured=person, liaison_entry=entry)


def conflicting_person(entry: LiaisonListEntry) -> InsuredPerson | None:
    """A person who already holds the entry's identity document but was born on another day."""
    return (
        InsuredPerson.objects.filter(
            id_document_type=entry.id_document_type, id_document_number=entry.id_document_number
        )
        .exclude(birth_date=entry.birth_date)
        .first()
    )


def match_identity(*, document_type: str, document_number: str, expiry, birth_date) -> Match:
    """The four facts must all match one record; anything less is outcome c, exactly like an unknown number."""
    person = find_insured_by_identity(
        document_type=document_type, document_number=document_number, birth_date=birth_date, expiry=expiry
    )
    if person is not None:
        return _from_person(person)
    entry = (
        LiaisonListEntry.objects.select_related("insured__account")
        .filter(
            id_document_type=document_type,
            id_document_number=normalize_identity_number(document_number),
            id_document_expiry=expiry,
            birth_date=birth_date,
        )
        .first()
    )
    if entry is None:
        return Match(Outcome.NOT_REGISTERED)
    if entry.status == LiaisonStatus.NOT_ELIGIBLE:
        return Match(Outcome.NOT_ELIGIBLE, liaison_entry=entry, reason=entry.non_eligibility_reason)
    if entry.insured is not None:
        return _from_person(entry.insured, entry)
    if conflicting_person(entry) is not None:
        # The list and the CNSS record disagree on this document: an agent settles it at the agency.
        return Match(Outcome.NOT_REGISTERED)
    return Match(Outcome.NO_ACCOUNT, liaison_entry=entry)


def phone_on_file(match: Match) -> str:
    """The phone the CNSS holds for the matched person: his record's, else the liaison list's."""
    if match.insured is not None:
        return match.insured.phone
    return match.liaison_entry.phone if match.liaison_entry is not None else ""


def is_typed_phone_exception(match: Match) -> bool:
    """Issue 16 §2's one exception: listed, eligible, no record yet and no phone on the list."""
    return (
        match.outcome == Outcome.NO_ACCOUNT
        and match.insured is None
        and match.liaison_entry is not None
        and not match.liaison_entry.phone
    )


def recent_attempts_for_document(document_number: str, *, within=timedelta(hours=1)) -> int:
    return OnboardingAttempt.objects.filter(
        id_document_number=normalize_identity_number(document_number), created_at__gte=timezone.now() - within
    ).count()


def attempt_for_session(state: dict) -> OnboardingAttempt | None:
    pk = (state or {}).get("attempt")
    if not pk:
        return None
    return (
        OnboardingAttempt.objects.select_related("insured", "chosen_category", "liaison_entry__insured")
        .filter(pk=pk)
        .first()
    )


def open_categories():
    return ProfessionalCategory.objects.filter(is_open=True).order_by("display_order", "name")


def proximity_points():
    return ProximityPoint.objects.filter(is_active=True).order_by("city", "kind", "name")


def completed_registrations_for(person: InsuredPerson):
    return OnboardingAttempt.objects.filter(insured=person, account_created_at__isnull=False).order_by(
        "-account_created_at"
    )
