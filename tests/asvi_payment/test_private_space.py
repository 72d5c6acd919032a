"""An ASVI member, logged in, pays from his private space: no captcha, the same pages, his contact details
may go to CMI, and our pages still show only his initials."""

import re
from html import unescape

import pytest
from django.urls import reverse

from accounts.models import Regime
from asvi_payment import cmi
from asvi_payment.models import OrderChannel, PaymentOrder
from tests.factories import InsuredPersonFactory, UserFactory

from .conftest import make_due


@pytest.fixture
def logged_in_member(client, member):
    client.force_login(UserFactory(insured=member))
    return member


def gateway_form(client, member, due):
    client.get(reverse("asvi_payment:member_start"))
    client.post(reverse("asvi_payment:dues"), {"dues": [due.pk], "card_type": "LOC", "accept_terms": "on"})
    page = client.get(reverse("asvi_payment:transaction")).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    redirect_page = client.get(client.post(reverse("asvi_payment:transaction"), {"token": token})["Location"])
    html = redirect_page.content.decode()
    form = html.split("data-autosubmit", 1)[1].split("</form>", 1)[0]
    fields = {k: unescape(v) for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}
    return page, html, fields


def test_the_private_home_offers_the_payment_to_asvi_members_only(client, logged_in_member):
    home = client.get(reverse("accounts:dashboard")).content.decode()
    assert reverse("asvi_payment:member_start") in home


def test_a_logged_in_member_goes_straight_to_his_dues_without_captcha(client, logged_in_member, due_2020_t1):
    response = client.get(reverse("asvi_payment:member_start"))
    assert response["Location"] == reverse("asvi_payment:dues")
    html = client.get(reverse("asvi_payment:dues")).content.decode()
    assert "1451.10" in html
    assert "captcha" not in html
    assert reverse("accounts:dashboard") in html  # the breadcrumb leads back to his space


def test_his_details_go_to_the_gateway_but_our_pages_show_initials(client, logged_in_member, due_2020_t1):
    transaction, redirect_html, fields = gateway_form(client, logged_in_member, due_2020_t1)
    assert PaymentOrder.objects.get().channel == OrderChannel.PRIVATE
    assert fields["email"] == logged_in_member.email
    assert fields["tel"] == "0" + logged_in_member.phone[-9:]
    assert fields["BillToName"] == cmi.bill_to_name(logged_in_member.full_name)
    assert cmi.verify(fields, "TEST1234")
    initials = f"{logged_in_member.last_name[0]}. {logged_in_member.first_name[0]}."
    assert initials in transaction
    for page in (transaction, redirect_html.split("data-autosubmit", 1)[0]):
        assert logged_in_member.email not in page and logged_in_member.first_name not in page


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(reverse("asvi_payment:member_start"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_members_of_other_regimes_get_a_404(client, db):
    client.force_login(UserFactory(insured=InsuredPersonFactory(regime=Regime.EMPLOYEE)))
    assert client.get(reverse("asvi_payment:member_start")).status_code == 404


def test_a_private_journey_ends_with_the_login(client, logged_in_member, due_2020_t1):
    client.get(reverse("asvi_payment:member_start"))
    assert client.get(reverse("asvi_payment:dues")).status_code == 200
    session = client.session
    state = session["asvi_payment"]
    client.logout()
    session = client.session
    session["asvi_payment"] = state  # a journey state left behind in a session without the member
    session.save()
    assert client.get(reverse("asvi_payment:dues"))["Location"] == reverse("asvi_payment:lookup")


def test_another_members_session_cannot_continue_his_private_journey(client, logged_in_member, due_2020_t1):
    other = InsuredPersonFactory(regime=Regime.ASVI)
    make_due(other, 2021, 1)
    client.get(reverse("asvi_payment:member_start"))
    state = client.session["asvi_payment"]
    client.force_login(UserFactory(insured=other))
    session = client.session
    session["asvi_payment"] = state
    session.save()
    assert client.get(reverse("asvi_payment:dues"))["Location"] == reverse("asvi_payment:lookup")


def test_the_public_lookup_points_members_to_their_space(client, db):
    html = client.get(reverse("asvi_payment:lookup")).content.decode()
    assert f'href="{reverse("asvi_payment:member_start")}"' in html
