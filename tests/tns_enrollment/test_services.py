"""Matching (the four outcomes), registration from a liaison list, and account creation after the code."""

from datetime import date

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from accounts.models import InsuredPerson, OneTimeCode, Regime, User
from accounts.services import AccountAlreadyExists
from macnss.core.models import OutboundSms, StatusChange
from tests.factories import InsuredPersonFactory, UserFactory
from tns_enrollment import selectors, services
from tns_enrollment.models import LiaisonStatus, NonEligibilityReason, OnboardingAttempt, Outcome

from .conftest import BIRTH, EXPIRY, typed

pytestmark = pytest.mark.django_db


def _match(**overrides):
    data = typed(**overrides)
    return selectors.match_identity(
        document_type=data["document_type"],
        document_number=data["document_number"],
        expiry=data["expiry"],
        birth_date=data["birth_date"],
    )


def _tns(**fields):
    defaults = {
        "id_document_number": "LL000001",
        "id_document_expiry": EXPIRY,
        "birth_date": BIRTH,
        "regime": Regime.TNS,
    }
    return InsuredPersonFactory(**{**defaults, **fields})


# --- Matching --------------------------------------------------------------------------------------


def test_a_registered_tns_with_an_account():
    person = _tns()
    UserFactory(insured=person)
    match = _match(document_number="ll 000001")
    assert match.outcome == Outcome.HAS_ACCOUNT
    assert match.insured == person


def test_b_registered_tns_without_an_account():
    person = _tns()
    match = _match()
    assert (match.outcome, match.insured) == (Outcome.NO_ACCOUNT, person)


def test_b_eligible_liaison_entry_not_yet_registered(make_entry):
    entry = make_entry(id_document_number="LL000001")
    match = _match()
    assert (match.outcome, match.liaison_entry, match.insured) == (Outcome.NO_ACCOUNT, entry, None)


def test_b_liaison_entry_already_registered_leads_to_its_person(make_entry):
    person = _tns(id_document_expiry=date(2030, 1, 1))  # the record has an older card
    entry = make_entry(id_document_number="LL000001", status=LiaisonStatus.REGISTERED, insured=person)
    match = _match()
    assert (match.outcome, match.insured, match.liaison_entry) == (Outcome.NO_ACCOUNT, person, entry)


def test_c_unknown_document():
    assert _match().outcome == Outcome.NOT_REGISTERED


@pytest.mark.parametrize(
    "near_miss",
    [
        {"birth_date": date(1980, 5, 18)},
        {"expiry": date(2032, 7, 1)},
        {"document_type": "carte_sejour"},
        {"document_number": "LL000002"},
    ],
)
def test_c_near_miss_is_outcome_c_like_an_unknown_number(near_miss, make_entry):
    _tns()
    make_entry(id_document_number="LL000001")
    match = _match(**near_miss)
    assert match == selectors.Match(Outcome.NOT_REGISTERED)


@pytest.mark.parametrize(
    ("regime", "reason"),
    [(Regime.EMPLOYEE, NonEligibilityReason.EMPLOYEE), (Regime.OTHER_AMO, NonEligibilityReason.OTHER_AMO)],
)
def test_d_person_under_another_mandatory_amo_regime(regime, reason):
    person = _tns(regime=regime)
    UserFactory(insured=person)  # even with an account, the TNS journey says why he is not eligible
    match = _match()
    assert (match.outcome, match.reason) == (Outcome.NOT_ELIGIBLE, reason)


def test_d_liaison_entry_flagged_not_eligible(make_entry):
    make_entry(id_document_number="LL000001", is_eligible=False, non_eligibility_reason=NonEligibilityReason.CNOPS)
    match = _match()
    assert (match.outcome, match.reason) == (Outcome.NOT_ELIGIBLE, NonEligibilityReason.CNOPS)


def test_conflicting_record_sends_the_listed_person_to_an_agency(make_entry):
    InsuredPersonFactory(id_document_number="LL000001", birth_date=date(1970, 1, 1))
    make_entry(id_document_number="LL000001")
    assert _match().outcome == Outcome.NOT_REGISTERED


# --- Starting the journey --------------------------------------------------------------------------


