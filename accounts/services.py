"""State changes of the shared model: numbers, accounts, passwords, RIB and mandates."""

import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from macnss.core.services import queue_sms
from macnss.core.validators import normalize_digits

from .models import BankDetails, DirectDebitMandate, InsuredPerson, User

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


@transaction.atomic
def change_phone(*, person: InsuredPerson, new_phone: str) -> None:
    """Put a new phone on file and tell both numbers: the old one (the person may not be the one asking)
    and the new one (it now receives the codes)."""
    old_phone = person.phone
    person.phone = new_phone
    person.save(update_fields=["phone", "updated_at"])  # the signal drops the cached account
    with translation.override(person.preferred_language):
        to_old = _(
            "Ma CNSS : le téléphone de votre compte a été remplacé par un numéro se terminant par %(end)s. "
            "Si ce n'est pas vous, appelez le %(phone)s."
        ) % {"end": new_phone[-2:], "phone": settings.CUSTOMER_SERVICE_NUMBER}
        to_new = _(
            "Ma CNSS : ce numéro est désormais le téléphone de votre compte CNSS. Si ce n'est pas vous, "
            "appelez le %(phone)s."
        ) % {"phone": settings.CUSTOMER_SERVICE_NUMBER}
    if old_phone:
        queue_sms(to=old_phone, body=to_old, purpose="phone_changed", language=person.preferred_language)
    queue_sms(to=new_phone, body=to_new, purpose="phone_changed", language=person.preferred_language)


@transaction.atomic
def change_email(*, person: InsuredPerson, new_email: str) -> None:
    """Put a new e-mail on file and tell the person on the phone on file."""
    person.email = new_email
    person.save(update_fields=["email", "updated_at"])  # the signal drops the cached account
    User.objects.filter(insured=person).update(email=new_email)
    if person.phone:
        with translation.override(person.preferred_language):
            body = _(
                "Ma CNSS : l'adresse e-mail de votre compte a été modifiée. Si ce n'est pas vous, appelez le %(phone)s."
            ) % {"phone": settings.CUSTOMER_SERVICE_NUMBER}
        queue_sms(to=person.phone, body=body, purpose="email_changed", language=person.preferred_language)
