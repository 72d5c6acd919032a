"""No direct debit starts on a RIB «à vérifier» (issue 16 §2): the pages say so, activation waits, and the
mandates export leaves it out."""

import pytest
from django_fsm import TransitionNotAllowed

from accounts.models import BankDetails, InsuredPerson, RibVerification
from accounts.services import confirm_bank_details
from pension import selectors, services
from pension.models import PensionRequestStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_tns(make_tns):
    person = make_tns(with_rib=False)
    InsuredPerson.objects.filter(pk=person.pk).update(first_rib_needs_check=True)
    person.refresh_from_db()
    return person


def test_pension_request_on_a_pending_rib_is_recorded_but_never_activated(pending_tns, submit_kwargs, admin_user):
    pension_request = services.submit_pension_request(**submit_kwargs(pending_tns))
    assert BankDetails.objects.get(insured=pending_tns).status == RibVerification.PENDING
    services.validate_request(pension_request=pension_request)
    with pytest.raises(TransitionNotAllowed):
        services.activate_request(pension_request=pension_request)
    pension_request.refresh_from_db()
    assert pension_request.status == PensionRequestStatus.VALIDATED
    confirm_bank_details(bank_details=BankDetails.objects.get(insured=pending_tns), by=admin_user)
    services.activate_request(pension_request=pension_request)
    assert list(selectors.active_mandates()) == [pension_request]


def test_active_mandates_leave_out_a_rib_waiting_for_an_agent(make_tns, submit_kwargs):
    pension_request = services.submit_pension_request(**submit_kwargs(make_tns()))
    services.validate_request(pension_request=pension_request)
    services.activate_request(pension_request=pension_request)
    assert list(selectors.active_mandates()) == [pension_request]
    BankDetails.objects.filter(insured=pension_request.insured).update(status=RibVerification.PENDING)
    assert list(selectors.active_mandates()) == []


def test_pension_pages_say_rib_being_checked(client, pending_tns, submit_kwargs):
    from django.urls import reverse

    services.submit_pension_request(**submit_kwargs(pending_tns))
    client.force_login(pending_tns.account)
    for name in ("pension:home", "pension:detail"):
        assert "RIB en cours de vérification" in client.get(reverse(name)).content.decode(), name
