"""Contact changes at the counter: an agent proposes (identity document seen), another person decides."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType

from accounts.models import BankDetails, DirectDebitMandate
from backoffice.models import ContactChangeProposal, ProposalStatus
from macnss.core.models import OutboundSms, StatusChange
from tests.factories import InsuredPersonFactory

pytestmark = pytest.mark.django_db

NEW_RIB = "011780000012345678901296"


def propose(client, person, **overrides):
    data = {
        "insured": person.pk,
        "kind": "telephone",
        "new_value": "0661000002",
        "document_type": person.id_document_type,
        "document_number": person.id_document_number.lower(),
        "document_checked": "on",
        **overrides,
    }
    return client.post(f"/admin/backoffice/contactchangeproposal/proposer/{person.pk}/", data)


def test_phone_change_proposed_then_approved_tells_the_old_and_the_new_phone(as_staff):
    person = InsuredPersonFactory(phone="+212661000001")
    agent = as_staff("agent")
    assert propose(agent, person).status_code == 302
    proposal = ContactChangeProposal.objects.get()
    assert proposal.status == ProposalStatus.PROPOSED
    assert proposal.old_value == "+212661000001" and proposal.new_value == "+212661000002"
    assert proposal.document_number == person.id_document_number
    person.refresh_from_db()
    assert person.phone == "+212661000001"  # nothing changes before the decision

    # an agent cannot decide
    agent.post(f"/admin/backoffice/contactchangeproposal/{proposal.pk}/decider/", {"approve": "1"})
    assert ContactChangeProposal.objects.get().status == ProposalStatus.PROPOSED

    supervisor = as_staff("superviseur")
    page = supervisor.get(f"/admin/backoffice/contactchangeproposal/{proposal.pk}/change/").content.decode()
    assert "Approuver le changement" in page
    supervisor.post(f"/admin/backoffice/contactchangeproposal/{proposal.pk}/decider/", {"approve": "1"})
    proposal.refresh_from_db()
    person.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED
    assert proposal.decided_by.username == "superviseur"
    assert person.phone == "+212661000002"
    assert set(OutboundSms.objects.filter(purpose="phone_changed").values_list("to", flat=True)) == {
        "+212661000001",
        "+212661000002",
    }
    log = StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(ContactChangeProposal), object_id=str(proposal.pk)
    ).order_by("changed_at", "pk")
    assert [(c.to_status, c.changed_by.username) for c in log] == [("proposee", "agent"), ("approuvee", "superviseur")]
    assert person.id_document_number in log[0].note


def test_rib_change_goes_through_the_mandate_service(as_staff):
    person = InsuredPersonFactory()
    assert propose(as_staff("agent"), person, kind="rib", new_value="011 780 0000123456789012 96").status_code == 302
    proposal = ContactChangeProposal.objects.get()
    as_staff("superviseur").post(f"/admin/backoffice/contactchangeproposal/{proposal.pk}/decider/", {"approve": "1"})
    assert BankDetails.objects.get(insured=person).rib == NEW_RIB
    assert DirectDebitMandate.objects.get(insured=person, revoked_at__isnull=True).rib == NEW_RIB


def test_refusal_needs_a_reason_and_changes_nothing(as_staff):
    person = InsuredPersonFactory(email="avant@example.ma")
    propose(as_staff("agent"), person, kind="email", new_value="apres@example.ma")
    proposal = ContactChangeProposal.objects.get()
    supervisor = as_staff("superviseur")
    supervisor.post(f"/admin/backoffice/contactchangeproposal/{proposal.pk}/decider/", {"refuse": "1", "note": ""})
    assert ContactChangeProposal.objects.get().status == ProposalStatus.PROPOSED
    supervisor.post(
        f"/admin/backoffice/contactchangeproposal/{proposal.pk}/decider/", {"refuse": "1", "note": "pièce expirée"}
    )
    proposal.refresh_from_db()
    person.refresh_from_db()
    assert proposal.status == ProposalStatus.REFUSED and proposal.decision_note == "pièce expirée"
    assert person.email == "avant@example.ma"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"document_number": "ZZ999999"}, "document_number"),
        ({"document_checked": ""}, "document_checked"),
        ({"new_value": "0512"}, "new_value"),
        ({"kind": "rib", "new_value": "011780000012345678901200"}, "new_value"),
    ],
)
def test_a_proposal_needs_the_persons_own_document_and_a_valid_value(as_staff, overrides, field):
    person = InsuredPersonFactory()
    response = propose(as_staff("agent"), person, **overrides)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not ContactChangeProposal.objects.exists()


def test_insured_account_can_be_disabled_or_sent_a_recovery_sms_only(as_staff):
    from tests.factories import UserFactory

    account = UserFactory()
    admin = as_staff("administrateur")
    admin.post("/admin/accounts/user/", {"action": "send_password_recovery_sms", "_selected_action": [account.pk]})
    sms = OutboundSms.objects.get(purpose="password_recovery_hint")
    assert sms.to == account.insured.phone and "Mot de passe oublié" in sms.body
    assert not re.search(r"\d{4,}", sms.body)  # no code, no password: it only points to the portal
    admin.post("/admin/accounts/user/", {"action": "disable_accounts", "_selected_action": [account.pk]})
    account.refresh_from_db()
    assert not account.is_active
