"""State changes of the shared model: numbers, accounts, passwords, RIB and mandates."""

import secrets
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from macnss.core.services import queue_sms
from macnss.core.validators import normalize_digits

from .models import BankDetails, DirectDebitMandate, InsuredPerson, SignIn, User

# The consent text is versioned: a mandate records the exact words the person accepted.
DIRECT_DEBIT_CONSENT_VERSION = "2026-01"
DIRECT_DEBIT_CONSENT_TEXT = gettext_lazy("j'autorise le prélèvement automatique bancaire des cotisations cnss")

_PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"  # noqa: S105 - an alphabet, not a password


def allocate_immatriculation_number() -> str:
    """A new unique 9-digit number, random so that numbers cannot be enumerated."""
    for _attempt in range(20):
        number = f"{secrets.randbelow(900_000_000) + 100_000_000}"
        if not InsuredPerson.objects.filter(immatriculation_number=number).exists():
            return number
    raise RuntimeError("Could not allocate a free immatriculation number")


def generate_temporary_password() -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(12))


def _send_temporary_password(person: InsuredPerson, password: str) -> None:
    with translation.override(person.preferred_language):
        body = _(
            "Ma CNSS : votre mot de passe temporaire est %(password)s. Il expire dans 48 heures; "
            "vous choisirez le vôtre à la première connexion. N° d'immatriculation : %(number)s."
        ) % {"password": password, "number": person.immatriculation_number}
    queue_sms(
        to=person.phone, body=body, purpose="temporary_password", language=person.preferred_language, sensitive=True
    )


@transaction.atomic
def create_account_with_temporary_password(person: InsuredPerson) -> tuple[User, bool]:
    """Create the portal account of a registered person and send a temporary password by SMS.

    Idempotent: a second call (double submit, second tab) returns the existing account, sends nothing.
    """
    person = InsuredPerson.objects.select_for_update().get(pk=person.pk)
    existing = User.objects.filter(insured=person).first()
    if existing is not None:
        return existing, False
    password = generate_temporary_password()
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=person.immatriculation_number,
                password=password,
                insured=person,
                email=person.email,
                must_change_password=True,
                temporary_password_expires_at=timezone.now() + settings.TEMPORARY_PASSWORD_LIFETIME,
            )
    except IntegrityError:
        return User.objects.get(insured=person), False
    _send_temporary_password(person, password)
    return user, True


@transaction.atomic
def reset_password_to_temporary(user: User) -> None:
    password = generate_temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.temporary_password_expires_at = timezone.now() + settings.TEMPORARY_PASSWORD_LIFETIME
    user.save(update_fields=["password", "must_change_password", "temporary_password_expires_at"])
    _send_temporary_password(user.insured, password)


@transaction.atomic
def change_password(*, user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.must_change_password = False
    user.temporary_password_expires_at = None
    user.save(update_fields=["password", "must_change_password", "temporary_password_expires_at"])
    person = user.insured
    if person is not None and person.phone:
        with translation.override(person.preferred_language):
            body = _(
                "Ma CNSS : le mot de passe de votre compte vient d'être modifié. Si ce n'est pas vous, appelez le %(phone)s."
            ) % {"phone": settings.CUSTOMER_SERVICE_NUMBER}
        queue_sms(to=person.phone, body=body, purpose="password_changed", language=person.preferred_language)


@transaction.atomic
def set_bank_details(*, person: InsuredPerson, rib: str, ip_address: str | None) -> DirectDebitMandate:
    """Record the RIB and a new direct-debit mandate (the old one is revoked), and tell the insured by SMS."""
    rib = normalize_digits(rib)
    had_rib = BankDetails.objects.filter(insured=person).exists()
    BankDetails.objects.update_or_create(insured=person, defaults={"rib": rib})
    now = timezone.now()
    DirectDebitMandate.objects.filter(insured=person, revoked_at__isnull=True).update(revoked_at=now)
    with translation.override("fr"):
        consent_text = str(DIRECT_DEBIT_CONSENT_TEXT)
    mandate = DirectDebitMandate.objects.create(
        insured=person,
        rib=rib,
        consent_text=consent_text,
        consent_text_version=DIRECT_DEBIT_CONSENT_VERSION,
        consented_at=now,
        ip_address=ip_address,
    )
    if person.phone:
        with translation.override(person.preferred_language):
            if had_rib:
                body = _(
                    "Ma CNSS : le RIB de votre compte a été modifié (se terminant par %(end)s). Si ce n'est pas vous, appelez le %(phone)s."
                )
            else:
                body = _(
                    "Ma CNSS : votre RIB (se terminant par %(end)s) et votre autorisation de prélèvement ont été enregistrés."
                )
            body = body % {"end": rib[-4:], "phone": settings.CUSTOMER_SERVICE_NUMBER}
        queue_sms(to=person.phone, body=body, purpose="rib_changed", language=person.preferred_language)
    return mandate


def _session_store(session_key: str):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def record_sign_in(*, user: User, session_key: str, ip_address: str | None, user_agent: str, method: str) -> SignIn:
    """One row per sign-in («Mes connexions»), holding the key that lets the person end that session."""
    return SignIn.objects.create(
        user=user,
        session_key=session_key or "",
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:300],
        method=method[:20],
    )


