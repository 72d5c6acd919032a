"""The login lockout (issue 16 §3, audit H2, M2, L8): failures counted per person, whichever identifier
was typed, across every address; and per address across persons, against password spraying.

Every password check of the portal goes through `attempt()`: the login form (number or CIN), the agents'
login, «Confirmez votre identité» and the password change. Passkeys and SMS codes do not: a passkey
sign-in is never locked, and password recovery by SMS code clears the count (`clear_person`), so that a
stranger cannot lock a person out for good. Why this replaces django-axes: docs/SECURITY.md.
"""

import hashlib
import hmac
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from macnss.core.client_ip import client_ip
from macnss.core.services import queue_sms
from macnss.core.validators import normalize_identity_number

from .models import IdentityDocumentType, InsuredPerson, LoginFailure, LoginThrottle, User

# A username no account can have (longer than the column): authenticating it still hashes the password,
# so an unknown or ambiguous identifier takes as long as a known one.
NO_SUCH_USERNAME = "!" * 151

LOCKED = "locked"  # the person (or identifier) is locked
ADDRESS_REFUSED = "address_refused"  # the client address is refused for a while


@dataclass(frozen=True)
class Target:
    """Whose failures a try counts: `subject` is "user:<id>" for an account, else a keyed hash of the
    normalised identifier (the same behaviour, and no identifier typed by a stranger is stored)."""

    subject: str
    user: User | None = None
    ambiguous: bool = False

    @property
    def username(self) -> str:
        return self.user.get_username() if self.user is not None else NO_SUCH_USERNAME


@dataclass(frozen=True)
class Outcome:
    user: User | None = None
    refusal: str = ""  # LOCKED or ADDRESS_REFUSED: the password was not checked (or this failure locked)


def normalize_login_identifier(value: str) -> str:
    """«123 456 789», «ab-123456» and «AB123456» are typed alike; digits and letters only, upper case."""
    return normalize_identity_number((value or "").replace(".", ""))


def _identifier_subject(identifier: str) -> str:
    key = f"login-guard:{settings.SECRET_KEY}".encode()
    return "id:" + hmac.new(key, identifier.encode(), hashlib.sha256).hexdigest()[:40]


def person_subject(user: User) -> str:
    return f"user:{user.pk}"


def resolve(identifier: str) -> Target:
    """The account a login identifier names: the 9-digit number, or the CIN/CNIE number (holders of a
    residence card or a passport use the number). A CNIE number on more than one record names nobody:
    the try fails and counts for that number."""
    identifier = normalize_login_identifier(identifier)
    user = None
    if identifier.isdigit():
        user = User.objects.filter(insured__immatriculation_number=identifier).first()
    else:
        people = list(
            InsuredPerson.objects.filter(
                id_document_type=IdentityDocumentType.CNIE, id_document_number=identifier
            ).values_list("pk", flat=True)[:2]
        )
        if len(people) > 1:
            return Target(subject=_identifier_subject(identifier), ambiguous=True)
        if people:
            user = User.objects.filter(insured_id=people[0]).first()
    if user is None:
        return Target(subject=_identifier_subject(identifier))
    return Target(subject=person_subject(user), user=user)


def resolve_username(username: str) -> Target:
    """The agents' login (Django admin): the username as typed."""
    user = User.objects.filter(username=username).first()
    if user is None:
        return Target(subject=_identifier_subject(f"username:{username}"))
    return Target(subject=person_subject(user), user=user)


# --- Addresses ------------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _allowlist(cidrs: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip())


def address_bucket(ip: str) -> str:
    """The client address, or its /64 network for IPv6 (one subscriber holds a whole /64)."""
    if not ip:
        return ""
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return ip


def _address_counted(ip: str) -> bool:
    if not ip:
        return False
    address = ipaddress.ip_address(ip)
    return not any(address in network for network in _allowlist(tuple(settings.LOGIN_IP_ALLOWLIST)))


def _since():
    return timezone.now() - settings.LOGIN_FAILURE_WINDOW


def address_failures(ip: str) -> int:
    return LoginFailure.objects.filter(ip_bucket=address_bucket(ip), created_at__gte=_since()).count()


def address_refused(request) -> bool:
    ip = client_ip(request)
    if not _address_counted(ip):
        return False
    return LoginThrottle.objects.filter(key=f"ip:{address_bucket(ip)}", locked_until__gt=timezone.now()).exists()


# --- Persons --------------------------------------------------------------------------------------------


