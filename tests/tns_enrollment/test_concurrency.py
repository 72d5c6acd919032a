"""Two tabs confirming their codes at the same moment: one account, one SMS; two agents importing the same
liaison file at the same moment: one import (PostgreSQL row locks)."""

import threading
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import InsuredPerson, OneTimeCode, Regime, User
from accounts.services import AccountAlreadyExists
from macnss.core.models import OutboundSms
from tests.concurrency import run_at_once
from tests.factories import InsuredPersonFactory
from tns_enrollment import services

from .conftest import BIRTH, EXPIRY, typed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _started_and_spent():
    started = services.start_onboarding(**typed())
    OneTimeCode.objects.filter(pk=started.otp_id).update(consumed_at=timezone.now())
    return started


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_two_simultaneous_confirmations_register_once(make_entry):
    entry = make_entry(id_document_number="LL000001", id_document_expiry=EXPIRY, birth_date=BIRTH)
    attempts = [_started_and_spent() for _ in range(2)]
    results = run_at_once(
        *[lambda s=s: services.confirm_code(attempt_id=s.attempt.pk, code_id=s.otp_id) for s in attempts]
    )
    errors = [result for result in results if isinstance(result, Exception)]
    assert not errors
    entry.refresh_from_db()
    assert InsuredPerson.objects.filter(liaison_entry=entry).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_two_simultaneous_passwords_for_a_registered_person_make_one_account(db):
    InsuredPersonFactory(id_document_number="LL000001", id_document_expiry=EXPIRY, birth_date=BIRTH, regime=Regime.TNS)
    attempts = [_started_and_spent() for _ in range(2)]
    for started in attempts:
        services.confirm_code(attempt_id=started.attempt.pk, code_id=started.otp_id)
    results = run_at_once(
        *[
            lambda s=s: services.complete_onboarding(
                attempt_id=s.attempt.pk, password="une phrase de passe bien longue"
            )
            for s in attempts
        ]
    )
    assert sum(isinstance(result, AccountAlreadyExists) for result in results) == 1
    assert User.objects.count() == 1
    assert OutboundSms.objects.filter(purpose="account_opened").count() == 1


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
    results = run_at_once(
        *[lambda: imports.apply_liaison_import(raw=raw, text=raw.decode(), file_name="liste.csv")] * 2
    )
    errors = [result for result in results if isinstance(result, Exception)]
    outcomes = [result[1] for result in results if not isinstance(result, Exception)]
    assert not errors
    assert sorted(outcomes) == [False, True]  # one import made, the other told it is the same file
    assert LiaisonImport.objects.count() == 1
    assert LiaisonListEntry.objects.count() == 4