def test_start_logs_everything_typed_except_the_otp(make_entry):
    make_entry(id_document_number="LL000001")
    started = services.start_onboarding(**typed(email="nadia@example.ma"))
    attempt = OnboardingAttempt.objects.get()
    assert started.attempt == attempt
    assert (attempt.id_document_number, attempt.id_document_expiry, attempt.birth_date) == ("LL000001", EXPIRY, BIRTH)
    assert (attempt.phone, attempt.phone_operator, attempt.email) == (
        "+212612345678",
        "maroc_telecom",
        "nadia@example.ma",
    )
    assert attempt.ip_address == "203.0.113.7"
    assert attempt.outcome == Outcome.NO_ACCOUNT
    assert not any(field.name in {"otp", "code", "otp_code"} for field in OnboardingAttempt._meta.get_fields()), (
        "the OTP must never be logged"
    )


# --- Issue 16 §2: the SMS goes to the phone on file and carries the outcome ------------------------


def test_b_registered_person_gets_the_code_on_the_phone_on_file_not_the_typed_one():
    person = _tns(phone="+212661000001")
    started = services.start_onboarding(**typed(phone="+212612345678"))
    assert OneTimeCode.objects.get(pk=started.otp_id).phone == "+212661000001"
    sms = OutboundSms.objects.get()
    assert (sms.to, sms.purpose) == (person.phone, "otp:tns_enrollment")
    assert not OutboundSms.objects.filter(to="+212612345678").exists()


def test_b_listed_person_with_a_phone_on_the_list_gets_the_code_there(make_entry):
    make_entry(id_document_number="LL000001", phone="+212661234501")
    services.start_onboarding(**typed(phone="+212612345678"))
    assert list(OutboundSms.objects.values_list("to", flat=True)) == ["+212661234501"]


def test_b_exception_listed_without_phone_and_no_record_the_typed_phone_gets_the_code(make_entry):
    make_entry(id_document_number="LL000001", phone="")
    started = services.start_onboarding(**typed(phone="+212612345678"))
    assert OneTimeCode.objects.get(pk=started.otp_id).phone == "+212612345678"
    assert list(OutboundSms.objects.values_list("to", flat=True)) == ["+212612345678"]


def test_b_registered_person_without_a_phone_gets_nothing_and_the_same_page():
    _tns(phone="")
    started = services.start_onboarding(**typed(phone="+212612345678"))
    code = OneTimeCode.objects.get(pk=started.otp_id)
    assert code.phone == "" and not OutboundSms.objects.exists()


def test_a_has_account_sms_gives_the_number_and_no_code():
    person = _tns(phone="+212661000001")
    UserFactory(insured=person)
    started = services.start_onboarding(**typed(phone="+212612345678"))
    assert started.otp_id  # the same next page as outcome b
    sms = OutboundSms.objects.get()
    assert sms.to == person.phone and sms.purpose == "notice:tns_enrollment"
    assert "vous avez déjà un compte Ma CNSS" in sms.body and person.immatriculation_number in sms.body
    assert not sms.sensitive


@pytest.mark.parametrize(
    ("setup", "hidden"),
    [("employee", "secteur privé"), ("cnops", "CNOPS")],
)
def test_d_sms_gives_the_reason_without_naming_the_other_regime(setup, hidden, make_entry):
    if setup == "employee":
        _tns(regime=Regime.EMPLOYEE, phone="+212661000001")
    else:
        make_entry(
            id_document_number="LL000001",
            phone="+212661000001",
            is_eligible=False,
            non_eligibility_reason=NonEligibilityReason.CNOPS,
        )
    started = services.start_onboarding(**typed(phone="+212612345678"))
    assert started.otp_id
    sms = OutboundSms.objects.get()
    assert sms.to == "+212661000001"
    assert "travailleurs non salariés" in sms.body and "déjà couvert" in sms.body
    assert hidden not in sms.body


def test_c_sends_no_sms():
    started = services.start_onboarding(**typed())
    assert started.attempt.outcome == Outcome.NOT_REGISTERED and started.otp_id is None
    assert not OutboundSms.objects.exists()


