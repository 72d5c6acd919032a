"""Sending a pension request needs a recent authentication, asked at the final «Valider» with every
answer kept (issue 16 §4)."""

import time
from html import unescape

import pytest
from django.urls import reverse

from accounts import reauth
from pension.models import PensionRequest
from tests.factories import PASSWORD

from .conftest import make_rib

CHECK = reverse("pension:check")
pytestmark = pytest.mark.django_db


def test_valider_after_ten_minutes_asks_identity_then_sends_with_the_answers_kept(client, make_tns):
    person = make_tns(sub="huissiers")
    client.force_login(person.account)
    client.post(reverse("pension:start"))
    client.post(
        reverse("pension:rib"),
        {"rib": make_rib(person.pk), "direct_debit_consent": "on", "legal_notice": "on"},
    )
    session = client.session
    session[reauth.SESSION_KEY] = int(time.time()) - 11 * 60
    session.save()
    page = unescape(client.get(CHECK).content.decode())
    assert "vous confirmerez votre identité" in page
    response = client.post(CHECK)
    assert response.status_code == 302
    assert response["Location"] == reauth.reauthenticate_url(CHECK)
    assert not PensionRequest.objects.filter(insured=person).exists()
    back = client.post(reverse("accounts:reauthenticate"), {"password": PASSWORD, "next": CHECK})
    assert back["Location"] == CHECK
    check = unescape(client.get(CHECK).content.decode())
    assert "537.45 DH" in check and "vous confirmerez votre identité" not in check  # answers kept
    assert client.post(CHECK)["Location"] == reverse("pension:confirmation")
    assert PensionRequest.objects.filter(insured=person).count() == 1
