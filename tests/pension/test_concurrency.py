"""Two submissions at the same time (two tabs, a double click) give exactly one request (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from pension import services
from pension.models import PensionRequest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks); run with DATABASE_URL=postgres://…")


def test_parallel_submissions_give_one_request(make_tns, submit_kwargs):
    person = make_tns()
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def submit():
        try:
            barrier.wait()
            services.submit_pension_request(**submit_kwargs(person))
            outcomes.append("created")
        except services.AlreadyRequested:
            outcomes.append("already")
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already"] * 5 + ["created"]
    assert PensionRequest.objects.filter(insured=person).count() == 1


def test_parallel_submissions_with_a_new_rib_record_one_mandate(make_tns, submit_kwargs):
    from accounts.models import DirectDebitMandate

    from .conftest import make_rib

    person = make_tns(with_rib=False)
    barrier = threading.Barrier(4)

    def submit():
        try:
            barrier.wait()
            services.submit_pension_request(**submit_kwargs(person, rib=make_rib(31337)))
        except services.AlreadyRequested:
            pass
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert PensionRequest.objects.filter(insured=person).count() == 1
    assert DirectDebitMandate.objects.filter(insured=person).count() == 1
