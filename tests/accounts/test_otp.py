from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import otp
from accounts.models import OneTimeCode
from macnss.core.models import OutboundSms
from tests.conftest import otp_from_sms, sms_text

PHONE = "+212612345678"
pytestmark = pytest.mark.django_db


def _issue(purpose="test"):
    row = otp.issue_code(purpose=purpose, phone=PHONE)
    return row, otp_from_sms(OutboundSms.objects.filter(to=PHONE).latest("pk").body)


def test_code_is_six_digits_stored_hashed_and_sent_as_sensitive_sms():
    row, code = _issue()
    assert len(code) == 6
    assert code not in row.code_hash and code not in row.salt
    sms = OutboundSms.objects.get(to=PHONE)
    assert sms.sensitive
    assert sms.purpose == "otp:test"


def test_right_code_verifies_once():
    row, code = _issue()
    assert otp.verify_code(code_id=row.pk, purpose="test", submitted=code).ok
    second = otp.verify_code(code_id=row.pk, purpose="test", submitted=code)
    assert not second.ok and second.reason == "used"


def test_code_is_bound_to_its_purpose():
    row, code = _issue("recover_number")
    assert not otp.verify_code(code_id=row.pk, purpose="password_recovery", submitted=code).ok


def test_code_expires_after_ten_minutes():
    row, code = _issue()
    OneTimeCode.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    result = otp.verify_code(code_id=row.pk, purpose="test", submitted=code)
    assert not result.ok and result.reason == "expired"
    assert "expiré" in result.message


def test_sixth_try_fails_even_with_the_right_code():
    row, code = _issue()
    wrong = "000000" if code != "000000" else "111111"
    reasons = [otp.verify_code(code_id=row.pk, purpose="test", submitted=wrong).reason for _ in range(5)]
    assert reasons == ["wrong"] * 4 + ["locked"]
    result = otp.verify_code(code_id=row.pk, purpose="test", submitted=code)
    assert not result.ok and result.reason == "locked"


def test_fourth_send_to_a_phone_within_an_hour_is_refused(settings):
    for _ in range(settings.OTP_MAX_SENDS_PER_HOUR):
        otp.issue_code(purpose="test", phone=PHONE)
    with pytest.raises(otp.SendLimitReached):
        otp.issue_code(purpose="test", phone=PHONE)
    assert OutboundSms.objects.filter(to=PHONE).count() == settings.OTP_MAX_SENDS_PER_HOUR


def test_resend_replaces_the_old_code():
    row, old_code = _issue()
    new = otp.resend_code(code_id=row.pk, purpose="test")
    new_code = otp_from_sms(OutboundSms.objects.filter(to=PHONE).latest("pk").body)
    assert not otp.verify_code(code_id=row.pk, purpose="test", submitted=old_code).ok
    assert otp.verify_code(code_id=new.pk, purpose="test", submitted=new_code).ok


def test_decoy_never_verifies_sends_nothing_and_hits_the_same_limit(settings):
    decoy = otp.issue_decoy(purpose="test")
    assert not OutboundSms.objects.exists()
    for guess in ("000000", "123456", "999999"):
        assert not otp.verify_code(code_id=decoy.pk, purpose="test", submitted=guess).ok
    current = decoy
    for _ in range(settings.OTP_MAX_SENDS_PER_HOUR - 1):
        current = otp.resend_code(code_id=current.pk, purpose="test")
    with pytest.raises(otp.SendLimitReached):
        otp.resend_code(code_id=current.pk, purpose="test")


def test_message_is_in_the_persons_language():
    otp.issue_code(purpose="test", phone=PHONE, language="ar")
    body = sms_text(OutboundSms.objects.get(to=PHONE).body)
    assert "Ma CNSS" in body
    assert "est votre code" not in body  # the Arabic catalogue was used
