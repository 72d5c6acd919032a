"""The CSRF field of the Jinja2 pages: Django's own token (get_token), masked once per page, accepted by
CsrfViewMiddleware."""

import re

import pytest
from django.middleware import csrf
from django.test import Client, RequestFactory

from macnss.core import context_processors

pytestmark = pytest.mark.django_db


def test_the_field_asks_django_for_one_token_per_page_and_only_when_a_form_shows_it(monkeypatch):
    calls = []
    monkeypatch.setattr(
        context_processors, "get_token", lambda request: calls.append(request) or csrf.get_token(request)
    )
    request = RequestFactory().get("/")
    field = context_processors.csrf_once(request)["csrf_input"]
    assert calls == []  # a page without a form draws nothing
    first, second = str(field), field.__html__()
    assert first == second and len(calls) == 1
    token = re.search(r'value="([^"]+)"', first).group(1)
    assert len(token) == 64 and request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    other = context_processors.csrf_once(request)["csrf_input"]  # the next page masks again
    assert re.search(r'value="([^"]+)"', str(other)).group(1) != token


def test_a_form_posted_with_the_pages_token_passes_the_csrf_check(insured):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/compte/connexion/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    answer = client.post(
        "/compte/connexion/",
        {"csrfmiddlewaretoken": token, "username": insured.immatriculation_number, "password": "x"},
    )
    assert answer.status_code == 200  # the form answered (wrong password), not a 403
    forged = Client(enforce_csrf_checks=True)
    forged.get("/compte/connexion/")
    assert forged.post("/compte/connexion/", {"csrfmiddlewaretoken": "a" * 64, "username": "1"}).status_code == 403
