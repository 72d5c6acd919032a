"""State changes of the TNS onboarding: log an attempt, send the SMS to the phone on file, register a
listed person, create his account. Every function is idempotent where a double submit or a second tab
could repeat it.

Issue 16 §2 (audit H3, M1): when the typed identity matches a record or a liaison-list entry, outcomes a,
b and d show the same page and the SMS to the phone on file carries the outcome. The typed phone gets a
code only in the one exception: a listed person with no phone on the list and no record yet."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import otp
from accounts.models import InsuredPerson, OneTimeCode, ProfessionalCategory, Regime, User
from accounts.services import allocate_immatriculation_number, already_has_account_message, open_account
from macnss.core.services import apply_transition
from macnss.core.validators import normalize_identity_number

from . import selectors
from .models import (
    IDENTITY_FIELDS,
    LiaisonListEntry,
    LiaisonStatus,
    NonEligibilityReason,
    OnboardingAttempt,
    Outcome,
)

OTP_PURPOSE = "tns_enrollment"


class RegistrationConflict(Exception):
    """Another insured person already holds this identity document with other facts: an agent must look."""


class NotEligible(Exception):
    """The liaison entry is flagged not eligible (or not pending)."""


class PhoneNotOnFile(Exception):
    """The code was proven on a phone that is not (or no longer) the person's phone on file."""


@dataclass(frozen=True)
class Started:
    attempt: OnboardingAttempt
    otp_id: int | None = None


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


def not_eligible_message(reason: str, language: str) -> str:
    """Outcome d by SMS: the reason, without naming the other regime (the SMS may be read by anyone
    who holds the phone, and the page shows nothing)."""
    with translation.override(language):
        if reason == NonEligibilityReason.NOT_LIBERAL:
            why = str(NonEligibilityReason.NOT_LIBERAL.label)
        else:
            why = _("Vous êtes déjà couvert par un régime d'assurance maladie obligatoire.")
        return _(
            "Ma CNSS : vous ne pouvez pas vous immatriculer au régime des travailleurs non salariés. Motif : "
            "%(reason)s Si vous pensez qu'il s'agit d'une erreur, appelez le %(phone)s."
        ) % {"reason": why, "phone": settings.CUSTOMER_SERVICE_NUMBER}


@transaction.atomic
def start_onboarding(**typed) -> Started:
    """Look the person up, log the attempt, and for outcomes a, b and d send the SMS that carries the
    outcome to the phone on file (a code for b). Outcome c sends nothing."""
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
    if match.outcome == Outcome.NOT_REGISTERED:
        return Started(attempt)
    identity = otp.identity_key(attempt.id_document_number)
    phone = selectors.phone_on_file(match)
    language = match.insured.preferred_language if match.insured else attempt.language
    if match.outcome == Outcome.HAS_ACCOUNT:
        code = otp.send_notice_to_phone_on_file(
            purpose=OTP_PURPOSE,
            identity=identity,
            phone=phone,
            body=already_has_account_message(match.insured),
            language=language,
        )
    elif match.outcome == Outcome.NOT_ELIGIBLE:
        code = otp.send_notice_to_phone_on_file(
            purpose=OTP_PURPOSE,
            identity=identity,
            phone=phone,
            body=not_eligible_message(match.reason, language),
            language=language,
        )
    else:
        if selectors.is_typed_phone_exception(match):
            phone = attempt.phone  # the one exception: nobody else's phone is on file
        code = otp.send_code_to_phone_on_file(
            purpose=OTP_PURPOSE,
            identity=identity,
            phone=phone,
            language=attempt.language,
            subject=f"tns_attempt:{attempt.pk}",
        )
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
            **{name: getattr(entry, name) for name in IDENTITY_FIELDS},
            regime=Regime.TNS,
            tns_subcategory=subcategory,
            pays_contributions_directly=True,
        )
    apply_transition(entry, "register", by=by, note="Immatriculation depuis la liste de liaison", person=person)
    return person


@transaction.atomic
def confirm_code(*, attempt_id: int, code_id: int) -> InsuredPerson:
    """After the right SMS code: register the person if he is only on a list. The phone on file is
    never replaced; in the one exception (listed, no phone on the list, no record) the phone he has just
    proven becomes his phone on file, and his first RIB waits for an agent."""
    attempt = OnboardingAttempt.objects.select_for_update().get(pk=attempt_id, outcome=Outcome.NO_ACCOUNT)
    proven_phone = OneTimeCode.objects.filter(pk=code_id, consumed_at__isnull=False).values_list("phone", flat=True)
    proven_phone = proven_phone.first() or ""
    newly_registered = attempt.insured is None
    person = attempt.insured or register_from_liaison_entry(entry=attempt.liaison_entry)
    person = InsuredPerson.objects.select_for_update().get(pk=person.pk)
    fields = ["updated_at"]
    if newly_registered:
        # A record made now takes the language of the pages; an existing person's preference is changed
        # only on «Mes préférences» (issue 18 §5).
        person.preferred_language = attempt.language
        fields.append("preferred_language")
    if not person.phone and attempt.insured is None and proven_phone == attempt.phone:
        person.phone = attempt.phone
        person.phone_operator = attempt.phone_operator
        person.first_rib_needs_check = True
        fields += ["phone", "phone_operator", "first_rib_needs_check"]
    if attempt.email and not person.email:
        person.email = attempt.email
        fields.append("email")
    if not proven_phone or person.phone != proven_phone:
        # e.g. two people typed the same listed identity with two phones: only the first proven phone counts.
        raise PhoneNotOnFile(attempt.pk)
    person.save(update_fields=fields)
    attempt.insured = person
    attempt.otp_confirmed_at = attempt.otp_confirmed_at or timezone.now()
    attempt.save(update_fields=["insured", "otp_confirmed_at", "updated_at"])
    return person


@transaction.atomic
def complete_onboarding(*, attempt_id: int, password: str) -> User:
    """The password chosen on the page after the code: the account is created (no password is ever sent
    by SMS). Raises AccountAlreadyExists on a second submit."""
    attempt = OnboardingAttempt.objects.select_for_update().get(
        pk=attempt_id, outcome=Outcome.NO_ACCOUNT, otp_confirmed_at__isnull=False, insured__isnull=False
    )
    user = open_account(person=attempt.insured, password=password)
    attempt.account_created_at = timezone.now()
    attempt.save(update_fields=["account_created_at", "updated_at"])
    return user
