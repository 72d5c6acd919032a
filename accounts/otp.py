"""One OTP service for every journey (ASVS 2.7): hashed, 10 minutes, single use, purpose-bound,
5 wrong tries per code, 3 sends per phone (or decoy chain) per hour counted under a lock, and
OTP_MAX_FAILURES_PER_DAY wrong codes per person (or decoy chain) over 24 hours (audit L2).

A journey keeps only the code's id in its session namespace and calls `verify_code` with it.
Where no record matches the person's answers, it issues a *decoy* (no SMS, never verifiable),
so that the next page looks the same whether or not a record exists.

Public journeys (nobody logged in) go through `send_code_to_phone_on_file` / `send_notice_to_phone_on_file`:
sends are counted per *identity typed* (`identity_key`), for real people and decoys alike, and the
per-phone cap drops the SMS silently instead of answering differently (audit L1).
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
from macnss.core.validators import normalize_identity_number

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


def identity_key(identifier: str) -> str:
    """A keyed hash of what the person typed (CNSS number, document number), never stored in clear."""
    normalized = normalize_identity_number(identifier)
    key = f"otp-identity:{settings.SECRET_KEY}".encode()
    return hmac.new(key, normalized.encode(), hashlib.sha256).hexdigest()


def identity_sends_in_last_hour(key: str) -> int:
    return OneTimeCode.objects.filter(identity_key=key, created_at__gte=timezone.now() - timedelta(hours=1)).count()


def identity_limit_reached(key: str) -> bool:
    """The same answer for everyone who types this identity, whether or not a record exists."""
    return identity_sends_in_last_hour(key) >= settings.OTP_MAX_SENDS_PER_HOUR


def _phone_can_receive(phone: str) -> bool:
    return bool(phone) and sends_in_last_hour(phone) < settings.OTP_MAX_SENDS_PER_HOUR


@transaction.atomic
def send_code_to_phone_on_file(
    *, purpose: str, identity: str, phone: str, language: str = "fr", subject: str = "", message=default_message
) -> OneTimeCode:
    """A code to `phone` (the phone the CNSS holds), or a decoy when there is none or it has had its
    codes for the hour: the caller's next page is the same either way. Never raises SendLimitReached;
    the caller checks `identity_limit_reached(identity)` first."""
    _hold_send_gate(f"identity:{identity}")
    if not _phone_can_receive(phone):
        return issue_decoy(purpose=purpose, identity=identity)
    try:
        return issue_code(
            purpose=purpose, phone=phone, language=language, subject=subject, message=message, identity=identity
        )
    except SendLimitReached:  # a parallel start took the phone's last code of the hour
        return issue_decoy(purpose=purpose, identity=identity)


@transaction.atomic
def send_notice_to_phone_on_file(*, purpose: str, identity: str, phone: str, body: str, language: str = "fr"):
    """An SMS with no code («vous avez déjà un compte…») where another person would get a code. It counts
    like a code (per phone and per identity) and returns a row that can never be verified."""
    _hold_send_gate(f"identity:{identity}")
    _hold_send_gate(f"phone:{phone}")
    if not _phone_can_receive(phone):
        return issue_decoy(purpose=purpose, identity=identity)
    salt = secrets.token_hex(16)
    row = OneTimeCode.objects.create(
        purpose=purpose,
        phone=phone,
        subject=f"notice:{secrets.token_hex(8)}",
        salt=salt,
        code_hash=_hash(secrets.token_hex(32), salt),
        expires_at=timezone.now() + settings.OTP_VALIDITY,
        identity_key=identity,
        notice=body,
    )
    queue_sms(to=phone, body=body, purpose=f"notice:{purpose}", language=language)
    return row


@transaction.atomic
def issue_code(
    *, purpose: str, phone: str, language: str = "fr", subject: str = "", message=default_message, identity: str = ""
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
        identity_key=identity,
    )
    with translation.override(language):
        body = message(code)
    queue_sms(to=phone, body=body, purpose=f"otp:{purpose}", language=language, sensitive=True)
    return row


@transaction.atomic
def issue_decoy(*, purpose: str, chain: str = "", identity: str = "") -> OneTimeCode:
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
        # A decoy for a typed identity shares its subject with that identity's other decoys, so that the
        # daily failure cap (failures_today) answers as it would for a real person.
        subject=chain or (f"decoy:{identity[:40]}" if identity else f"decoy:{secrets.token_hex(8)}"),
        salt=salt,
        code_hash=_hash(secrets.token_hex(32), salt),
        expires_at=timezone.now() + settings.OTP_VALIDITY,
        identity_key=identity,
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
    """Replace a code by a new one to the same phone (the old one stops working). Raises SendLimitReached.

    A code sent for a typed identity (`identity_key`) is limited per identity only, the same for a real
    person and a decoy; a phone over its cap then silently gets nothing."""
    old = OneTimeCode.objects.select_for_update().filter(pk=code_id, purpose=purpose).first() if code_id else None
    if old is None:
        return issue_decoy(purpose=purpose)
    if old.identity_key:
        if identity_limit_reached(old.identity_key):
            raise SendLimitReached
        if old.notice:
            new = send_notice_to_phone_on_file(
                purpose=purpose, identity=old.identity_key, phone=old.phone, body=old.notice, language=language
            )
        else:
            new = send_code_to_phone_on_file(
                purpose=purpose,
                identity=old.identity_key,
                phone=old.phone,
                language=language,
                subject=old.subject,
                message=message,
            )
        old.superseded_at = timezone.now()
        old.save(update_fields=["superseded_at"])
        return new
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