def test_phone_over_its_cap_is_dropped_silently():
    person = _tns(phone="+212661000001")
    for _ in range(django_settings.OTP_MAX_SENDS_PER_HOUR):
        assert services.start_onboarding(**typed()).otp_id
    started = services.start_onboarding(**typed())
    assert started.otp_id  # the same answer: a code row, but no SMS
    assert OneTimeCode.objects.get(pk=started.otp_id).phone == ""
    assert OutboundSms.objects.filter(to=person.phone).count() == django_settings.OTP_MAX_SENDS_PER_HOUR


# --- Registration and account ----------------------------------------------------------------------


def test_register_from_liaison_entry_creates_a_tns_with_a_new_number(make_entry):
    entry = make_entry(id_document_number="LL000001")
    person = services.register_from_liaison_entry(entry=entry)
    assert person.regime == Regime.TNS
    assert len(person.immatriculation_number) == 9 and person.immatriculation_number.isdigit()
    assert (person.last_name, person.first_name, person.last_name_ar) == ("TAZI", "Nadia", "التازي")
    assert person.tns_subcategory.code == "medecins-generalistes"
    entry.refresh_from_db()
    assert (entry.status, entry.insured) == (LiaisonStatus.REGISTERED, person)
    change = StatusChange.objects.get(object_id=str(entry.pk))
    assert (change.from_status, change.to_status) == (LiaisonStatus.PENDING, LiaisonStatus.REGISTERED)


def test_register_is_idempotent(make_entry):
    entry = make_entry(id_document_number="LL000001")
    first = services.register_from_liaison_entry(entry=entry)
    second = services.register_from_liaison_entry(entry=entry)
    assert first == second
    assert InsuredPerson.objects.count() == 1


def test_registering_two_entries_gives_two_different_numbers(make_entry):
    a = services.register_from_liaison_entry(entry=make_entry())
    b = services.register_from_liaison_entry(entry=make_entry())
    assert a.immatriculation_number != b.immatriculation_number


def test_a_not_eligible_entry_cannot_be_registered(make_entry):
    entry = make_entry(is_eligible=False, non_eligibility_reason=NonEligibilityReason.CNOPS)
    with pytest.raises(services.NotEligible):
        services.register_from_liaison_entry(entry=entry)
    assert not InsuredPerson.objects.exists()


def test_the_database_refuses_two_entries_for_one_person(make_entry):
    from django.db import IntegrityError

    person = services.register_from_liaison_entry(entry=make_entry())
    other = make_entry()
    other.insured = person
    with pytest.raises(IntegrityError):
        other.save()


def _confirmed(started) -> InsuredPerson:
    """What CodeView does once the code is right: the code is spent, then confirm_code."""
    OneTimeCode.objects.filter(pk=started.otp_id).update(consumed_at=timezone.now())
    return services.confirm_code(attempt_id=started.attempt.pk, code_id=started.otp_id)


def test_confirm_then_password_registers_and_creates_the_account_with_no_password_by_sms(make_entry):
    make_entry(id_document_number="LL000001", phone="+212600000000", email="")
    started = services.start_onboarding(**typed(email="nouvelle@example.ma"))
    person = _confirmed(started)
    assert person.phone == "+212600000000"  # the phone on the list; the typed one is never kept
    assert not person.first_rib_needs_check
    assert person.email == "nouvelle@example.ma"  # the list had none
    user = services.complete_onboarding(attempt_id=started.attempt.pk, password="une phrase de passe bien longue")
    assert user.insured == person and user.check_password("une phrase de passe bien longue")
    purposes = list(OutboundSms.objects.order_by("pk").values_list("purpose", "to"))
    assert purposes == [("otp:tns_enrollment", "+212600000000"), ("account_opened", "+212600000000")]
    assert "une phrase de passe" not in OutboundSms.objects.get(purpose="account_opened").body
    attempt = OnboardingAttempt.objects.get()
    assert attempt.insured == person and attempt.account_created_at and attempt.otp_confirmed_at


def test_confirm_never_replaces_the_phone_on_file():
    person = _tns(phone="+212661000001", email="deja@example.ma")
    started = services.start_onboarding(**typed(phone="+212612345678", email="autre@example.ma"))
    confirmed = _confirmed(started)
    assert confirmed == person
    person.refresh_from_db()
    assert person.phone == "+212661000001" and person.email == "deja@example.ma"


