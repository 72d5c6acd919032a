"""«Mes demandes» is cached per person, and a change to any request shows at once."""

from datetime import date

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_status_change_shows_at_once_and_the_list_is_cached_meanwhile(client, count_queries):
    from taawidaty.models import RefundClaim

    user = UserFactory()
    client.force_login(user)
    claim = RefundClaim.objects.create(
        insured=user.insured, reference="RCS-2026-CACHE001", status="deposee", cessation_date=date(2024, 1, 1)
    )
    url = reverse("accounts:my_requests")
    assert "Déposée" in client.get(url).content.decode()
    first = count_queries(client, url)
    claim.status = "rejetee"
    claim.save()
    page = client.get(url).content.decode()
    assert "Rejetée" in page
    assert "Déposée" not in page
    assert count_queries(client, url) == first  # served from the cache again, no query per journey


def test_the_cache_is_per_language(client):
    from taawidaty.models import RefundClaim

    user = UserFactory()
    client.force_login(user)
    RefundClaim.objects.create(
        insured=user.insured, reference="RCS-2026-CACHE002", status="deposee", cessation_date=date(2024, 1, 1)
    )
    assert "Déposée" in client.get("/compte/demandes/").content.decode()
    assert "Déposée" not in client.get("/ar/compte/demandes/").content.decode()


def test_the_private_home_needs_few_queries_once_warm(client, count_queries):
    user = UserFactory()
    client.force_login(user)
    client.get(reverse("accounts:dashboard"))
    assert count_queries(client, reverse("accounts:dashboard")) <= 3  # session, user + person, idle refresh
