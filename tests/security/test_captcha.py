"""The captcha cannot be replayed or brute-forced: spent at its first check, right or wrong, even by two
submissions racing with the same key (django-simple-captcha's rows, through PortalCaptchaField)."""

import re
from html import unescape

import pytest
from captcha.conf import settings as captcha_settings
from captcha.models import CaptchaStore
from django.db import connection
from django.urls import reverse

from accounts.forms import NumberAndCaptchaForm
from tests.concurrency import run_at_once
from tests.factories import InsuredPersonFactory

WRONG = "Le code de vérification ne correspond pas à l'image."


@pytest.fixture(autouse=True)
def real_captcha_check(monkeypatch):
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", False)


def shown_captcha(client) -> CaptchaStore:
    html = client.get(reverse("accounts:password_recovery")).content.decode()
    return CaptchaStore.objects.get(hashkey=re.search(r'name="captcha_0" value="([0-9a-f]{40})"', html).group(1))


def answer(client, number, store, response):
    return client.post(
        reverse("accounts:password_recovery"), {"number": number, "captcha_0": store.hashkey, "captcha_1": response}
    )


@pytest.mark.django_db
def test_a_solved_captcha_cannot_be_replayed(client):
    number = InsuredPersonFactory().immatriculation_number
    store = shown_captcha(client)
    assert answer(client, number, store, store.challenge).status_code == 302
    replay = answer(client, number, store, store.challenge)
    assert replay.status_code == 200 and WRONG in unescape(replay.content.decode())


@pytest.mark.django_db
def test_a_wrong_guess_spends_the_captcha(client):
    number = InsuredPersonFactory().immatriculation_number
    store = shown_captcha(client)
    assert WRONG in unescape(answer(client, number, store, "zzzzz").content.decode())
    assert not CaptchaStore.objects.filter(pk=store.pk).exists()
    assert WRONG in unescape(answer(client, number, store, store.challenge).content.decode())  # no second guess


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_submissions_racing_with_one_captcha_pass_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (concurrent transactions); run with DATABASE_URL=postgres://…")
    number = InsuredPersonFactory().immatriculation_number
    store = CaptchaStore.objects.get(hashkey=CaptchaStore.generate_key())
    data = {"number": number, "captcha_0": store.hashkey, "captcha_1": store.challenge}
    results = run_at_once(*[lambda: NumberAndCaptchaForm(data).is_valid()] * 8)
    assert results.count(True) == 1 and results.count(False) == 7, results