def test_exception_the_proven_typed_phone_becomes_the_phone_on_file_and_the_rib_waits(make_entry):
    make_entry(id_document_number="LL000001", phone="")
    started = services.start_onboarding(**typed(phone="+212612345678", operator="inwi"))
    person = _confirmed(started)
    assert (person.phone, person.phone_operator) == ("+212612345678", "inwi")
    assert person.first_rib_needs_check


def test_a_second_typed_phone_for_the_same_listed_person_is_refused(make_entry):
    make_entry(id_document_number="LL000001", phone="")
    first = services.start_onboarding(**typed(phone="+212612345678"))
    second = services.start_onboarding(**typed(phone="+212698765432"))
    _confirmed(first)
    with pytest.raises(services.PhoneNotOnFile):
        _confirmed(second)
    assert InsuredPerson.objects.get().phone == "+212612345678"


def test_a_code_that_was_never_sent_cannot_confirm():
    _tns(phone="")
    started = services.start_onboarding(**typed())
    with pytest.raises(services.PhoneNotOnFile):
        _confirmed(started)


def test_complete_onboarding_twice_creates_one_account_and_one_sms():
    _tns()
    started = services.start_onboarding(**typed())
    _confirmed(started)
    services.complete_onboarding(attempt_id=started.attempt.pk, password="une phrase de passe bien longue")
    with pytest.raises(AccountAlreadyExists):
        services.complete_onboarding(attempt_id=started.attempt.pk, password="une phrase de passe bien longue")
    assert User.objects.count() == 1
    assert OutboundSms.objects.filter(purpose="account_opened").count() == 1


def test_two_tabs_two_attempts_still_one_account():
    _tns()
    first = services.start_onboarding(**typed())
    second = services.start_onboarding(**typed())
    _confirmed(first)
    _confirmed(second)
    services.complete_onboarding(attempt_id=first.attempt.pk, password="une phrase de passe bien longue")
    with pytest.raises(AccountAlreadyExists):
        services.complete_onboarding(attempt_id=second.attempt.pk, password="une phrase de passe bien longue")
    assert User.objects.count() == 1


def test_sms_go_through_the_outbox_and_never_to_twilio(monkeypatch, django_capture_on_commit_callbacks):
    import twilio.rest

    assert django_settings.SMS_BACKEND == "outbox"

    def _boom(*args, **kwargs):
        raise AssertionError("the real Twilio client must never be created in tests")

    monkeypatch.setattr(twilio.rest, "Client", _boom)
    _tns()
    with django_capture_on_commit_callbacks(execute=True):
        started = services.start_onboarding(**typed())
        _confirmed(started)
        services.complete_onboarding(attempt_id=started.attempt.pk, password="une phrase de passe bien longue")
    rows = list(OutboundSms.objects.order_by("pk"))
    assert [r.purpose for r in rows] == ["otp:tns_enrollment", "account_opened"]
    assert {r.backend for r in rows} == {"outbox"}
    assert {r.status for r in rows} == {"sent"}


def test_record_category_choice(reference_data):
    from accounts.models import ProfessionalCategory

    started = services.start_onboarding(**typed())
    category = ProfessionalCategory.objects.get(code="architectes")
    services.record_category_choice(attempt=started.attempt, category=category)
    assert OnboardingAttempt.objects.get().chosen_category == category


def test_onboarding_in_arabic_keeps_a_registered_persons_language_preference():
    """Issue 18 §5: only «Mes préférences» changes the preference of a person who has a record."""
    person = _tns(phone="+212661000001", preferred_language="fr")
    started = services.start_onboarding(**typed(language="ar"))
    assert _confirmed(started).preferred_language == "fr"
    person.refresh_from_db()
    assert person.preferred_language == "fr"


def test_a_person_registered_from_a_liaison_list_takes_the_language_of_the_pages(make_entry):
    make_entry(id_document_number="LL000001", phone="+212600000000")
    started = services.start_onboarding(**typed(language="ar"))
    assert _confirmed(started).preferred_language == "ar"
