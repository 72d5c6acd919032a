from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django_fsm import TransitionNotAllowed

from accounts.models import BankDetails, DirectDebitMandate
from macnss.core.models import OutboundSms, StatusChange
from pension import services
from pension.models import AgeBand, PensionRequest, PensionRequestStatus

from .conftest import make_rib

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


def test_submit_records_the_figures_of_the_day(make_tns, submit_kwargs):
    person = make_tns(sub="medecins-specialistes", birth_date=date(1980, 1, 20))
    request = services.submit_pension_request(**submit_kwargs(person, multiplier=3, now=NOW))
    request.refresh_from_db()
    assert request.insured == person
    assert request.status == PensionRequestStatus.RECEIVED
    assert request.smig == Decimal("2828.71")
    assert request.base == Decimal("15557.90")
    assert request.minimum_contribution == Decimal("1555.79")
    assert request.multiplier == 3
    assert request.monthly_amount == Decimal("4667.37")
    assert request.base_smig_multiple == Decimal("5.5")
    assert (request.age_years, request.age_months) == (46, 4)
    assert request.age_band == AgeBand.UNDER_63
    assert request.ajournement is None
    assert request.droit_supplementaire is None
    assert request.request_date == date(2026, 6, 15)
    assert request.debit_start_date == date(2026, 7, 1)
    assert request.legal_notice_accepted_at == NOW
    assert request.reference.startswith("PF-2026-")
    assert len(request.reference) == 16
    assert request.mandate.is_active and request.mandate.rib == request.rib


def test_references_are_unique_and_not_sequential(make_tns, submit_kwargs):
    refs = {services.submit_pension_request(**submit_kwargs(make_tns())).reference for _ in range(5)}
    assert len(refs) == 5


def test_confirmation_sms_in_the_language_of_the_request(make_tns, submit_kwargs):
    """Issue 18 §5: the language of the pages on which the request was made, not the preference."""
    from django.utils import translation

    person = make_tns(preferred_language="fr")
    with translation.override("ar"):
        request = services.submit_pension_request(**submit_kwargs(person, now=NOW))
    assert request.language == "ar"
    sms = OutboundSms.objects.filter(to=person.phone, purpose="pension_request").get()
    assert sms.language == "ar"
    assert request.reference in sms.body
    assert "1131.48" in sms.body
    assert "01/07/2026" in sms.body
    assert "Ma CNSS" in sms.body
    assert "enregistrée" not in sms.body  # translated, not the French text


def test_confirmation_sms_in_french(make_tns, submit_kwargs):
    person = make_tns()
    services.submit_pension_request(**submit_kwargs(person, now=NOW))
    sms = OutboundSms.objects.filter(to=person.phone, purpose="pension_request").get()
    assert "est enregistrée" in sms.body and "01/07/2026" in sms.body


def test_only_one_request_per_person(make_tns, submit_kwargs):
    person = make_tns()
    first = services.submit_pension_request(**submit_kwargs(person))
    with pytest.raises(services.AlreadyRequested) as exc:
        services.submit_pension_request(**submit_kwargs(person, multiplier=5))
    assert exc.value.existing == first
    assert PensionRequest.objects.filter(insured=person).count() == 1
    assert PensionRequest.objects.get(insured=person).multiplier == 1


def test_database_refuses_a_second_row_for_the_same_person(make_tns, submit_kwargs):
    from django.db import IntegrityError, transaction

    first = services.submit_pension_request(**submit_kwargs(make_tns()))
    clone = PensionRequest.objects.get(pk=first.pk)
    clone.pk = None
    clone.reference = "PF-2026-OTHER000"
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


def test_too_old_is_refused(make_tns, submit_kwargs):
    person = make_tns(birth_date=date(1961, 6, 15))  # exactly 65 on NOW
    with pytest.raises(services.PensionRequestError) as exc:
        services.submit_pension_request(**submit_kwargs(person, now=NOW))
    assert exc.value.code == "too_old"
    assert not PensionRequest.objects.exists()


def test_ajournement_answer_required_between_63_and_64_9(make_tns, submit_kwargs):
    person = make_tns(birth_date=date(1962, 12, 15))  # 63 y 6 m
    with pytest.raises(services.PensionRequestError) as exc:
        services.submit_pension_request(**submit_kwargs(person, now=NOW))
    assert exc.value.code == "age_answer"
    request = services.submit_pension_request(**submit_kwargs(person, ajournement=True, now=NOW))
    assert request.age_band == AgeBand.AJOURNEMENT
    assert request.ajournement is True
    assert request.droit_supplementaire is None


def test_droit_supplementaire_from_64_9(make_tns, submit_kwargs):
    person = make_tns(birth_date=date(1961, 8, 15))  # 64 y 10 m
    request = services.submit_pension_request(
        **submit_kwargs(person, droit_supplementaire=True, ajournement=True, now=NOW)
    )
    assert request.age_band == AgeBand.DROIT_SUPPLEMENTAIRE
    assert request.droit_supplementaire is True
    assert request.ajournement is None  # not a question at this age


