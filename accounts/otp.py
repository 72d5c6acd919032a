"""One OTP service for every journey (ASVS 2.7): hashed, 10 minutes, single use, purpose-bound,
5 wrong tries per code, 3 sends per phone (or decoy chain) per hour counted under a lock, and
OTP_MAX_FAILURES_PER_DAY wrong codes per person (or decoy chain) over 24 hours (audit L2).

A journey keeps only the code's id in its session namespace and calls `verify_code` with it.
Where no record matches the person's answers, it issues a *decoy* (no SMS, never verifiable),
so that the next page looks the same whether or not a record exists.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from macnss.core.services import queue_sms

from .models import OneTimeCode, OtpSendGate


class SendLimitReached(Exception):
    """Too many codes sent to this phone in the last hour."""


@dataclass(frozen=True)
class Verification:
    ok: bool
    reason: str  # "ok", "wrong", "expired", "locked", "used", "unknown", "daily_limit"

    @property
    def message(self) -> str:
        return {
            "ok": "",
            "wrong": _("Le code saisi est incorrect. Vérifiez le SMS reçu et réessayez."),
            "expired": _("Ce code a expiré. Demandez un nouveau code avec « Renvoyer le code »."),
            "locked": _("Trop d'essais erronés pour ce code. Demandez un nouveau code avec « Renvoyer le code »."),
            "used": _("Ce code a déjà été utilisé. Demandez un nouveau code avec « Renvoyer le code »."),
            "unknown": _("Ce code n'est plus valable. Demandez un nouveau code avec « Renvoyer le code »."),
            "daily_limit": _(
                "Trop de codes erronés aujourd'hui. Pour votre sécurité, réessayez demain ou adressez-vous à "
                "une agence de la CNSS."
            ),
        }[self.reason]


def _hash(code: str, salt: str) -> str:
    key = f"otp:{settings.SECRET_KEY}".encode()
    return hmac.new(key, f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()


def decoy_chain(*parts: str) -> str:
    """A stable decoy subject for the identity typed (keyed hash: nothing typed is stored), so that the
    send and failure limits of an unknown identity behave as a real person's."""
    key = f"otp-decoy:{settings.SECRET_KEY}".encode()
    return "decoy:" + hmac.new(key, "|".join(parts).encode(), hashlib.sha256).hexdigest()[:40]


def default_message(code: str) -> str:
    return _("%(code)s est votre code de vérification Ma CNSS. Valable 10 minutes. Ne le communiquez à personne.") % {
        "code": code
    }


def sends_in_last_hour(phone: str) -> int:
    return OneTimeCode.objects.filter(phone=phone, created_at__gte=timezone.now() - timedelta(hours=1)).count()


def _hold_send_gate(key: str) -> None:
    """Serialise the sends of one phone (or decoy chain) until the transaction ends: the UPDATE takes the
    row lock on PostgreSQL and the database write lock on SQLite, before anything is counted."""
    OtpSendGate.objects.get_or_create(key=key[:80])
    OtpSendGate.objects.filter(key=key[:80]).update(touched_at=timezone.now())


@transaction.atomic
def issue_code(
    *, purpose: str, phone: str, language: str = "fr", subject: str = "", message=default_message
) -> OneTimeCode:
    """Create a code and queue its SMS (sent after commit). Raises SendLimitReached."""
    _hold_send_gate(f"phone:{phone}")
    if sends_in_last_hour(phone) >= settings.OTP_MAX_SENDS_PER_HOUR:
        raise SendLimitReached
    code = "".join(secrets.choice("0123456789") for _ in range(settings.OTP_LENGTH))
    salt = secrets.token_hex(16)
    row = OneTimeCode.objects.create(
        purpose=purpose,
        phone=phone,
        subject=subject,
        salt=salt,
        code_hash=_hash(code, salt),
        expires_at=timezone.now() + settings.OTP_VALIDITY,
    )
    with translation.override(language):
        body = message(code)
    queue_sms(to=phone, body=body, purpose=f"otp:{purpose}", language=language, sensitive=True)
    return row


@transaction.atomic
def issue_decoy(*, purpose: str, chain: str = "") -> OneTimeCode:
    """A code that was never sent and can never match: same flow, nothing revealed. With a `chain` (the
    identity typed, e.g. "decoy:<hash>"), the decoys of that chain meet the same send limit as a real
    phone. Raises SendLimitReached."""
    if chain:
        _hold_send_gate(f"chain:{chain}")
        recent = OneTimeCode.objects.filter(subject=chain, created_at__gte=timezone.now() - timedelta(hours=1))
        if recent.count() >= settings.OTP_MAX_SENDS_PER_HOUR:
            raise SendLimitReached
    salt = secrets.token_hex(16)
    return OneTimeCode.objects.create(
        purpose=purpose,
        phone="",
        subject=chain or f"decoy:{secrets.token_hex(8)}",
        salt=salt,
        code_hash=_hash(secrets.token_hex(32), salt),
        expires_at=timezone.now() + settings.OTP_VALIDITY,
    )


def failures_today(subject: str) -> int:
    """Wrong codes typed for this person (or decoy chain) in the last 24 hours, over all his codes."""
    rows = OneTimeCode.objects.filter(subject=subject, created_at__gte=timezone.now() - timedelta(days=1))
    totals = rows.aggregate(attempts=Sum("attempts"), right=Count("pk", filter=Q(consumed_at__isnull=False)))
    return (totals["attempts"] or 0) - totals["right"]


@transaction.atomic
def verify_code(*, code_id: int | None, purpose: str, submitted: str) -> Verification:
    submitted = "".join(ch for ch in (submitted or "") if ch.isdigit())
    row = OneTimeCode.objects.select_for_update().filter(pk=code_id, purpose=purpose).first() if code_id else None
    if row is None or row.superseded_at:
        return Verification(False, "unknown")
    if row.consumed_at:
        return Verification(False, "used")
    if row.attempts >= settings.OTP_MAX_ATTEMPTS:
        return Verification(False, "locked")
    if row.expires_at < timezone.now():
        return Verification(False, "expired")
    if row.subject and failures_today(row.subject) >= settings.OTP_MAX_FAILURES_PER_DAY:
        return Verification(False, "daily_limit")
    row.attempts += 1
    if hmac.compare_digest(row.code_hash, _hash(submitted, row.salt)):
        row.consumed_at = timezone.now()
        row.save(update_fields=["attempts", "consumed_at"])
        return Verification(True, "ok")
    row.save(update_fields=["attempts"])
    return Verification(False, "locked" if row.attempts >= settings.OTP_MAX_ATTEMPTS else "wrong")


@transaction.atomic
def resend_code(*, code_id: int | None, purpose: str, language: str = "fr", message=default_message) -> OneTimeCode:
    """Replace a code by a new one to the same phone (the old one stops working). Raises SendLimitReached."""
    old = OneTimeCode.objects.select_for_update().filter(pk=code_id, purpose=purpose).first() if code_id else None
    if old is None:
        return issue_decoy(purpose=purpose)
    if not old.phone:
        # A decoy chain hits the same send limit as a real phone, so the limit reveals nothing either.
        new = issue_decoy(purpose=purpose, chain=old.subject)
        old.superseded_at = timezone.now()
        old.save(update_fields=["superseded_at"])
        return new
    new = issue_code(purpose=purpose, phone=old.phone, language=language, subject=old.subject, message=message)
    old.superseded_at = timezone.now()
    old.save(update_fields=["superseded_at"])
    return new
