"""Two tabs confirming their codes at the same moment: one account, one SMS; two agents importing the same
liaison file at the same moment: one import (PostgreSQL row locks)."""

import threading
from pathlib import Path

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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_the_same_liaison_file_imported_twice_at_the_same_moment_is_imported_once(reference_data, monkeypatch):
    from tns_enrollment import imports
    from tns_enrollment.models import LiaisonImport, LiaisonListEntry

    raw = (Path(imports.__file__).resolve().parent / "fixtures" / "liste-liaison-exemple.csv").read_bytes()
    both_checked = threading.Barrier(2, timeout=10)
    parse = imports.parse_liaison_csv

    def parse_once_both_found_no_previous_import(**kwargs):
        both_checked.wait()  # each agent's import has looked for the file and not found it
        return parse(**kwargs)

    monkeypatch.setattr(imports, "parse_liaison_csv", parse_once_both_found_no_previous_import)
    outcomes, errors = [], []

    def confirm_import():
        try:
            outcomes.append(imports.apply_liaison_import(raw=raw, text=raw.decode(), file_name="liste.csv")[1])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm_import) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(outcomes) == [False, True]  # one import made, the other told it is the same file
    assert LiaisonImport.objects.count() == 1
    assert LiaisonListEntry.objects.count() == 4