def test_age_answers_are_dropped_under_63(make_tns, submit_kwargs):
    person = make_tns()
    request = services.submit_pension_request(**submit_kwargs(person, ajournement=True, droit_supplementaire=True))
    assert request.ajournement is None and request.droit_supplementaire is None


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"multiplier": 11}, "multiplier"),
        ({"multiplier": 0}, "multiplier"),
        ({"rib": "011780000000000000000000"}, "rib"),
        ({"direct_debit_consent": False}, "consent"),
        ({"legal_notice_accepted": False}, "consent"),
    ],
)
def test_invalid_answers_are_refused(make_tns, submit_kwargs, overrides, code):
    person = make_tns()
    with pytest.raises(services.PensionRequestError) as exc:
        services.submit_pension_request(**submit_kwargs(person, **overrides))
    assert exc.value.code == code
    assert not PensionRequest.objects.exists()


def test_not_eligible_person_is_refused(make_tns, submit_kwargs):
    person = make_tns(pays_contributions_directly=False)
    with pytest.raises(services.PensionRequestError) as exc:
        services.submit_pension_request(**submit_kwargs(person))
    assert exc.value.code == "not_eligible"


def test_same_rib_reuses_the_active_mandate(make_tns, submit_kwargs):
    person = make_tns()
    mandate = DirectDebitMandate.objects.get(insured=person)
    request = services.submit_pension_request(**submit_kwargs(person))
    assert request.mandate == mandate
    assert DirectDebitMandate.objects.filter(insured=person).count() == 1


def test_new_rib_records_a_new_mandate(make_tns, submit_kwargs):
    person = make_tns()
    old = DirectDebitMandate.objects.get(insured=person)
    new_rib = make_rib(999999)
    request = services.submit_pension_request(**submit_kwargs(person, rib=new_rib))
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert request.mandate != old and request.mandate.rib == new_rib and request.mandate.is_active
    assert BankDetails.objects.get(insured=person).rib == new_rib


def test_missing_rib_is_recorded_with_its_mandate(make_tns, submit_kwargs):
    person = make_tns(with_rib=False)
    request = services.submit_pension_request(**submit_kwargs(person))
    assert BankDetails.objects.get(insured=person).rib == request.rib
    assert request.mandate.insured == person


def test_failed_submission_leaves_no_trace(make_tns, submit_kwargs):
    """The RIB change and its SMS roll back with the refused request."""
    person = make_tns(birth_date=date(1960, 1, 1))
    sms_before = OutboundSms.objects.count()
    with pytest.raises(services.PensionRequestError):
        services.submit_pension_request(**submit_kwargs(person, rib=make_rib(424242)))
    assert BankDetails.objects.get(insured=person).rib == make_rib(person.pk)
    assert OutboundSms.objects.count() == sms_before


def _changes(request):
    return StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(PensionRequest), object_id=str(request.pk)
    ).order_by("changed_at", "pk")


def test_agent_transitions_are_logged_and_notified(make_tns, submit_kwargs, admin_user):
    person = make_tns()
    request = services.submit_pension_request(**submit_kwargs(person))
    services.validate_request(pension_request=request, by=admin_user)
    services.activate_request(pension_request=request, by=admin_user)
    request.refresh_from_db()
    assert request.status == PensionRequestStatus.ACTIVE
    log = list(_changes(request).values_list("from_status", "to_status", "changed_by"))
    assert log == [("recue", "validee", admin_user.pk), ("validee", "active", admin_user.pk)]
    bodies = list(OutboundSms.objects.filter(to=person.phone, purpose="pension_request").values_list("body", flat=True))
    assert any("validée" in b for b in bodies) and any("est active" in b for b in bodies)


def test_rejection_needs_a_reason_and_sends_it(make_tns, submit_kwargs, admin_user):
    person = make_tns()
    request = services.submit_pension_request(**submit_kwargs(person))
    with pytest.raises(ValueError, match="reason"):
        services.reject_request(pension_request=request, reason="  ", by=admin_user)
    services.reject_request(pension_request=request, reason="RIB au nom d'un tiers", by=admin_user)
    request.refresh_from_db()
    assert request.status == PensionRequestStatus.REJECTED
    assert request.rejection_reason == "RIB au nom d'un tiers"
    change = _changes(request).get()
    assert change.note == "RIB au nom d'un tiers" and change.to_status == "rejetee"
    assert OutboundSms.objects.filter(to=person.phone, body__contains="RIB au nom d'un tiers").exists()


def test_transitions_follow_the_workflow(make_tns, submit_kwargs):
    request = services.submit_pension_request(**submit_kwargs(make_tns()))
    with pytest.raises(TransitionNotAllowed):
        services.activate_request(pension_request=request)
    services.reject_request(pension_request=request, reason="Doublon")
    with pytest.raises(TransitionNotAllowed):
        services.validate_request(pension_request=request)
