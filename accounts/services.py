"""State changes of the shared model: numbers, accounts, passwords, RIB and mandates."""

import secrets
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from macnss.core.services import apply_transition, queue_sms
from macnss.core.validators import normalize_digits

from . import otp, selectors
from .models import BankDetails, DirectDebitMandate, InsuredPerson, RibVerification, SignIn, User

# The consent text is versioned: a mandate records the exact words the person accepted.
DIRECT_DEBIT_CONSENT_VERSION = "2026-01"
DIRECT_DEBIT_CONSENT_TEXT = gettext_lazy("j'autorise le prélèvement automatique bancaire des cotisations cnss")


def allocate_immatriculation_number() -> str:
    """A new unique 9-digit number, random so that numbers cannot be enumerated."""
    for _attempt in range(20):
        number = f"{secrets.randbelow(900_000_000) + 100_000_000}"
        if not InsuredPerson.objects.filter(immatriculation_number=number).exists():
            return number
    raise RuntimeError("Could not allocate a free immatriculation number")


class AccountAlreadyExists(Exception):  # noqa: N818 - a business outcome, not a crash
    """The person opened his account meanwhile (second tab, double submit)."""


def already_has_account_message(person: InsuredPerson) -> str:
    """The SMS a person with an account gets where another would get a code: his number, no secret."""
    with translation.override(person.preferred_language):
        return _(
            "Ma CNSS : vous avez déjà un compte Ma CNSS, numéro %(number)s. Connectez-vous avec ce numéro et votre "
            "mot de passe. Mot de passe oublié ? Choisissez-en un nouveau avec « Mot de passe oublié »."
        ) % {"number": person.immatriculation_number}


@transaction.atomic
def open_account(*, person: InsuredPerson, password: str) -> User:
    """Create the portal account of a person who has just proven he holds the phone on file, with the
    password he chose on the page. The confirming SMS carries no secret. Raises AccountAlreadyExists."""
    person = InsuredPerson.objects.select_for_update().get(pk=person.pk)
    if User.objects.filter(insured=person).exists():
        raise AccountAlreadyExists(person.pk)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=person.immatriculation_number, password=password, insured=person, email=person.email
            )
    except IntegrityError as exc:
        raise AccountAlreadyExists(person.pk) from exc
    if person.phone:
        with translation.override(person.preferred_language):
            body = _(
                "Ma CNSS : votre compte est créé. Votre identifiant est votre numéro d'immatriculation %(number)s. "
                "Si ce n'est pas vous, appelez le %(phone)s."
            ) % {"number": person.immatriculation_number, "phone": settings.CUSTOMER_SERVICE_NUMBER}
        queue_sms(to=person.phone, body=body, purpose="account_opened", language=person.preferred_language)
    return user


@transaction.atomic
def change_password(*, user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.save(update_fields=["password"])
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
    # Issue 16 §2: a phone proven online but never checked by the CNSS: an agent checks the first RIB.
    pending = InsuredPerson.objects.filter(pk=person.pk, first_rib_needs_check=True).exists()
    status = RibVerification.PENDING if pending else RibVerification.VERIFIED
    BankDetails.objects.update_or_create(insured=person, defaults={"rib": rib, "status": status})
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
            if pending:
                body = _(
                    "Ma CNSS : votre RIB (se terminant par %(end)s) est enregistré. Un agent de la CNSS le vérifie "
                    "avant tout prélèvement. Si ce n'est pas vous, appelez le %(phone)s."
                )
            elif had_rib:
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
        # «l'adresse e-mail de votre compte»: a person with no account yet (an e-mail given while onboarding)
        # has nobody to warn.
        if person.email != old_email and person.phone and User.objects.filter(insured=person).exists():
            body = _(
                "Ma CNSS : l'adresse e-mail de votre compte a été changée (%(email)s). "
                "Si ce n'est pas vous, appelez le %(phone)s."
            ) % {
                "email": _mask_email(person.email) if person.email else _("aucune"),
                "phone": settings.CUSTOMER_SERVICE_NUMBER,
            }
            queue_sms(to=person.phone, body=body, purpose="email_changed", language=language)


@transaction.atomic
def confirm_bank_details(*, bank_details: BankDetails, by) -> BankDetails:
    """An agent compared a RIB «à vérifier» with the person's file: direct debits may start. Logged
    (StatusChange: who, when) and told to the person by SMS."""
    bank_details = BankDetails.objects.select_for_update().select_related("insured").get(pk=bank_details.pk)
    apply_transition(bank_details, "confirm", by=by, note="RIB vérifié sur le dossier de l'assuré")
    person = bank_details.insured
    InsuredPerson.objects.filter(pk=person.pk).update(first_rib_needs_check=False)
    selectors.forget_person_pages(person.pk)  # update() sends no signal
    if person.phone:
        with translation.override(person.preferred_language):
            body = _(
                "Ma CNSS : votre RIB (se terminant par %(end)s) a été vérifié. Les prélèvements peuvent commencer."
            ) % {"end": bank_details.rib[-4:]}
        queue_sms(to=person.phone, body=body, purpose="rib_verified", language=person.preferred_language)
    return bank_details


SIGNUP_OTP_PURPOSE = "signup"


@transaction.atomic
def start_signup(*, person: InsuredPerson | None, identity: str, language: str):
    """«Créer un compte», first step: a code to the phone on file, an SMS with his number to a person who
    already has an account, a decoy otherwise (no record, no phone, an ambiguous document). The page after
    it is the same in every case; sends count against the identity typed (accounts.otp)."""
    if person is None or not person.phone:
        return otp.issue_decoy(purpose=SIGNUP_OTP_PURPOSE, identity=identity)
    if hasattr(person, "account"):
        return otp.send_notice_to_phone_on_file(
            purpose=SIGNUP_OTP_PURPOSE,
            identity=identity,
            phone=person.phone,
            body=already_has_account_message(person),
            language=person.preferred_language,
        )
    return otp.send_code_to_phone_on_file(
        purpose=SIGNUP_OTP_PURPOSE,
        identity=identity,
        phone=person.phone,
        language=language,
        subject=f"signup:{person.pk}",
    )


def send_immatriculation_number(person: InsuredPerson) -> None:
    """«Retrouver mon numéro»: once the code is right, the number also goes by SMS to the phone on file."""
    if not person.phone:
        return
    with translation.override(person.preferred_language):
        body = _(
            "Ma CNSS : votre numéro d'immatriculation est %(number)s. Gardez-le : il vous suit toute votre carrière."
        ) % {"number": person.immatriculation_number}
    queue_sms(to=person.phone, body=body, purpose="immatriculation_number", language=person.preferred_language)


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


def set_preferred_language(*, person: InsuredPerson, language: str) -> None:
    """«Mes préférences» is the only place that changes a person's language: nothing sets it silently."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(language)
    if person.preferred_language != language:
        person.preferred_language = language
        person.save(update_fields=["preferred_language", "updated_at"])


@transaction.atomic
def change_phone(*, person: InsuredPerson, new_phone: str) -> None:
    """Put a new phone on file (an approved proposal). The old and the new phone are told by
    `contact_details_changed` (accounts.signals), as for any change of the record."""
    person.phone = new_phone
    person.save(update_fields=["phone", "updated_at"])


@transaction.atomic
def change_email_on_file(*, person: InsuredPerson, new_email: str) -> None:
    """Put a new e-mail on the record and the account (an approved proposal); the SMS to the phone on file
    goes from `contact_details_changed`."""
    person.email = new_email
    person.save(update_fields=["email", "updated_at"])
    User.objects.filter(insured=person).update(email=new_email)
