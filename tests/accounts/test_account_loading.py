"""The account behind every private page is Django's, read from the database on each request; the person,
with his RIB and category, is cached per person without his secrets and dropped on every change
(accounts.backends, accounts.selectors.insured_for_user)."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.urls import reverse

from accounts import selectors
from accounts.backends import PortalAccountBackend
from accounts.models import BankDetails, ProfessionalCategory, ProfessionalSubCategory

pytestmark = pytest.mark.django_db
RIB = "011519000001205000534921"


def test_the_person_rib_and_category_cost_one_query_then_none_until_they_change(
    insured_user, django_assert_num_queries
):
    category = ProfessionalCategory.objects.create(code="test", name="Catégorie test")
    person = insured_user.insured
    person.tns_subcategory = ProfessionalSubCategory.objects.create(
        category=category, code="test-1", name="Sous-catégorie", base_smig_multiple=2
    )
    person.save()
    BankDetails.objects.create(insured=person, rib=RIB)
    user = PortalAccountBackend().get_user(insured_user.pk)
    with django_assert_num_queries(1):
        person = selectors.insured_for_user(user)
        assert person.last_name == insured_user.insured.last_name
        assert person.bank_details.is_pending_verification in (True, False)
        assert person.tns_subcategory.category.name == "Catégorie test"
    next_request_user = PortalAccountBackend().get_user(insured_user.pk)
    with django_assert_num_queries(0):  # the next request: from the cache
        again = selectors.insured_for_user(next_request_user)
    with django_assert_num_queries(1):  # a secret is never cached: read when a page shows it
        assert again.bank_details.rib == RIB


def test_each_lookup_reads_the_database(insured_user, django_assert_num_queries):
    backend = PortalAccountBackend()
    for _ in range(2):
        with django_assert_num_queries(1):
            backend.get_user(insured_user.pk)


def test_changed_person_and_rib_show_on_the_next_page(logged_in_client, insured_user):
    person = insured_user.insured
    logged_in_client.get(reverse("accounts:dashboard"))
    person.last_name = "NOUVEAUNOM"
    person.save()
    BankDetails.objects.create(insured=person, rib=RIB)
    user = PortalAccountBackend().get_user(insured_user.pk)
    assert user.insured.last_name == "NOUVEAUNOM"
    assert user.insured.bank_details.rib == RIB
    assert "NOUVEAUNOM" in logged_in_client.get(reverse("accounts:dashboard")).content.decode()


def test_a_change_made_behind_the_orm_shows_once_its_caller_forgets_the_person(logged_in_client, insured_user):
    logged_in_client.get(reverse("accounts:dashboard"))
    type(insured_user.insured).objects.filter(pk=insured_user.insured_id).update(last_name="SANSSIGNAL")
    selectors.forget_person_pages(insured_user.insured_id)  # what every caller of update() does
    assert "SANSSIGNAL" in logged_in_client.get(reverse("accounts:dashboard")).content.decode()


def test_a_password_change_elsewhere_ends_the_old_sessions(logged_in_client, insured_user):
    assert logged_in_client.get(reverse("accounts:dashboard")).status_code == 200
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


def test_a_deleted_account_is_not_served(logged_in_client, insured_user):
    session = logged_in_client.session
    assert {SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY} <= set(session.keys())
    logged_in_client.get(reverse("accounts:dashboard"))
    insured_user.delete()
    assert PortalAccountBackend().get_user(session[SESSION_KEY]) is None
