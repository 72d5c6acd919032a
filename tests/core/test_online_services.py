"""«Services en ligne» as on cnss.ma (seed 003, steps 1–2), and the private home's profession line."""

from html import unescape

import pytest
from django.urls import reverse

from accounts.models import ProfessionalSubCategory, Regime
from macnss.core.online_services import DAMANCOM_URL, verification_url

pytestmark = pytest.mark.django_db


def test_the_page_lists_the_portals_services_and_the_external_ones_marked(client):
    page = unescape(client.get(reverse("online_services")).content.decode())
    for title in (
        "Portail ASSURÉ",
        "Paiement en ligne",
        "Vérification de l'authenticité des attestations",
        "Portail DAMANCOM",
        "BPC Travailleurs de Maison",
    ):
        assert title in page
    assert f'href="{reverse("asvi_payment:start")}"' in page
    assert f'href="{reverse("accounts:login")}"' in page
    assert f'href="{DAMANCOM_URL}" rel="external noopener noreferrer"' in page
    assert page.count("(site externe)") == 2
    assert 'href="/verifier/"' in page or f'href="{verification_url()}"' in page


def test_the_page_is_linked_from_the_home_page_and_the_footer(client):
    home = client.get(reverse("home")).content.decode()
    assert home.count(f'href="{reverse("online_services")}"') == 2  # the home's button and the footer


def test_the_page_in_arabic(client):
    page = client.get("/ar/services-en-ligne/").content.decode()
    assert "الخدمات عبر الإنترنت" in page and "بوابة DAMANCOM" in page and "موقع خارجي" in page
    assert 'href="/ar/verifier/"' in page or 'href="/ar/' in page


def test_the_verification_link_falls_back_to_the_path_until_the_page_exists():
    assert verification_url().endswith("/verifier/")


def test_the_private_home_shows_the_profession_and_the_sub_category(client, reference_data, insured_user):
    person = insured_user.insured
    person.regime = Regime.TNS
    person.tns_subcategory = ProfessionalSubCategory.objects.filter(category__name__startswith="Architecte").first()
    person.save()
    client.force_login(insured_user)
    page = unescape(client.get(reverse("accounts:dashboard")).content.decode())
    sub = person.tns_subcategory
    assert "Profession" in page
    assert f"{sub.category.name} — {sub.name}" in page