def failures(subject: str) -> int:
    return LoginFailure.objects.filter(subject=subject, created_at__gte=_since()).count()


def captcha_required(request, target: Target | None) -> bool:
    """After a few failures for the person, or many from the address, every try needs the captcha."""
    if target is not None and failures(target.subject) >= settings.LOGIN_CAPTCHA_AFTER_FAILURES:
        return True
    ip = client_ip(request)
    return _address_counted(ip) and address_failures(ip) >= settings.LOGIN_IP_CAPTCHA_AFTER_FAILURES


def is_locked(subject: str) -> bool:
    return LoginThrottle.objects.filter(key=subject, locked_until__gt=timezone.now()).exists()


def _throttle_row(key: str) -> LoginThrottle:
    """The row of `key`, locked until the end of the transaction: parallel tries are judged in turn."""
    LoginThrottle.objects.get_or_create(key=key)
    return LoginThrottle.objects.select_for_update().get(key=key)


def attempt(request, target: Target, check: Callable[[], User | None]) -> Outcome:
    """Judge one password try: refuse it unchecked when the person or the address is locked, else run
    `check` (which returns the account when the password is right) and count a failure."""
    if address_refused(request):
        return Outcome(refusal=ADDRESS_REFUSED)
    with transaction.atomic():
        throttle = _throttle_row(target.subject)
        now = timezone.now()
        if throttle.locked_until and throttle.locked_until > now:
            return Outcome(refusal=LOCKED)
        user = check()
        if user is not None and not target.ambiguous:
            return Outcome(user=user)
        ip = client_ip(request)
        LoginFailure.objects.create(subject=target.subject, ip_bucket=address_bucket(ip), created_at=now)
        locked = failures(target.subject) >= settings.LOGIN_LOCK_AFTER_FAILURES
        if locked:
            throttle.locked_until = now + settings.LOGIN_LOCK_DURATION
            _notify_lock(target, throttle, now)
            throttle.save(update_fields=["locked_until", "notice_sent_at"])
    if _address_counted(ip) and address_failures(ip) >= settings.LOGIN_IP_BLOCK_AFTER_FAILURES:
        LoginThrottle.objects.update_or_create(
            key=f"ip:{address_bucket(ip)}", defaults={"locked_until": now + settings.LOGIN_IP_BLOCK_DURATION}
        )
    return Outcome(refusal=LOCKED if locked else "")


def check_password(request, user: User, password: str) -> Outcome:
    """A password check of a signed-in person (re-authentication, password change), counted as a login."""
    return attempt(
        request,
        Target(subject=person_subject(user), user=user),
        lambda: user if user.check_password(password) else None,
    )


def _notify_lock(target: Target, throttle: LoginThrottle, now) -> None:
    """At most one SMS a day to the phone on file, with the way out."""
    person = target.user.insured if target.user is not None else None
    if person is None or not person.phone:
        return
    if throttle.notice_sent_at and now - throttle.notice_sent_at < settings.LOGIN_LOCK_NOTICE_INTERVAL:
        return
    with translation.override(person.preferred_language):
        body = _(
            "Ma CNSS : après de nombreux mots de passe erronés, la connexion à votre compte est bloquée "
            "%(minutes)s minutes. Pour entrer tout de suite, choisissez « Mot de passe oublié » : un code vous "
            "sera envoyé par SMS. Si ce n'est pas vous, appelez le %(phone)s."
        ) % {
            "minutes": int(settings.LOGIN_LOCK_DURATION.total_seconds() // 60),
            "phone": settings.CUSTOMER_SERVICE_NUMBER,
        }
    queue_sms(to=person.phone, body=body, purpose="login_locked", language=person.preferred_language)
    throttle.notice_sent_at = now


def clear_person(user: User) -> None:
    """Password recovery by SMS code proves the person: his count starts again and his lock ends."""
    subject = person_subject(user)
    LoginFailure.objects.filter(subject=subject).delete()
    LoginThrottle.objects.filter(key=subject).update(locked_until=None)


def purge_old_failures() -> int:
    """Failures older than a day count for nothing (the windows are at most an hour)."""
    now = timezone.now()
    day_ago = now - settings.LOGIN_LOCK_NOTICE_INTERVAL
    deleted, _detail = LoginFailure.objects.filter(created_at__lt=day_ago).delete()
    LoginThrottle.objects.filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now)).filter(
        Q(notice_sent_at__isnull=True) | Q(notice_sent_at__lt=day_ago)
    ).delete()
    return deleted
