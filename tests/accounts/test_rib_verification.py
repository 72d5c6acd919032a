"""Issue 16 §2's one exception: the first RIB of a person whose phone was proven only online waits in the
agents' queue «RIB à vérifier»; an agent confirms it (admin action, through a service, logged)."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts import services
from accounts.models import BankDetails, RibVerification
from macnss.core.models import OutboundSms, StatusChange
from macnss.core.validators import rib_key
from tests.factories import InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:accounts_bankdetails_changelist")


def _rib(seed: int) -> str:
    first_22 = "011780" + f"{seed:016d}"
    return first_22 + rib_key(first_22)


def test_an_ordinary_rib_is_verified_at_once(insured):
    services.set_bank_details(person=insured, rib=_rib(1), ip_address=None)
    assert BankDetails.objects.get(insured=insured).status == RibVerification.VERIFIED


def test_the_first_rib_after_an_online_proven_phone_waits_and_the_page_says_so(client):
    person = InsuredPersonFactory(first_rib_needs_check=True)
    client.force_login(UserFactory(insured=person))
    response = client.post(reverse("accounts:bank_details"), {"rib": _rib(2), "direct_debit_consent": "on"})
    assert response.status_code == 302
    bank_details = BankDetails.objects.get(insured=person)
    assert bank_details.status == RibVerification.PENDING
    sms = OutboundSms.objects.get(purpose="rib_changed")
    assert "vérifie avant tout prélèvement" in sms.body
    page = client.get(reverse("accounts:bank_details")).content.decode()
    assert "RIB en cours de vérification" in page
    assert "RIB en cours de vérification" in client.get(reverse("accounts:dashboard")).content.decode()


def test_agent_confirms_in_the_queue_logged_and_told_by_sms(admin_client, admin_user):
    person = InsuredPersonFactory(first_rib_needs_check=True)
    services.set_bank_details(person=person, rib=_rib(3), ip_address=None)
    other = InsuredPersonFactory()
    services.set_bank_details(person=other, rib=_rib(4), ip_address=None)
    queue = admin_client.get(CHANGELIST, {"status__exact": RibVerification.PENDING}).content.decode()
    assert "RIB à vérifier" in queue
    assert person.immatriculation_number in queue and other.immatriculation_number not in queue
    bank_details = BankDetails.objects.get(insured=person)
    response = admin_client.post(
        CHANGELIST, {"action": "confirm_selected", ACTION_CHECKBOX_NAME: [bank_details.pk]}, follow=True
    )
    assert "1 RIB confirmé" in response.content.decode()
    bank_details.refresh_from_db()
    assert bank_details.status == RibVerification.VERIFIED
    change = StatusChange.objects.get(content_type=ContentType.objects.get_for_model(BankDetails))
    assert (change.from_status, change.to_status, change.changed_by) == (
        RibVerification.PENDING,
        RibVerification.VERIFIED,
        admin_user,
    )
    person.refresh_from_db()
    assert not person.first_rib_needs_check
    assert OutboundSms.objects.filter(to=person.phone, purpose="rib_verified").exists()
    # a later change of RIB is an ordinary one
    services.set_bank_details(person=person, rib=_rib(5), ip_address=None)
    assert BankDetails.objects.get(insured=person).status == RibVerification.VERIFIED


def test_the_queue_cannot_be_edited_by_hand(admin_client):
    person = InsuredPersonFactory(first_rib_needs_check=True)
    services.set_bank_details(person=person, rib=_rib(6), ip_address=None)
    bank_details = BankDetails.objects.get(insured=person)
    url = reverse("admin:accounts_bankdetails_change", args=[bank_details.pk])
    admin_client.post(url, {"status": RibVerification.VERIFIED, "rib": _rib(7)})
    bank_details.refresh_from_db()
    assert (bank_details.status, bank_details.rib) == (RibVerification.PENDING, _rib(6))
