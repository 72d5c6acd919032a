"""The login lockout holds against forged forwarded addresses (audit H2, M2) and counts per person.

Probes over HTTP: every throttled form keeps one failure bucket per real client whatever X-Forwarded-For
says; the right password is refused once the person's limit is reached, from any address; spraying many
persons from one address meets the captcha, then a refusal; the allow-list; the lock SMS; the way out by
password recovery; the agents' login; the current password on the password-change page (L8).
"""

import itertools
from html import unescape
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from accounts import login_guard
from accounts.models import LoginFailure
from macnss.core.models import OutboundSms
from tests.conftest import otp_from_sms
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")
CAPTCHA = {"captcha_0": "x", "captcha_1": "PASSED"}
_forged = (f"198.18.{n // 250}.{n % 250 + 1}" for n in itertools.count())


def forged_headers(real_peer="203.0.113.66"):
    """A request from `real_peer` claiming a new address each time, as an attacker would send it."""
    return {"REMOTE_ADDR": real_peer, "HTTP_X_FORWARDED_FOR": next(_forged)}


def behind_proxy_headers(real_client="203.0.113.66"):
    """Behind one trusted proxy: the client forges the left part, the proxy appends the real address."""
    return {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": f"{next(_forged)}, {real_client}"}


def login(client, username, password, *, headers, captcha=True):
    data = {"username": username, "password": password} | (CAPTCHA if captcha else {})
    return client.post(LOGIN, data, **headers())


@pytest.mark.parametrize(("proxies", "headers"), [(0, forged_headers), (1, behind_proxy_headers)])
def test_right_password_refused_after_the_person_limit_whatever_the_forwarded_address(
    client, settings, proxies, headers
):
    settings.TRUSTED_PROXY_COUNT = proxies
    user = UserFactory()
    for _ in range(settings.LOGIN_LOCK_AFTER_FAILURES):
        login(client, user.username, "faux", headers=headers)
    response = login(client, user.username, PASSWORD, headers=headers)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Without the captcha too: the lock is said first.
    assert login(client, user.username, PASSWORD, headers=headers, captcha=False).status_code == 429
    # Another real address fares no better: the count is the person's.
    other = Client().post(LOGIN, {"username": user.username, "password": PASSWORD} | CAPTCHA, REMOTE_ADDR="192.0.2.9")
    assert other.status_code == 429


def test_failures_count_for_the_person_whichever_identifier_is_typed(client):
    user = UserFactory()
    cin = user.insured.id_document_number
    for n in range(20):
        response = login(client, user.username if n % 2 else cin.lower(), "faux", headers=forged_headers)
    assert response.status_code == 429
    assert LoginFailure.objects.filter(subject=f"user:{user.pk}").count() == 20


def test_unknown_identifier_behaves_like_a_person(client):
    responses = [login(client, "AB999999", "faux", headers=forged_headers, captcha=False) for _ in range(6)]
    assert [r.status_code for r in responses[:5]] == [200] * 5
    assert "captcha" not in responses[4].context_data["form"].errors
    assert "captcha" in responses[5].context_data["form"].errors  # the 6th try needs it, as for a real person
    for _ in range(15):  # the 6th try above was refused for its missing captcha, not counted
        last = login(client, "AB999999", "faux", headers=forged_headers)
    assert last.status_code == 429
    assert not OutboundSms.objects.exists()


def test_the_lock_sends_one_sms_a_day_with_the_way_out(client, settings):
    user = UserFactory()
    for _ in range(settings.LOGIN_LOCK_AFTER_FAILURES + 3):
        login(client, user.username, "faux", headers=forged_headers)
    # The lock ends; one more failure locks again, and no second SMS is sent the same day.
    login_guard.LoginThrottle.objects.filter(key=f"user:{user.pk}").update(locked_until=None)
    login(client, user.username, "faux", headers=forged_headers)
    (sms,) = OutboundSms.objects.filter(to=user.insured.phone, purpose="login_locked")
    assert "Mot de passe oublié" in sms.body and "30 minutes" in sms.body


def test_password_recovery_by_sms_code_clears_the_lock(client, settings):
    user = UserFactory()
    for _ in range(settings.LOGIN_LOCK_AFTER_FAILURES):
        login(client, user.username, "faux", headers=forged_headers)
    client.post(reverse("accounts:password_recovery"), {"number": user.username} | CAPTCHA)
    code = otp_from_sms(OutboundSms.objects.filter(purpose="otp:password_recovery").get().body)
    new_password = "Une-phrase-de-passe-neuve-2026"
    client.post(
        reverse("accounts:password_recovery_code"),
        {"code": code, "new_password1": new_password, "new_password2": new_password},
    )
    response = client.post(LOGIN, {"username": user.username, "password": new_password})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)


def test_a_document_number_on_two_records_signs_nobody_in_and_counts(client):
    user = UserFactory()
    cin = user.insured.id_document_number
    ambiguous = login_guard.Target(subject="id:ambiguous", ambiguous=True)
    with mock.patch.object(login_guard, "resolve", return_value=ambiguous):
        response = login(client, cin, PASSWORD, headers=forged_headers)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(subject="id:ambiguous").count() == 1


def test_one_address_spraying_many_persons_meets_the_captcha_then_a_refusal(client, settings):
    settings.LOGIN_IP_CAPTCHA_AFTER_FAILURES, settings.LOGIN_IP_BLOCK_AFTER_FAILURES = 6, 12
    for n in range(6):
        login(client, f"AB{700000 + n}", "faux", headers=forged_headers)
    fresh = UserFactory()
    response = login(client, fresh.username, PASSWORD, headers=forged_headers, captcha=False)
    assert "captcha" in response.context_data["form"].errors  # even a first try for this person
    for n in range(6):
        login(client, f"AB{800000 + n}", "faux", headers=forged_headers)
    response = login(client, fresh.username, PASSWORD, headers=forged_headers)
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    # Another client is not affected.
    assert Client().post(LOGIN, {"username": fresh.username, "password": PASSWORD}).status_code == 302