def session_key_changed(*, user: User, old_key: str | None, new_key: str | None) -> None:
    """Django cycles the key on a password change (update_session_auth_hash): follow it."""
    if old_key and new_key and old_key != new_key:
        SignIn.objects.filter(user=user, session_key=old_key).update(session_key=new_key)


def sign_in_ended(*, session_key: str | None) -> None:
    if session_key:
        SignIn.objects.filter(session_key=session_key, ended_at__isnull=True).update(
            session_key="", ended_at=timezone.now()
        )


def end_other_sessions(user: User, keep_session_key: str | None) -> int:
    """End every session of `user` but the one with `keep_session_key`; returns how many were ended.

    The sessions are deleted from the session store (database, and cache for cached_db), so the other
    devices are signed out at their next request.
    """
    # Older sessions are past their absolute lifetime: the middleware refuses them already.
    others = SignIn.objects.filter(
        user=user, created_at__gt=timezone.now() - settings.SESSION_ABSOLUTE_AGE - timedelta(minutes=5)
    ).exclude(session_key="")
    if keep_session_key:
        others = others.exclude(session_key=keep_session_key)
    keys = list(others.values_list("session_key", flat=True))
    for key in keys:
        _session_store(key).delete()
    SignIn.objects.filter(user=user, session_key__in=keys).update(session_key="", ended_at=timezone.now())
    return len(keys)


def _mask_email(email: str) -> str:
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


@transaction.atomic
def change_email(*, user: User, email: str) -> None:
    """«Mon e-mail»: the person's record and his account. The SMS to the phone on file goes from
    `contact_details_changed` (accounts.signals), whatever changed the record."""
    person = user.insured
    person.email = email
    person.save(update_fields=["email", "updated_at"])
    user.email = email
    user.save(update_fields=["email"])


def contact_details_changed(*, person: InsuredPerson, old_phone: str, old_email: str) -> None:
    """An SMS after every change of the phone or the e-mail on file, from any path (portal, agents,
    imports): to the phone on file, and for a new phone also to the old one, which may be the real owner's."""
    language = person.preferred_language
    with translation.override(language):
        if person.phone != old_phone and old_phone:
            body = _(
                "Ma CNSS : le numéro de téléphone de votre dossier a été changé (se terminant par %(end)s). "
                "Si ce n'est pas vous, appelez le %(phone)s."
            ) % {"end": person.phone[-2:] if person.phone else "--", "phone": settings.CUSTOMER_SERVICE_NUMBER}
            for to in {old_phone, person.phone} - {""}:
                queue_sms(to=to, body=body, purpose="phone_changed", language=language)
        if person.email != old_email and person.phone:
            body = _(
                "Ma CNSS : l'adresse e-mail de votre compte a été changée (%(email)s). "
                "Si ce n'est pas vous, appelez le %(phone)s."
            ) % {
                "email": _mask_email(person.email) if person.email else _("aucune"),
                "phone": settings.CUSTOMER_SERVICE_NUMBER,
            }
            queue_sms(to=person.phone, body=body, purpose="email_changed", language=language)


SIGN_IN_HISTORY = timedelta(days=90)


def purge_old_sign_ins() -> int:
    """«Mes connexions» shows the last sign-ins; rows older than 90 days are dropped, and the session keys
    of sign-ins past the absolute lifetime are forgotten (those sessions cannot be used any more)."""
    now = timezone.now()
    SignIn.objects.filter(created_at__lt=now - settings.SESSION_ABSOLUTE_AGE).exclude(session_key="").update(
        session_key="", ended_at=now
    )
    deleted, _detail = SignIn.objects.filter(created_at__lt=now - SIGN_IN_HISTORY).delete()
    return deleted
