"""Passkeys: nobody revokes or renames another person's passkey, a signed answer works once, and an
answer made for another site (origin or relying party id) is refused."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from passkeys.models import Passkey
from tests.factories import UserFactory
from tests.passkeys.authenticator import SoftwareAuthenticator
from tests.passkeys.helpers import add_passkey, post_json, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_and_key(logged_in_client, insured_user):
    authenticator = SoftwareAuthenticator()
    assert add_passkey(logged_in_client, authenticator).status_code == 200
    return insured_user, authenticator, Passkey.objects.get(user=insured_user)


def test_a_passkey_of_another_person_cannot_be_revoked_or_renamed(owner_and_key):
    _owner, _authenticator, passkey = owner_and_key
    intruder = Client()
    intruder.force_login(UserFactory())
    for name in ("passkeys:revoke", "passkeys:rename"):
        url = reverse(name, args=[passkey.pk])
        assert intruder.get(url).status_code == 404
        assert intruder.post(url, {"name": "volée"}).status_code == 404
    passkey.refresh_from_db()
    assert passkey.name != "volée"
    assert "Téléphone" not in intruder.get(reverse("passkeys:list")).content.decode()


def test_a_replayed_sign_in_is_refused(owner_and_key):
    owner, authenticator, _passkey = owner_and_key
    attacker = Client()
    response, captured = sign_in(attacker, authenticator)
    assert response.status_code == 200
    # The same answer again, in the same session: its challenge is spent.
    again = Client()
    post_json(again, "passkeys:login_options")
    replay = post_json(again, "passkeys:login", {"credential": captured})
    assert replay.status_code == 400 and "_auth_user_id" not in again.session
    fresh = Client()
    assert post_json(fresh, "passkeys:login", {"credential": captured}).status_code == 400  # no challenge at all
    assert "_auth_user_id" not in fresh.session


def test_the_same_challenge_cannot_be_answered_twice(owner_and_key):
    _owner, authenticator, _passkey = owner_and_key
    client = Client()
    options = post_json(client, "passkeys:login_options").json()
    first = post_json(client, "passkeys:login", {"credential": authenticator.get(options)})
    assert first.status_code == 200
    client.logout()
    second = post_json(client, "passkeys:login", {"credential": authenticator.get(options)})  # new signature
    assert second.status_code == 400 and "_auth_user_id" not in client.session


def test_an_expired_challenge_is_refused(owner_and_key, settings):
    _owner, authenticator, _passkey = owner_and_key
    settings.PASSKEYS_CHALLENGE_SECONDS = -1
    client = Client()
    response, _credential = sign_in(client, authenticator)
    assert response.status_code == 400 and "expiré" in response.json()["error"]


@pytest.mark.parametrize(
    "change",
    [{"origin": "https://macnss-login.example"}, {"origin": "http://testserver:8443"}, {"rp_id": "example.ma"}],
    ids=["phishing origin", "other port", "other relying party"],
)
def test_an_answer_for_another_site_is_refused(owner_and_key, change):
    _owner, authenticator, passkey = owner_and_key
    client = Client()
    response, _credential = sign_in(client, authenticator, **change)
    assert response.status_code == 400 and "_auth_user_id" not in client.session
    passkey.refresh_from_db()
    assert passkey.last_used_at is None


def test_a_passkey_made_for_another_site_is_not_registered(logged_in_client):
    authenticator = SoftwareAuthenticator(origin="https://macnss-login.example")
    response = add_passkey(logged_in_client, authenticator)
    assert response.status_code == 400 and not Passkey.objects.exists()
    response = add_passkey(logged_in_client, SoftwareAuthenticator(), rp_id="macnss-login.example")
    assert response.status_code == 400 and not Passkey.objects.exists()


def test_production_accepts_https_origins_only(settings, rf):
    from passkeys.relying_party import relying_party_for

    settings.PASSKEYS_REQUIRE_HTTPS = True
    request = rf.get("/", HTTP_HOST="portail.macnss.example")
    assert relying_party_for(request).origins == ("https://portail.macnss.example",)
    assert relying_party_for(request).id == "portail.macnss.example"


def test_an_ip_address_is_no_relying_party(rf, settings):
    from passkeys.relying_party import relying_party_for

    settings.ALLOWED_HOSTS = ["*"]
    assert not relying_party_for(rf.get("/", HTTP_HOST="127.0.0.1:8000")).usable
    assert relying_party_for(rf.get("/", HTTP_HOST="localhost:8000")).usable
    assert relying_party_for(rf.get("/", HTTP_HOST="localhost:8000")).origins == ("http://localhost:8000",)


def test_malformed_json_is_a_clean_refusal(client):
    post_json(client, "passkeys:login_options")
    for body in ("{", "[]", json.dumps({"credential": "x"}), json.dumps({"credential": {"id": ["x"]}})):
        response = client.post(reverse("passkeys:login"), body, content_type="application/json")
        assert response.status_code == 400 and "error" in response.json()


def test_production_refuses_a_plain_http_passkey_origin():
    from tests.core.test_settings import _load

    result = _load(PASSKEYS_ORIGINS="https://portail.macnss.example,http://portail.macnss.example")
    assert result.returncode != 0 and "PASSKEYS_ORIGINS" in result.stderr
    assert _load(PASSKEYS_ORIGINS="https://portail.macnss.example").returncode == 0


def test_a_passkey_name_is_text_not_markup(owner_and_key, logged_in_client):
    _owner, _authenticator, passkey = owner_and_key
    hostile = '<img src=x onerror="alert(1)">'
    logged_in_client.post(reverse("passkeys:rename", args=[passkey.pk]), {"name": hostile})
    for url in (reverse("passkeys:list"), reverse("passkeys:revoke", args=[passkey.pk])):
        page = logged_in_client.get(url).content.decode()
        assert hostile not in page and "&lt;img src=x" in page
