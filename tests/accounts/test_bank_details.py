from html import unescape

import pytest
from django.urls import reverse

from accounts.models import BankDetails, DirectDebitMandate, Regime
from macnss.core.models import OutboundSms

pytestmark = pytest.mark.django_db
RIB = "011519000001205000534921"


@pytest.fixture
def tns_paying_directly(insured):
    insured.regime = Regime.TNS
    insured.pays_contributions_directly = True
    insured.save()
    return insured


def test_tns_without_rib_is_asked_for_it_before_the_home(logged_in_client, tns_paying_directly):
    response = logged_in_client.get(reverse("accounts:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:bank_details"))
    page = logged_in_client.get(response["Location"]).content.decode()
    assert "j'autorise le prélèvement automatique bancaire des cotisations cnss" in unescape(page)
    assert ">Ajouter<" in page


def test_rib_and_mandate_are_recorded_with_consent_time_and_ip(logged_in_client, tns_paying_directly):
    response = logged_in_client.post(
        reverse("accounts:bank_details") + "?next=/compte/",
        {"rib": "011 519 0000012050005349 21", "direct_debit_consent": "on", "next": "/compte/"},
    )
    assert response.status_code == 302 and response["Location"] == "/compte/"
    assert BankDetails.objects.get(insured=tns_paying_directly).rib == RIB
    mandate = DirectDebitMandate.objects.get(insured=tns_paying_directly)
    assert mandate.ip_address == "127.0.0.1" and mandate.consent_text_version and mandate.is_active
    assert "prélèvement" in mandate.consent_text
    assert OutboundSms.objects.filter(to=tns_paying_directly.phone, purpose="rib_changed").exists()
    assert logged_in_client.get(reverse("accounts:dashboard")).status_code == 200


def test_bad_rib_and_missing_consent_get_clear_messages(logged_in_client, tns_paying_directly):
    page = logged_in_client.post(reverse("accounts:bank_details"), {"rib": RIB[:-2] + "22"}).content.decode()
    assert "la clé" in page
    assert "Cochez la case" in page
    assert not BankDetails.objects.exists()


def test_changing_the_rib_revokes_the_old_mandate_and_sends_an_sms(logged_in_client, tns_paying_directly):
    url = reverse("accounts:bank_details")
    logged_in_client.post(url, {"rib": RIB, "direct_debit_consent": "on"})
    other = "007780000123456789012345"
    from macnss.core.validators import rib_key

    other = other[:22] + rib_key(other[:22])
    logged_in_client.post(url, {"rib": other, "direct_debit_consent": "on"})
    assert DirectDebitMandate.objects.filter(insured=tns_paying_directly, revoked_at__isnull=True).count() == 1
    assert DirectDebitMandate.objects.filter(insured=tns_paying_directly).count() == 2
    texts = list(OutboundSms.objects.filter(purpose="rib_changed").values_list("body", flat=True))
    assert any("modifié" in t for t in texts)


def test_dashboard_shows_the_rib_grouped(logged_in_client, tns_paying_directly):
    BankDetails.objects.create(insured=tns_paying_directly, rib=RIB)
    assert "011 519 0000012050005349 21" in logged_in_client.get(reverse("accounts:dashboard")).content.decode()
