"""Two tabs confirming their codes at the same moment: one account, one SMS (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection, connections

from accounts.models import Regime, User
from macnss.core.models import OutboundSms
from tests.factories import InsuredPersonFactory
from tns_enrollment import services

from .conftest import BIRTH, EXPIRY, typed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_two_simultaneous_confirmations_create_one_account(make_entry):
    entry = make_entry(id_document_number="LL000001", id_document_expiry=EXPIRY, birth_date=BIRTH)
    attempts = [services.start_onboarding(**typed()).attempt.pk for _ in range(2)]
    barrier = threading.Barrier(2)
    errors = []

    def confirm(attempt_id):
        try:
            barrier.wait()
            services.complete_onboarding(attempt_id=attempt_id)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(pk,)) for pk in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    entry.refresh_from_db()
    assert User.objects.filter(insured=entry.insured).count() == 1
    assert OutboundSms.objects.filter(purpose="temporary_password").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_two_simultaneous_confirmations_for_a_registered_person(db):
    InsuredPersonFactory(id_document_number="LL000001", id_document_expiry=EXPIRY, birth_date=BIRTH, regime=Regime.TNS)
    attempts = [services.start_onboarding(**typed()).attempt.pk for _ in range(2)]
    barrier = threading.Barrier(2)

    def confirm(attempt_id):
        barrier.wait()
        try:
            services.complete_onboarding(attempt_id=attempt_id)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(pk,)) for pk in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert User.objects.count() == 1
    assert OutboundSms.objects.filter(purpose="temporary_password").count() == 1
