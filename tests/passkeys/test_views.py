"""«Mes clés d'accès» and «Se connecter avec une clé d'accès», through HTTP as the pages and the
JavaScript use them."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from accounts import login_guard, reauth
from accounts.models import SignIn
from macnss.core.models import OutboundSms
from passkeys.models import Passkey
from tests.factories import PASSWORD
from tests.passkeys.helpers import add_passkey, csrf_token_of, make_stale, post_json, sign_in

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_private_home_links_to_my_passkeys(logged_in_client):
    page = text(logged_in_client.get(reverse("accounts:dashboard")))
    assert f'href="{reverse("passkeys:list")}"' in page and "Mes clés d'accès" in page


def test_the_list_shows_the_persons_own_passkeys_only(logged_in_client, insured_user, authenticator):
    add_passkey(logged_in_client, authenticator)
    Passkey.objects.update(name="Téléphone de Salma")
    other = Client()
    from tests.factories import UserFactory

    other_user = UserFactory()
    other.force_login(other_user)
    page = text(other.get(reverse("passkeys:list")))
    assert "Téléphone de Salma" not in page and "Vous n'avez pas encore de clé d'accès." in page
    page = text(logged_in_client.get(reverse("passkeys:list")))
    assert "Téléphone de Salma" in page and "jamais" in page
    # Without JavaScript the add button stays hidden and a sentence says why.
    assert "data-passkeys-with-js hidden" in page and "JavaScript activé" in page


def test_adding_a_passkey_then_naming_it(logged_in_client, insured_user, authenticator):
    response = add_passkey(logged_in_client, authenticator)
    assert response.status_code == 200, response.content
    passkey = Passkey.objects.get(user=insured_user)
    assert response.json() == {"redirect": reverse("passkeys:rename", args=[passkey.pk])}
    assert passkey.name.startswith("Clé d'accès du ")
    page = text(logged_in_client.get(response.json()["redirect"]))
    assert "Votre clé d'accès est enregistrée" in page
    response = logged_in_client.post(reverse("passkeys:rename", args=[passkey.pk]), {"name": ""})
    page = text(response)
    assert response.status_code == 200 and page.count("Donnez un nom à votre clé d'accès.") == 2
    response = logged_in_client.post(reverse("passkeys:rename", args=[passkey.pk]), {"name": "Téléphone"})
    assert response.status_code == 302 and response["Location"] == reverse("passkeys:list")
    passkey.refresh_from_db()
    assert passkey.name == "Téléphone"


def test_adding_asks_for_a_recent_proof_of_identity(logged_in_client, authenticator):
    make_stale(logged_in_client)
    response = logged_in_client.get(reverse("passkeys:add"))
    assert response.status_code == 302
    assert response["Location"] == reauth.reauthenticate_url(reverse("passkeys:add"))
    refused = post_json(logged_in_client, "passkeys:registration_options")
    assert refused.status_code == 403 and refused.json()["redirect"].startswith(reverse("accounts:reauthenticate"))
    logged_in_client.post(reverse("accounts:reauthenticate"), {"password": PASSWORD, "next": reverse("passkeys:add")})
    assert logged_in_client.get(reverse("passkeys:add")).status_code == 200
    assert add_passkey(logged_in_client, authenticator).status_code == 200


def test_revoking_from_the_list(logged_in_client, insured_user, authenticator):
    add_passkey(logged_in_client, authenticator)
    passkey = Passkey.objects.get()
    phone = Client()
    phone.post(reverse("accounts:login"), {"username": insured_user.username, "password": PASSWORD})
    page = text(logged_in_client.get(reverse("passkeys:revoke", args=[passkey.pk])))
    assert "Supprimer la clé d'accès" in page
    response = logged_in_client.post(reverse("passkeys:revoke", args=[passkey.pk]))
    assert response.status_code == 302 and not Passkey.objects.exists()
    assert phone.get(reverse("accounts:dashboard")).status_code == 302  # signed out
    assert logged_in_client.get(reverse("accounts:dashboard")).status_code == 200
    bodies = [sms.body for sms in OutboundSms.objects.filter(purpose="passkey_change").order_by("pk")]
    assert len(bodies) == 2 and "ajoutée" in bodies[0] and "supprimée" in bodies[1]


def test_revoking_asks_for_a_recent_proof_of_identity(logged_in_client, authenticator):
    add_passkey(logged_in_client, authenticator)
    passkey = Passkey.objects.get()
    make_stale(logged_in_client)
    response = logged_in_client.post(reverse("passkeys:revoke", args=[passkey.pk]))
    assert response.status_code == 302 and reverse("accounts:reauthenticate") in response["Location"]
    assert Passkey.objects.filter(pk=passkey.pk).exists()


def test_the_login_page_offers_a_passkey_hidden_until_javascript_reveals_it(client):
    page = text(client.get(reverse("accounts:login")))
    assert "Se connecter avec une clé d'accès" in page
    assert 'class="passkey-login" data-passkeys-with-js hidden' in page
    assert '<script src="/static/js/passkeys.js" defer></script>' in page
    assert "<script>" not in page  # no inline script (CSP without unsafe-inline)


def test_signing_in_with_a_passkey_without_typing_the_number(logged_in_client, insured_user, authenticator):
    add_passkey(logged_in_client, authenticator)
    client = Client()
    response, _credential = sign_in(client, authenticator)
    assert response.status_code == 200 and response.json() == {"redirect": reverse("accounts:dashboard")}
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    assert reauth.SESSION_KEY in client.session  # the sign-in counts as a recent authentication
    assert client.get(reverse("passkeys:add")).status_code == 200
    assert SignIn.objects.filter(user=insured_user, method="passkey").count() == 1


def test_a_passkey_signs_in_even_while_the_password_is_locked(logged_in_client, insured_user, authenticator):
    add_passkey(logged_in_client, authenticator)
    client = Client()
    for attempt in range(20):
        data = {"username": insured_user.username, "password": "faux-mot-de-passe"}
        if attempt >= 5:
            data |= {"captcha_0": "x", "captcha_1": "PASSED"}
        client.post(reverse("accounts:login"), data)
    assert login_guard.is_locked(login_guard.person_subject(insured_user))
    refused = client.post(
        reverse("accounts:login"),
        {"username": insured_user.username, "password": PASSWORD, "captcha_0": "x", "captcha_1": "PASSED"},
    )
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    response, _credential = sign_in(client, authenticator)  # no captcha either
    assert response.status_code == 200
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_sign_in_goes_back_to_next_on_this_site_only(logged_in_client, authenticator):
    add_passkey(logged_in_client, authenticator)
    response, _credential = sign_in(Client(), authenticator, next_url=reverse("accounts:my_requests"))
    assert response.json()["redirect"] == reverse("accounts:my_requests")
    response, _credential = sign_in(Client(), authenticator, next_url="https://evil.example/")
    assert response.json()["redirect"] == reverse("accounts:dashboard")


def test_re_authentication_with_a_passkey(logged_in_client, authenticator):
    add_passkey(logged_in_client, authenticator)
    make_stale(logged_in_client)
    page = text(logged_in_client.get(reauth.reauthenticate_url(reverse("passkeys:add"))))
    assert "Confirmer avec une clé d'accès" in page
    options = post_json(logged_in_client, "passkeys:reauth_options").json()
    response = post_json(
        logged_in_client,
        "passkeys:reauth",
        {"credential": authenticator.get(options), "next": reverse("passkeys:add")},
    )
    assert response.json() == {"redirect": reverse("passkeys:add")}
    assert logged_in_client.get(reverse("passkeys:add")).status_code == 200


def test_the_reauthentication_page_offers_no_passkey_to_a_person_without_one(logged_in_client):
    make_stale(logged_in_client)
    page = text(logged_in_client.get(reverse("accounts:reauthenticate")))
    assert "Confirmer avec une clé d'accès" not in page


def test_the_json_endpoints_need_the_csrf_token_which_the_page_gives(insured_user, authenticator):
    client = Client(enforce_csrf_checks=True)
    page = text(client.get(reverse("accounts:login")))
    assert post_json(client, "passkeys:login_options").status_code == 403
    token = csrf_token_of(page)
    assert post_json(client, "passkeys:login_options", HTTP_X_CSRFTOKEN=token).status_code == 200


def test_the_pages_in_arabic(logged_in_client, authenticator):
    add_passkey(logged_in_client, authenticator)
    passkey = Passkey.objects.get()
    logged_in_client.get(reverse("passkeys:list"))  # shows (and spends) the French notice of the add
    urls = [reverse("passkeys:list"), reverse("passkeys:add"), reverse("passkeys:rename", args=[passkey.pk])]
    for name in urls:
        page = text(logged_in_client.get("/ar" + name))
        assert 'dir="rtl"' in page and ("مفتاح المرور" in page or "مفاتيح المرور" in page), name
        assert "clé d'accès" not in page.replace(passkey.name, ""), name
