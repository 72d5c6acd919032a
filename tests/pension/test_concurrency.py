"""Two submissions at the same time (two tabs, a double click) give exactly one request (PostgreSQL)."""

import pytest
from django.db import connection

from pension import services
from pension.models import PensionRequest
from tests.concurrency import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks); run with DATABASE_URL=postgres://…")


def test_parallel_submissions_give_one_request(make_tns, submit_kwargs):
    person = make_tns()
    results = run_at_once(*[lambda: services.submit_pension_request(**submit_kwargs(person))] * 6)

    def outcome(result) -> str:
        if isinstance(result, services.AlreadyRequested):
            return "already"
        return repr(result) if isinstance(result, Exception) else "created"

    outcomes = [outcome(result) for result in results]
    assert sorted(outcomes) == ["already"] * 5 + ["created"]
    assert PensionRequest.objects.filter(insured=person).count() == 1


def test_parallel_submissions_with_a_new_rib_record_one_mandate(make_tns, submit_kwargs):
    from accounts.models import DirectDebitMandate

    from .conftest import make_rib

    person = make_tns(with_rib=False)
    run_at_once(*[lambda: services.submit_pension_request(**submit_kwargs(person, rib=make_rib(31337)))] * 4)
    assert PensionRequest.objects.filter(insured=person).count() == 1
    assert DirectDebitMandate.objects.filter(insured=person).count() == 1
