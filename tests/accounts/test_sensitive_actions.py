"""Re-authentication before changing the RIB or the e-mail, SMS after every change of contact details,
«Mes connexions» (issue 16 §4)."""

import time
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from accounts import devices, reauth
from accounts.models import SignIn
from macnss.core.models import OutboundSms
from tests.factories import PASSWORD, InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db
RIB = reverse("accounts:bank_details")
EMAIL = reverse("accounts:email_change")
SIGN_INS = reverse("accounts:sign_ins")


def _age_proof(client, seconds=11 * 60):
    session = client.session
    session[reauth.SESSION_KEY] = int(time.time()) - seconds
    session.save()


def _signed_in(user, agent="Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"):
    client = Client(HTTP_USER_AGENT=agent)
    assert client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def test_rib_right_after_login_asks_nothing_more_but_later_asks_identity(insured_user):
    client = _signed_in(insured_user)
    assert client.get(RIB).status_code == 200
    _age_proof(client)
    response = client.get(RIB + "?next=/compte/")
    assert response.status_code == 302
    assert response["Location"] == reauth.reauthenticate_url(RIB + "?next=/compte/")


def test_email_change_needs_identity_and_tells_the_phone_on_file(logged_in_client, insured_user):
    person = insured_user.insured
    _age_proof(logged_in_client)
    assert logged_in_client.get(EMAIL).status_code == 302
    logged_in_client.post(reverse("accounts:reauthenticate"), {"password": PASSWORD, "next": EMAIL})
    response = logged_in_client.post(EMAIL, {"email": "nouvelle.adresse@exemple.ma"})
    assert response["Location"] == reverse("accounts:dashboard")
    person.refresh_from_db()
    insured_user.refresh_from_db()
    assert person.email == insured_user.email == "nouvelle.adresse@exemple.ma"
    (sms,) = OutboundSms.objects.filter(to=person.phone, purpose="email_changed")
    assert "n***@exemple.ma" in sms.body and "nouvelle.adresse" not in sms.body


def test_email_errors_are_shown_next_to_the_field(logged_in_client):
    page = unescape(logged_in_client.post(EMAIL, {"email": "pas-une-adresse"}).content.decode())
    assert "Saisissez une adresse e-mail valide" in page and "Il y a un problème" in page


def test_a_phone_changed_by_anyone_tells_the_old_and_the_new_phone(db):
    person = InsuredPersonFactory(phone="+212611111111")
    person.phone = "+212622222222"
    person.save()
    sent = OutboundSms.objects.filter(purpose="phone_changed")
    assert sorted(sent.values_list("to", flat=True)) == ["+212611111111", "+212622222222"]


def test_saving_a_person_without_contact_change_sends_nothing(db):
    person = InsuredPersonFactory()
    person.address = "12 rue des Orangers, Rabat"
    person.save()
    assert not OutboundSms.objects.filter(purpose__in=["phone_changed", "email_changed"]).exists()


def test_password_change_ends_the_other_sessions_and_keeps_this_one(insured_user):
    phone, laptop = _signed_in(insured_user), _signed_in(insured_user)
    new = "Une-phrase-de-passe-neuve-2026"
    response = laptop.post(
        reverse("accounts:password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response["Location"] == reverse("accounts:dashboard")
    assert laptop.get(reverse("accounts:dashboard")).status_code == 200
    assert phone.get(reverse("accounts:dashboard")).status_code == 302
    assert SignIn.objects.get(session_key=laptop.session.session_key).user == insured_user
    assert OutboundSms.objects.filter(to=insured_user.insured.phone, purpose="password_changed").count() == 1


def test_sign_ins_page_lists_devices_and_ends_the_others(insured_user):
    phone = _signed_in(insured_user)
    laptop = _signed_in(insured_user, agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Firefox/133.0")
    page = unescape(laptop.get(SIGN_INS).content.decode())
    assert "Chrome sur Android" in page and "Firefox sur Windows" in page and "Cet appareil" in page
    assert "Déconnecter les autres appareils" in page
    response = laptop.post(SIGN_INS, follow=True)
    assert "Vos autres appareils ont été déconnectés" in unescape(response.content.decode())
    assert phone.get(reverse("accounts:dashboard")).status_code == 302
    page = unescape(laptop.get(SIGN_INS).content.decode())
    assert "Aucun autre appareil n'est connecté" in page and "Terminée" in page


def test_sign_ins_are_the_persons_own(insured_user):
    other = UserFactory()
    _signed_in(other, agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Version/17.0 Safari/605.1.15")
    page = unescape(_signed_in(insured_user).get(SIGN_INS).content.decode())
    assert "Safari sur macOS" not in page


def test_private_home_links_to_sign_ins_and_email(logged_in_client):
    page = logged_in_client.get(reverse("accounts:dashboard")).content.decode()
    assert f'href="{SIGN_INS}"' in page and f'href="{EMAIL}"' in page


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Mobile/15E148 Safari/604.1",
            "Safari sur iPhone",
        ),
        ("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0", "Edge sur Windows"),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36", "Chrome sur Linux"),
        ("curl/8.5", "Appareil inconnu"),
        ("", "Appareil inconnu"),
    ],
)
def test_device_summary(agent, expected):
    assert devices.summary(agent) == expected
