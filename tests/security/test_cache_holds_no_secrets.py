"""Audit A4: the shared cache (Redis in production) never receives the password hash, the RIB, the phone or the ID
number of an insured person, whatever private page he opens.

Every value written to the cache is recorded as the bytes the cache stores (pickled, as locmem and
django-redis do), then searched for those secrets.
"""

import pickle

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

from accounts.models import BankDetails
from tests.factories import PASSWORD, UserFactory
from tests.security.test_private_urls import POST_ONLY, private_url_names

pytestmark = pytest.mark.django_db
RIB = "011519000001205000534921"
WRITTEN: list[bytes] = []


class RecordingCache(LocMemCache):
    """The locmem cache, keeping a copy of every value written through the public cache API."""

    def add(self, key, value, timeout=None, version=None):
        WRITTEN.append(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        return super().add(key, value, timeout, version)

    def set(self, key, value, timeout=None, version=None):
        WRITTEN.append(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        super().set(key, value, timeout, version)


RECORDING = {"BACKEND": f"{__name__}.RecordingCache", "LOCATION": "probe"}


@pytest.fixture
def recorded():
    WRITTEN.clear()
    with override_settings(CACHES={"default": RECORDING, "throttle": {**RECORDING, "LOCATION": "probe-throttle"}}):
        yield WRITTEN


def private_pages_without_arguments() -> list[str]:
    urls = []
    for name in private_url_names():
        if name in POST_ONLY:
            continue
        try:
            urls.append(reverse(name))
        except NoReverseMatch:
            continue  # an object URL: its owner's pages are reached from the ones listed here
    return urls


def test_no_password_hash_rib_or_id_number_reaches_the_cache(client, recorded):
    user = UserFactory()
    person = user.insured
    BankDetails.objects.create(insured=person, rib=RIB)
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:dashboard")
    pages = private_pages_without_arguments()
    assert reverse("accounts:dashboard") in pages and len(pages) > 5
    for url in pages:
        client.get(url)
    assert client.get(reverse("accounts:dashboard")).status_code == 200  # still logged in: the pages were seen
    assert recorded, "nothing was written to the cache: the probe recorded nothing"
    secrets = {
        "password hash": user.password,
        "RIB": RIB,
        "ID number": person.id_document_number,
        "phone on file": person.phone,
    }
    assert all(secrets.values())
    for what, secret in secrets.items():
        leaked = [value for value in recorded if secret.encode() in value]
        assert not leaked, f"the {what} was written to the cache"
