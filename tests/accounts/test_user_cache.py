"""The account and person behind every private page come from the cache, and never stay stale
after a change made through the ORM (accounts.backends, accounts.signals)."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.urls import reverse

from accounts.backends import PortalAccountBackend
from accounts.models import BankDetails

pytestmark = pytest.mark.django_db
RIB = "011519000001205000534921"


def test_second_lookup_runs_no_query(insured_user, django_assert_num_queries):
    backend = PortalAccountBackend()
    with django_assert_num_queries(1):
        first = backend.get_user(insured_user.pk)
    with django_assert_num_queries(0):
        second = backend.get_user(insured_user.pk)
        assert second.insured.last_name == insured_user.insured.last_name
    assert second.pk == first.pk == insured_user.pk


def test_changed_person_and_rib_show_on_the_next_page(logged_in_client, insured_user):
    person = insured_user.insured
    logged_in_client.get(reverse("accounts:dashboard"))  # fills the cache
    person.last_name = "NOUVEAUNOM"
    person.save()
    BankDetails.objects.create(insured=person, rib=RIB)
    user = PortalAccountBackend().get_user(insured_user.pk)
    assert user.insured.last_name == "NOUVEAUNOM"
    assert user.insured.bank_details.rib == RIB
    assert "NOUVEAUNOM" in logged_in_client.get(reverse("accounts:dashboard")).content.decode()


def test_a_password_change_elsewhere_ends_the_old_sessions(logged_in_client, insured_user):
    assert logged_in_client.get(reverse("accounts:dashboard")).status_code == 200  # cached now
    insured_user.set_password("Un-autre-mot-de-passe-2026")
    insured_user.save()
    response = logged_in_client.get(reverse("accounts:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_deactivated_account_is_logged_out_at_once(logged_in_client, insured_user):
    assert logged_in_client.get(reverse("accounts:dashboard")).status_code == 200
    insured_user.is_active = False
    insured_user.save(update_fields=["is_active"])
    response = logged_in_client.get(reverse("accounts:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_deleted_account_is_not_served_from_the_cache(logged_in_client, insured_user):
    session = logged_in_client.session
    assert {SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY} <= set(session.keys())
    logged_in_client.get(reverse("accounts:dashboard"))
    insured_user.delete()
    assert PortalAccountBackend().get_user(session[SESSION_KEY]) is None
