"""State changes of the TNS onboarding: log an attempt, send the SMS code, register a listed person,
create his account. Every function is idempotent where a double submit or a second tab could repeat it."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts import otp
from accounts.models import InsuredPerson, ProfessionalCategory, Regime
from accounts.services import allocate_immatriculation_number, create_account_with_temporary_password
from macnss.core.services import apply_transition
from macnss.core.validators import normalize_identity_number

from . import selectors
from .models import LiaisonListEntry, LiaisonStatus, OnboardingAttempt, Outcome

OTP_PURPOSE = "tns_enrollment"


class RegistrationConflict(Exception):
    """Another insured person already holds this identity document with other facts: an agent must look."""


class NotEligible(Exception):
    """The liaison entry is flagged not eligible (or not pending)."""


@dataclass(frozen=True)
class Started:
    attempt: OnboardingAttempt
    otp_id: int | None = None
    sms_limit_reached: bool = False


def _attempt_fields(
    *, document_type, document_number, expiry, birth_date, phone, operator, email, ip_address, language
):
    return {
        "id_document_type": document_type,
        "id_document_number": normalize_identity_number(document_number),
        "id_document_expiry": expiry,
        "birth_date": birth_date,
        "phone": phone,
        "phone_operator": operator,
        "email": email or "",
        "ip_address": ip_address,
        "language": language,
    }


@transaction.atomic
def record_blocked_attempt(**typed) -> OnboardingAttempt:
    """Too many tries for this document: keep what was typed for agents, look nothing up."""
    return OnboardingAttempt.objects.create(**_attempt_fields(**typed), outcome=Outcome.BLOCKED)


@transaction.atomic
def start_onboarding(**typed) -> Started:
    """Look the person up, log the attempt, and for outcome b send a code to the phone he typed."""
    match = selectors.match_identity(
        document_type=typed["document_type"],
        document_number=typed["document_number"],
        expiry=typed["expiry"],
        birth_date=typed["birth_date"],
    )
    attempt = OnboardingAttempt.objects.create(
        **_attempt_fields(**typed),
        outcome=match.outcome,
        insured=match.insured,
        liaison_entry=match.liaison_entry,
        non_eligibility_reason=match.reason,
    )
    if match.outcome != Outcome.NO_ACCOUNT:
        return Started(attempt)
    try:
        code = otp.issue_code(
            purpose=OTP_PURPOSE, phone=attempt.phone, language=attempt.language, subject=f"tns_attempt:{attempt.pk}"
        )
    except otp.SendLimitReached:
        return Started(attempt, sms_limit_reached=True)
    return Started(attempt, otp_id=code.pk)


@transaction.atomic
def record_category_choice(*, attempt: OnboardingAttempt, category: ProfessionalCategory) -> OnboardingAttempt:
    OnboardingAttempt.objects.filter(pk=attempt.pk).update(chosen_category=category, updated_at=timezone.now())
    attempt.chosen_category = category
    return attempt


@transaction.atomic
def register_from_liaison_entry(*, entry: LiaisonListEntry, by=None) -> InsuredPerson:
    """Give a listed, eligible person his CNSS record and a new unique 9-digit number. Idempotent."""
    # No select_related here: PostgreSQL cannot lock the nullable side of an outer join.
    entry = LiaisonListEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.insured is not None:
        return entry.insured
    if entry.status != LiaisonStatus.PENDING:
        raise NotEligible(entry.pk)
    if selectors.conflicting_person(entry) is not None:
        raise RegistrationConflict(entry.pk)
    person = InsuredPerson.objects.filter(
        id_document_type=entry.id_document_type, id_document_number=entry.id_document_number
    ).first()
    if person is None:
        subcategory = entry.subcategory
        if subcategory is None:
            only = list(entry.category.subcategories.all()[:2])
            subcategory = only[0] if len(only) == 1 else None
        person = InsuredPerson.objects.create(
            immatriculation_number=allocate_immatriculation_number(),
            id_document_type=entry.id_document_type,
            id_document_number=entry.id_document_number,
            id_document_expiry=entry.id_document_expiry,
            birth_date=entry.birth_date,
            last_name=entry.last_name,
            first_name=entry.first_name,
            last_name_ar=entry.last_name_ar,
            first_name_ar=entry.first_name_ar,
            address=entry.address,
            phone=entry.phone,
            email=entry.email,
            regime=Regime.TNS,
            tns_subcategory=subcategory,
            pays_contributions_directly=True,
        )
    apply_transition(entry, "register", by=by, note="Immatriculation depuis la liste de liaison", person=person)
    return person


@transaction.atomic
def complete_onboarding(*, attempt_id: int) -> tuple[InsuredPerson, bool]:
    """After the SMS code: register the person if he is only on a list, keep the phone he proved he holds,
    create his account and send the temporary password by SMS. Returns (person, account_created)."""
    attempt = OnboardingAttempt.objects.select_for_update().get(pk=attempt_id, outcome=Outcome.NO_ACCOUNT)
    now = timezone.now()
    if attempt.account_created_at and attempt.insured is not None:
        return attempt.insured, False
    person = attempt.insured or register_from_liaison_entry(entry=attempt.liaison_entry)
    person = InsuredPerson.objects.select_for_update().get(pk=person.pk)
    created = False
    if not hasattr(person, "account"):
        person.phone = attempt.phone
        person.phone_operator = attempt.phone_operator
        person.preferred_language = attempt.language
        if attempt.email:
            person.email = attempt.email
        person.save(update_fields=["phone", "phone_operator", "preferred_language", "email", "updated_at"])
        _user, created = create_account_with_temporary_password(person)
    attempt.insured = person
    attempt.otp_confirmed_at = attempt.otp_confirmed_at or now
    attempt.account_created_at = attempt.account_created_at or now
    attempt.save(update_fields=["insured", "otp_confirmed_at", "account_created_at", "updated_at"])
    return person, created