def test_allow_listed_addresses_skip_the_address_rules_but_not_the_person_ones(client, settings):
    settings.LOGIN_IP_CAPTCHA_AFTER_FAILURES, settings.LOGIN_IP_BLOCK_AFTER_FAILURES = 3, 6
    settings.LOGIN_IP_ALLOWLIST = ["203.0.113.0/24"]
    for n in range(8):
        login(client, f"AB{710000 + n}", "faux", headers=forged_headers, captcha=False)
    fresh = UserFactory()
    assert login(client, fresh.username, PASSWORD, headers=forged_headers, captcha=False).status_code == 302


@pytest.mark.parametrize(
    ("url_name", "data", "limit", "message"),
    [
        ("accounts:password_recovery", {"number": "999999999"}, 10, "Trop de demandes depuis votre connexion"),
        (
            "accounts:recover_number",
            {"id_document_type": "cnie", "id_document_number": "ZZ123456", "birth_date": "01/01/1980"},
            10,
            "Trop de demandes depuis votre connexion",
        ),
        ("asvi_payment:lookup", {"number": "999999999"}, 20, "Trop de recherches depuis votre connexion"),
    ],
)
@pytest.mark.parametrize(("proxies", "headers"), [(0, forged_headers), (1, behind_proxy_headers)])
def test_forged_forwarded_addresses_share_the_real_clients_bucket(
    client, settings, url_name, data, limit, message, proxies, headers
):
    settings.TRUSTED_PROXY_COUNT = proxies
    for _ in range(limit):
        client.post(reverse(url_name), data | CAPTCHA, **headers())
    response = client.post(reverse(url_name), data | CAPTCHA, **headers())
    assert message in unescape(response.content.decode())
    # A different real client still has its own bucket.
    fresh = Client().post(reverse(url_name), data | CAPTCHA, REMOTE_ADDR="192.0.2.200")
    assert message not in unescape(fresh.content.decode())


def test_login_failures_from_forged_addresses_land_in_one_address_bucket(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(3):
        login(client, f"AB{720000 + n}", "faux", headers=behind_proxy_headers)
    assert set(LoginFailure.objects.values_list("ip_bucket", flat=True)) == {"203.0.113.66"}


def test_ipv6_clients_are_counted_per_64_network():
    assert login_guard.address_bucket("2001:db8:1:2:aaaa::1") == login_guard.address_bucket("2001:db8:1:2:bbbb::9")
    assert login_guard.address_bucket("2001:db8:1:3::1") != login_guard.address_bucket("2001:db8:1:2::1")


def test_agents_login_is_guarded_too(client, settings):
    agent = UserFactory(insured=None, is_staff=True, username="agent.rabat")
    for _ in range(settings.LOGIN_LOCK_AFTER_FAILURES):
        client.post("/admin/login/", {"username": agent.username, "password": "faux"}, **forged_headers())
    response = client.post("/admin/login/", {"username": agent.username, "password": PASSWORD}, **forged_headers())
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "Trop d'essais erronés" in unescape(response.content.decode())


def test_guesses_of_the_current_password_are_throttled_on_the_password_change_page(logged_in_client, insured_user):
    url = reverse("accounts:password_change")
    new = "Une-phrase-de-passe-neuve-2026"
    for _ in range(5):
        logged_in_client.post(url, {"old_password": "faux", "new_password1": new, "new_password2": new})
    page = logged_in_client.get(url)
    assert "captcha" in page.context_data["form"].fields  # after 5 wrong guesses the captcha is asked
    for _ in range(15):
        logged_in_client.post(url, {"old_password": "faux", "new_password1": new, "new_password2": new} | CAPTCHA)
    response = logged_in_client.post(
        url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new} | CAPTCHA
    )
    assert "Trop d'essais erronés" in unescape(response.content.decode())
    insured_user.refresh_from_db()
    assert insured_user.check_password(PASSWORD)  # unchanged
    # The same count guards the login.
    assert Client().post(LOGIN, {"username": insured_user.username, "password": PASSWORD} | CAPTCHA).status_code == 429


def test_behind_the_captcha_no_guess_of_the_current_password_is_checked_until_it_passes(
    logged_in_client, insured_user, monkeypatch
):
    from captcha.conf import settings as captcha_settings
    from captcha.models import CaptchaStore

    url = reverse("accounts:password_change")
    new = "Une-phrase-de-passe-neuve-2026"
    for _ in range(5):
        logged_in_client.post(url, {"old_password": "faux", "new_password1": new, "new_password2": new})
    counted = LoginFailure.objects.count()
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", False)
    captcha = {"captcha_0": CaptchaStore.generate_key(), "captcha_1": "zzzzz"}
    # Another answer missing leaves the captcha unchecked, and the guess with it; a wrong captcha too.
    page = logged_in_client.post(url, {"old_password": "faux", "new_password1": new, "new_password2": ""} | captcha)
    assert list(page.context_data["form"].errors) == ["new_password2"]
    page = logged_in_client.post(url, {"old_password": "faux", "new_password1": new, "new_password2": new} | captcha)
    assert "captcha" in page.context_data["form"].errors and "old_password" not in page.context_data["form"].errors
    assert LoginFailure.objects.count() == counted


def test_new_password_is_not_compared_with_the_current_one_before_it_is_proved(logged_in_client):
    url = reverse("accounts:password_change")
    response = logged_in_client.post(url, {"old_password": "", "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert "différent du mot de passe actuel" not in unescape(response.content.decode())
