"""Authentication controls probed over HTTP: OTP attempt and send limits, login lockout, temporary passwords."""

from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services
from macnss.core.models import OutboundSms
from tests.conftest import otp_from_sms
from tests.factories import PASSWORD, InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def _start_recovery(client, person):
    return client.post(
        reverse("accounts:recover_number"),
        {
            "id_document_type": person.id_document_type,
            "id_document_number": person.id_document_number,
            "birth_date": person.birth_date.strftime("%d/%m/%Y"),
            "captcha_0": "x",
            "captcha_1": "PASSED",
        },
    )["Location"]


def test_sixth_code_fails_even_when_right(client):
    person = InsuredPersonFactory()
    code_url = _start_recovery(client, person)
    code = otp_from_sms(OutboundSms.objects.get(to=person.phone).body)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post(code_url, {"code": wrong})
    page = client.post(code_url, {"code": code}).content.decode()
    assert "Trop d'essais erronés" in unescape(page)
    assert client.get(reverse("accounts:recover_number_result")).status_code == 302


def test_fourth_send_in_an_hour_is_refused(client):
    person = InsuredPersonFactory()
    code_url = _start_recovery(client, person)
    client.post(code_url, {"resend": "1"})
    client.post(code_url, {"resend": "1"})
    page = client.post(code_url, {"resend": "1"}, follow=True).content.decode()
    assert "trop de codes" in page
    assert OutboundSms.objects.filter(to=person.phone).count() == 3


def test_login_asks_the_captcha_after_five_failures_and_checks_no_password_without_it(client):
    user = UserFactory()
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "faux"})
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200 and "captcha" in response.context_data["form"].errors
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_person_not_global(client):
    victim, other = UserFactory(), UserFactory()
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": victim.username, "password": "faux"})
    response = client.post(reverse("accounts:login"), {"username": other.username, "password": PASSWORD})
    assert response.status_code == 302


def test_temporary_password_expires(client):
    person = InsuredPersonFactory()
    user, _ = services.create_account_with_temporary_password(person)
    user.set_password("Temporaire-123")
    user.temporary_password_expires_at = timezone.now() - timedelta(seconds=1)
    user.save()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": "Temporaire-123"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_session_key_changes_at_login_and_logout_invalidates_it(client):
    user = UserFactory()
    client.get(reverse("accounts:login"))
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    key = client.session.session_key
    client.post(reverse("accounts:logout"))
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()


def test_overlong_username_on_the_admin_login_is_a_form_error(client):
    response = client.post("/admin/login/", {"username": "a" * 300, "password": "x"})
    assert response.status_code == 200
    assert "username" in response.context["form"].errors


def test_overlong_username_on_the_portal_login_is_a_form_error(client):
    response = client.post(reverse("accounts:login"), {"username": "1" * 300, "password": "x"})
    assert response.status_code == 200
    assert "username" in response.context_data["form"].errors
