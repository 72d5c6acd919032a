"""The passkey ceremonies, verified by py_webauthn against a software authenticator's real signatures."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from macnss.core.models import OutboundSms
from passkeys import services
from passkeys.models import Passkey, PasskeyUserHandle
from tests.factories import PASSWORD, InsuredPersonFactory, UserFactory
from tests.passkeys.authenticator import SoftwareAuthenticator, b64url

pytestmark = pytest.mark.django_db


def test_registration_options_ask_for_a_discoverable_verified_passkey_and_an_opaque_user_id(insured_user, rp):
    options, challenge = services.registration_options(user=insured_user, rp=rp)
    options = json.loads(options)
    assert options["rp"] == {"id": "testserver", "name": "Ma CNSS"}
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["challenge"] == b64url(challenge) and len(challenge) >= 32
    handle = PasskeyUserHandle.objects.get(user=insured_user).handle
    assert options["user"]["id"] == handle
    assert insured_user.username not in handle and str(insured_user.pk) != handle
    assert options["user"]["name"] == insured_user.username
    # A new challenge each time.
    assert services.registration_options(user=insured_user, rp=rp)[1] != challenge


def test_registration_keeps_the_public_key_and_tells_the_phone_on_file(registered, insured_user, authenticator):
    stored = authenticator.credentials[0]
    assert registered.user == insured_user and registered.name == "Mon téléphone"
    assert registered.credential_id == b64url(stored.credential_id)
    assert registered.sign_count == 0 and registered.transports == ["internal", "hybrid"]
    assert registered.aaguid == "adce0002-35bc-c60a-648b-0b25f1f05503"
    public = stored.private_key.public_key().public_numbers()
    assert public.x.to_bytes(32, "big") in bytes(registered.public_key)
    sms = OutboundSms.objects.get(purpose="passkey_change")
    assert sms.to == insured_user.insured.phone and sms.language == "fr"
    assert "une clé d'accès a été ajoutée" in sms.body and "080 20 20 109" in sms.body
    assert registered.credential_id not in sms.body


def test_the_sms_is_in_the_persons_language(rp, authenticator):
    user = UserFactory(insured=InsuredPersonFactory(preferred_language="ar"))
    options, challenge = services.registration_options(user=user, rp=rp)
    services.register_passkey(user=user, rp=rp, credential=authenticator.create(options), challenge=challenge)
    sms = OutboundSms.objects.get(purpose="passkey_change")
    assert sms.language == "ar" and "مفتاح" in sms.body


def test_a_second_registration_excludes_the_passkeys_already_there(registered, insured_user, rp):
    options = json.loads(services.registration_options(user=insured_user, rp=rp)[0])
    assert [c["id"] for c in options["excludeCredentials"]] == [registered.credential_id]


@pytest.mark.parametrize(
    "change",
    [
        {"origin": "https://evil.example"},
        {"rp_id": "evil.example"},
        {"user_verified": False},
        {"challenge": b64url(b"another challenge of thirty-two bytes")},
    ],
    ids=["wrong origin", "wrong rp id", "no user verification", "other challenge"],
)
def test_registration_is_refused_when_the_answer_does_not_match(insured_user, rp, authenticator, change):
    options, challenge = services.registration_options(user=insured_user, rp=rp)
    credential = authenticator.create(options, **change)
    with pytest.raises(services.PasskeyRejected):
        services.register_passkey(user=insured_user, rp=rp, credential=credential, challenge=challenge)
    assert not Passkey.objects.exists()
    assert not OutboundSms.objects.exists()


def test_registration_without_a_pending_challenge_is_refused(insured_user, rp, authenticator):
    options, _challenge = services.registration_options(user=insured_user, rp=rp)
    with pytest.raises(services.PasskeyRejected, match="expiré"):
        services.register_passkey(user=insured_user, rp=rp, credential=authenticator.create(options), challenge=None)


def test_garbage_is_a_refusal_not_a_crash(insured_user, rp):
    _options, challenge = services.registration_options(user=insured_user, rp=rp)
    for credential in ({}, {"id": "x", "rawId": "x", "response": {}}, {"id": 3, "response": []}):
        with pytest.raises(services.PasskeyRejected):
            services.register_passkey(user=insured_user, rp=rp, credential=credential, challenge=challenge)
        with pytest.raises(services.PasskeyRejected):
            services.authenticate(rp=rp, credential=credential, challenge=challenge)


def test_sign_in_with_a_discoverable_passkey_names_its_account(registered, insured_user, rp, authenticator):
    options, challenge = services.authentication_options(rp=rp)
    assert json.loads(options)["allowCredentials"] == []
    assert json.loads(options)["userVerification"] == "required"
    user = services.authenticate(rp=rp, credential=authenticator.get(options), challenge=challenge)
    assert user == insured_user
    registered.refresh_from_db()
    assert registered.sign_count == 1 and registered.last_used_at is not None


def test_a_signature_counter_that_goes_back_is_refused(registered, rp, authenticator):
    options, challenge = services.authentication_options(rp=rp)
    services.authenticate(rp=rp, credential=authenticator.get(options), challenge=challenge)
    authenticator.credentials[0].sign_count = 0  # a clone of the key, made before that sign-in
    options, challenge = services.authentication_options(rp=rp)
    with pytest.raises(services.PasskeyRejected):
        services.authenticate(rp=rp, credential=authenticator.get(options), challenge=challenge)


def test_an_authenticator_that_keeps_no_counter_is_accepted(insured_user, rp):
    authenticator = SoftwareAuthenticator(counts_signatures=False)  # synced passkeys always answer 0
    options, challenge = services.registration_options(user=insured_user, rp=rp)
    services.register_passkey(user=insured_user, rp=rp, credential=authenticator.create(options), challenge=challenge)
    for _ in range(2):
        options, challenge = services.authentication_options(rp=rp)
        assert services.authenticate(rp=rp, credential=authenticator.get(options), challenge=challenge) == insured_user


@pytest.mark.parametrize(
    "change",
    [{"origin": "https://evil.example"}, {"rp_id": "evil.example"}, {"user_verified": False}],
    ids=["wrong origin", "wrong rp id", "no user verification"],
)
def test_sign_in_is_refused_when_the_answer_does_not_match(registered, rp, authenticator, change):
    options, challenge = services.authentication_options(rp=rp)
    with pytest.raises(services.PasskeyRejected):
        services.authenticate(rp=rp, credential=authenticator.get(options, **change), challenge=challenge)
    registered.refresh_from_db()
    assert registered.sign_count == 0 and registered.last_used_at is None


def test_a_signature_by_another_key_is_refused(registered, rp, authenticator):
    options, challenge = services.authentication_options(rp=rp)
    forged = SoftwareAuthenticator()
    forged.create(json.loads(services.registration_options(user=registered.user, rp=rp)[0]))
    forged.credentials[0].credential_id = authenticator.credentials[0].credential_id  # same id, other key
    with pytest.raises(services.PasskeyRejected):
        services.authenticate(rp=rp, credential=forged.get(options), challenge=challenge)


def test_an_answer_naming_another_account_is_refused(registered, rp, authenticator):
    other = UserFactory()
    services.user_handle_for(other)
    authenticator.credentials[0].user_handle = services.user_handle_for(other)
    options, challenge = services.authentication_options(rp=rp)
    with pytest.raises(services.PasskeyRejected):
        services.authenticate(rp=rp, credential=authenticator.get(options), challenge=challenge)


def test_an_inactive_account_cannot_sign_in_with_its_passkey(registered, insured_user, rp, authenticator):
    insured_user.is_active = False
    insured_user.save()
    options, challenge = services.authentication_options(rp=rp)
    with pytest.raises(services.PasskeyRejected):
        services.authenticate(rp=rp, credential=authenticator.get(options), challenge=challenge)


def test_re_authentication_accepts_only_the_persons_own_passkeys(registered, insured_user, rp, authenticator):
    options, challenge = services.authentication_options(rp=rp, user=insured_user)
    assert [c["id"] for c in json.loads(options)["allowCredentials"]] == [registered.credential_id]
    assert (
        services.authenticate(rp=rp, credential=authenticator.get(options), challenge=challenge, user=insured_user)
        == insured_user
    )
    options, challenge = services.authentication_options(rp=rp, user=insured_user)
    with pytest.raises(services.PasskeyRejected):
        services.authenticate(rp=rp, credential=authenticator.get(options), challenge=challenge, user=UserFactory())


def test_revoking_deletes_the_passkey_ends_the_other_sessions_and_tells_the_phone(registered, insured_user):
    phone, laptop = Client(), Client()
    for client in (phone, laptop):
        client.post(reverse("accounts:login"), {"username": insured_user.username, "password": PASSWORD})
    OutboundSms.objects.all().delete()
    services.revoke_passkey(passkey=registered, keep_session_key=laptop.session.session_key)
    assert not Passkey.objects.exists()
    assert phone.get(reverse("accounts:dashboard")).status_code == 302
    assert laptop.get(reverse("accounts:dashboard")).status_code == 200
    sms = OutboundSms.objects.get(purpose="passkey_change")
    assert sms.to == insured_user.insured.phone and "supprimée" in sms.body


def test_a_credential_id_already_registered_is_refused(registered, rp, authenticator):
    other = UserFactory()
    options, challenge = services.registration_options(user=other, rp=rp)
    same_id = authenticator.credentials[0].credential_id
    credential = SoftwareAuthenticator().create(options, credential_id=same_id)
    with pytest.raises(services.PasskeyRejected, match="déjà enregistrée"):
        services.register_passkey(user=other, rp=rp, credential=credential, challenge=challenge)
    assert list(Passkey.objects.values_list("user", flat=True)) == [registered.user_id]
