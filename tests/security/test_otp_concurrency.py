"""Parallel OTP starts for one phone stay within the send limit (audit L2; PostgreSQL row locks)."""

import pytest
from django.db import connection

from accounts import otp
from accounts.models import OneTimeCode
from macnss.core.models import OutboundSms
from tests.concurrency import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PHONE = "+212600000042"


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks); run with DATABASE_URL=postgres://…")


def test_parallel_starts_for_one_phone_send_at_most_the_limit(settings):
    results = run_at_once(*[lambda: otp.issue_code(purpose="test", phone=PHONE, subject="user:1")] * 8)
    sent = [r for r in results if isinstance(r, OneTimeCode)]
    refused = [r for r in results if isinstance(r, otp.SendLimitReached)]
    assert len(sent) == settings.OTP_MAX_SENDS_PER_HOUR and len(refused) == 8 - len(sent)
    assert OneTimeCode.objects.filter(phone=PHONE).count() == settings.OTP_MAX_SENDS_PER_HOUR
    assert OutboundSms.objects.filter(to=PHONE).count() == settings.OTP_MAX_SENDS_PER_HOUR


def test_parallel_decoy_starts_for_one_identity_stay_within_the_same_limit(settings):
    chain = otp.decoy_chain("test", "AB123456")
    results = run_at_once(*[lambda: otp.issue_decoy(purpose="test", chain=chain)] * 8)
    assert sum(isinstance(r, OneTimeCode) for r in results) == settings.OTP_MAX_SENDS_PER_HOUR
    assert sum(isinstance(r, otp.SendLimitReached) for r in results) == 8 - settings.OTP_MAX_SENDS_PER_HOUR


def test_parallel_wrong_logins_lock_the_person_at_the_limit(settings):
    """The login guard judges the tries of one person one after the other (row lock)."""
    from django.test import RequestFactory

    from accounts import login_guard
    from accounts.models import LoginFailure
    from tests.factories import PASSWORD, UserFactory

    settings.LOGIN_LOCK_AFTER_FAILURES = 4
    user = UserFactory()
    target = login_guard.Target(subject=f"user:{user.pk}", user=user)

    def wrong_then_right(password):
        request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.1")
        return login_guard.attempt(request, target, lambda: user if user.check_password(password) else None)

    results = run_at_once(*[lambda: wrong_then_right("faux")] * 10)
    assert not any(isinstance(r, Exception) for r in results), results
    assert LoginFailure.objects.filter(subject=target.subject).count() == 4
    assert wrong_then_right(PASSWORD).refusal == login_guard.LOCKED
