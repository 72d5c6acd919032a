"""accounts.reauth: recent authentication before sensitive actions, and the «Confirmez votre identité» page."""

import time
from html import unescape

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.views import View

from accounts import reauth
from tests.conftest import otp_from_sms
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
REAUTH = "/compte/confirmer-identite/"


def _age_proof(client, seconds):
    session = client.session
    session[reauth.SESSION_KEY] = int(time.time()) - seconds
    session.save()


def test_login_marks_the_authentication_recent(client, insured_user):
    client.post(reverse("accounts:login"), {"username": insured_user.username, "password": PASSWORD})
    assert abs(client.session[reauth.SESSION_KEY] - time.time()) < 5


def test_is_recent_for_ten_minutes_only(logged_in_client, insured_user):
    class Protected(reauth.RecentAuthRequiredMixin, View):
        def get(self, request):
            return HttpResponse("ok")

    def call():
        request = RequestFactory().get("/compte/rib/?x=1")
        request.user = insured_user
        request.session = logged_in_client.session
        return Protected.as_view()(request)

    assert call().status_code == 200
    _age_proof(logged_in_client, 11 * 60)
    response = call()
    assert response.status_code == 302
    assert response["Location"] == REAUTH + "?next=%2Fcompte%2Frib%2F%3Fx%3D1"


def test_password_confirms_and_returns_to_next(logged_in_client):
    _age_proof(logged_in_client, 3600)
    page = logged_in_client.get(REAUTH + "?next=/compte/rib/")
    assert page.status_code == 200 and "Confirmez votre identité" in unescape(page.content.decode())
    wrong = logged_in_client.post(REAUTH + "?next=/compte/rib/", {"password": "nope", "next": "/compte/rib/"})
    assert wrong.status_code == 200 and "Le mot de passe est incorrect" in unescape(wrong.content.decode())
    response = logged_in_client.post(REAUTH, {"password": PASSWORD, "next": "/compte/rib/"})
    assert response.status_code == 302 and response["Location"] == "/compte/rib/"
    assert time.time() - logged_in_client.session[reauth.SESSION_KEY] < 5


def test_next_to_another_site_is_ignored(logged_in_client):
    response = logged_in_client.post(REAUTH, {"password": PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == reverse("accounts:dashboard")


def test_a_code_to_the_phone_on_file_confirms(logged_in_client, insured_user, sms_inbox):
    _age_proof(logged_in_client, 3600)
    response = logged_in_client.post(REAUTH, {"send_code": "1", "next": "/compte/rib/"})
    assert response["Location"] == reverse("accounts:reauthenticate_code")
    (sms,) = sms_inbox(insured_user.insured.phone)
    code = otp_from_sms(sms.body)
    response = logged_in_client.post(reverse("accounts:reauthenticate_code"), {"code": code})
    assert response.status_code == 302 and response["Location"] == "/compte/rib/"
    assert time.time() - logged_in_client.session[reauth.SESSION_KEY] < 5


def test_anonymous_visitor_goes_to_login(client):
    response = client.get(REAUTH)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_wrong_passwords_on_the_identity_page_count_as_failed_logins(logged_in_client, insured_user):
    for _ in range(5):
        logged_in_client.post(REAUTH, {"password": "faux", "next": "/compte/rib/"})
    page = logged_in_client.get(REAUTH + "?next=/compte/rib/")
    assert "captcha" in page.context_data["form"].fields
    from accounts.models import LoginFailure

    assert LoginFailure.objects.filter(subject=f"user:{insured_user.pk}").count() == 5
