"""Audit H1: a demo agent could make himself superuser, set any insured person's password and change a
phone or a RIB straight in the admin. Each probe failed on main."""

import pytest

from accounts.demo import seed_agents
from accounts.models import BankDetails, User
from backoffice import services
from backoffice.models import ContactChangeProposal, ProposalStatus
from tests.factories import InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID_RIB = "011780000012345678901296"


@pytest.fixture
def agent(client):
    seed_agents()
    user = User.objects.get(username="agent")
    client.force_login(user)
    return user


def give_reason(client, obj_url, content_type_id, pk):
    """Open a record outside one's queues: the reason page first."""
    response = client.get(obj_url)
    assert response.status_code == 302 and "/admin/motif/" in response["Location"]
    client.post(response["Location"], {"reason": "guichet"})


def test_agent_cannot_reach_an_insured_persons_password_form(client, agent):
    account = UserFactory()
    assert client.get(f"/admin/accounts/user/{account.pk}/password/").status_code == 403
    response = client.post(
        f"/admin/accounts/user/{account.pk}/password/",
        {"password1": "Pirate-2026-xyz!", "password2": "Pirate-2026-xyz!"},
    )
    assert response.status_code == 403
    account.refresh_from_db()
    assert not account.check_password("Pirate-2026-xyz!")


def test_agent_cannot_make_himself_superuser(client, agent):
    response = client.post(
        f"/admin/accounts/user/{agent.pk}/change/",
        {"username": "agent", "is_active": "on", "is_staff": "on", "is_superuser": "on"},
    )
    assert response.status_code == 403
    agent.refresh_from_db()
    assert not agent.is_superuser


def test_agent_cannot_change_a_phone_an_email_or_a_rib_directly(client, agent):
    from django.contrib.contenttypes.models import ContentType

    person = InsuredPersonFactory(phone="+212661000001", email="avant@example.ma")
    BankDetails.objects.create(insured=person, rib=VALID_RIB)
    url = f"/admin/accounts/insuredperson/{person.pk}/change/"
    give_reason(client, url, ContentType.objects.get_for_model(person).pk, person.pk)
    page = client.get(url)
    form = page.context["adminform"].form
    assert "phone" not in form.fields and "email" not in form.fields
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "phone": "+212661999999",
            "email": "pirate@example.ma",
            "birth_date": person.birth_date.strftime("%d/%m/%Y"),
            "id_document_expiry": person.id_document_expiry.strftime("%d/%m/%Y"),
            "bank_details-TOTAL_FORMS": "1",
            "bank_details-INITIAL_FORMS": "1",
            "bank_details-0-id": person.bank_details.pk,
            "bank_details-0-insured": person.pk,
            "bank_details-0-rib": "181330211119876543210083",
        }
    )
    client.post(url, data)
    person.refresh_from_db()
    assert person.phone == "+212661000001"
    assert person.email == "avant@example.ma"
    assert person.bank_details.rib == VALID_RIB


def test_four_eyes_the_proposer_cannot_approve_his_own_proposal(client):
    seed_agents()
    supervisor = User.objects.get(username="superviseur")
    person = InsuredPersonFactory(phone="+212661000001")
    proposal = services.propose_change(
        person=person,
        kind="telephone",
        new_value="+212661000002",
        document_type=person.id_document_type,
        document_number=person.id_document_number,
        by=supervisor,
    )
    client.force_login(supervisor)
    client.post(f"/admin/backoffice/contactchangeproposal/{proposal.pk}/decider/", {"approve": "1"})
    proposal.refresh_from_db()
    person.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED
    assert person.phone == "+212661000001"
    with pytest.raises(services.FourEyesViolation):
        services.decide_change(proposal=proposal, approve=True, by=supervisor)
    assert ContactChangeProposal.objects.get().status == ProposalStatus.PROPOSED
