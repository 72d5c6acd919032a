"""macnss.core.context_processors.masked_csrf_token: the token Django's get_token would give, drawn with
one call to the system's random source, accepted by CsrfViewMiddleware."""

import re
from collections import Counter

import pytest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token
from django.test import Client, RequestFactory

from macnss.core.context_processors import _random_chars, masked_csrf_token

pytestmark = pytest.mark.django_db


def test_the_token_unmasks_to_the_cookies_secret():
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = "a" * 16 + "Z9" * 8
    first, second = masked_csrf_token(request), masked_csrf_token(request)
    assert first != second  # a new mask each time (BREACH)
    for token in (first, second):
        assert len(token) == 64 and set(token) <= set(CSRF_ALLOWED_CHARS)
        assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True  # the cookie's expiry is renewed


def test_a_first_visit_gets_a_new_secret_for_the_cookie():
    request = RequestFactory().get("/")
    token = masked_csrf_token(request)
    secret = request.META["CSRF_COOKIE"]
    assert len(secret) == 32 and set(secret) <= set(CSRF_ALLOWED_CHARS)
    assert _unmask_cipher_token(token) == secret and request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def test_the_characters_are_drawn_uniformly():
    counts = Counter(_random_chars(62 * 400))
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    # 400 expected each; a draw biased towards the first 8 characters (byte % 62 without rejection)
    # would give them about 516.
    assert max(counts.values()) < 500 and min(counts.values()) > 300  # 5 standard deviations


def test_a_form_posted_with_the_pages_token_passes_the_csrf_check(insured):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/compte/connexion/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    cookie = page.cookies["csrftoken"].value
    assert _unmask_cipher_token(token) == cookie
    answer = client.post(
        "/compte/connexion/",
        {"csrfmiddlewaretoken": token, "username": insured.immatriculation_number, "password": "x"},
    )
    assert answer.status_code == 200  # the form answered (wrong password), not a 403
    forged = Client(enforce_csrf_checks=True)
    forged.get("/compte/connexion/")
    assert forged.post("/compte/connexion/", {"csrfmiddlewaretoken": "a" * 64, "username": "1"}).status_code == 403
