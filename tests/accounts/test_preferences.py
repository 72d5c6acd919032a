"""«Mes préférences» sets the language of the messages that are not about a request; nothing else
changes it silently."""

import re

import pytest
from django.urls import reverse

from accounts import services

pytestmark = pytest.mark.django_db


def test_the_page_sets_the_language_of_messages(logged_in_client, insured):
    assert insured.preferred_language == "fr"
    page = logged_in_client.get(reverse("accounts:preferences"))
    assert page.status_code == 200
    assert re.search(r'<input[^>]*value="fr"[^>]*checked', page.content.decode())
    response = logged_in_client.post(reverse("accounts:preferences"), {"preferred_language": "ar"})
    assert response.status_code == 302
    insured.refresh_from_db()
    assert insured.preferred_language == "ar"
    # and the next personal SMS (not about a request) is in Arabic
    from macnss.core.models import OutboundSms

    services.set_bank_details(person=insured, rib="181810211111111111111194", ip_address=None)
    assert OutboundSms.objects.filter(to=insured.phone).latest("pk").language == "ar"


def test_a_wrong_answer_is_refused_in_the_pages_language(logged_in_client, insured):
    url = reverse("accounts:preferences")
    response = logged_in_client.post(url, {"preferred_language": "en"})
    assert response.status_code == 200
    insured.refresh_from_db()
    assert insured.preferred_language == "fr"
    response = logged_in_client.post("/ar" + url, {})
    assert "اختاروا لغة رسائلكم." in response.content.decode()


def test_the_page_is_linked_from_the_private_home(logged_in_client):
    assert reverse("accounts:preferences") in logged_in_client.get(reverse("accounts:dashboard")).content.decode()


def test_visiting_the_portal_in_arabic_does_not_change_the_preference(logged_in_client, insured):
    logged_in_client.get("/ar" + reverse("accounts:dashboard"))
    logged_in_client.get("/ar/")
    insured.refresh_from_db()
    assert insured.preferred_language == "fr"


def test_only_known_languages():
    with pytest.raises(ValueError, match="en"):
        services.set_preferred_language(person=None, language="en")
