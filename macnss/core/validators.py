"""Moroccan identifiers (DOMAIN.md §5): RIB key, CIN, mobile phone, CNSS number."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

RIB_LENGTH = 24
_CNSS_NUMBER = re.compile(r"^\d{9}$")
_CIN = re.compile(r"^[A-Z]{1,2}\d{3,6}$")
_OTHER_ID = re.compile(r"^[A-Z0-9]{5,20}$")


def normalize_digits(value: str) -> str:
    """Keep digits only, so '011 519 0000012050005349 21' and '011-519-…' are accepted."""
    return re.sub(r"[\s\-.]", "", value or "")


def rib_key_is_valid(rib: str) -> bool:
    """A RIB is valid when the 24-digit number is divisible by 97 and its key is not 00."""
    if len(rib) != RIB_LENGTH or not rib.isdigit() or rib[-2:] == "00":
        return False
    remainder = 0
    for digit in rib:
        remainder = (remainder * 10 + int(digit)) % 97
    return remainder == 0


def rib_key(first_22_digits: str) -> str:
    """The two check digits for 22 digits (bank, locality, account)."""
    return f"{97 - int(first_22_digits + '00') % 97:02d}"


def validate_rib(value: str) -> None:
    rib = normalize_digits(value)
    if not rib.isdigit() or len(rib) != RIB_LENGTH:
        raise ValidationError(_("Le RIB doit comporter exactement 24 chiffres."), code="rib_length")
    if not rib_key_is_valid(rib):
        raise ValidationError(
            _("Ce RIB n'est pas valide : la clé (les 2 derniers chiffres) ne correspond pas. Vérifiez-le."),
            code="rib_key",
        )


def format_rib(rib: str) -> str:
    """Group as the banks print it: bank 3, locality 3, account 16, key 2."""
    return f"{rib[:3]} {rib[3:6]} {rib[6:22]} {rib[22:]}" if len(rib) == RIB_LENGTH else rib


def rib_to_iban(rib: str) -> str:
    check = 98 - int(rib + "221000") % 97  # "MA" = 22 10, then "00"
    return f"MA{check:02d}{rib}"


def normalize_identity_number(value: str) -> str:
    return re.sub(r"[\s\-]", "", value or "").upper()


def validate_identity_number(document_type: str, value: str) -> None:
    """Lenient CIN check (1–2 letters then digits); length and characters only for other documents."""
    number = normalize_identity_number(value)
    if document_type == "cnie":
        if not _CIN.match(number):
            raise ValidationError(
                _("Le numéro de CNIE doit comporter 1 ou 2 lettres suivies de chiffres, par exemple AB123456."),
                code="cin_format",
            )
    elif not _OTHER_ID.match(number):
        raise ValidationError(
            _("Le numéro doit comporter de 5 à 20 lettres ou chiffres, sans espace."), code="id_format"
        )


def parse_moroccan_mobile(value: str) -> str:
    """Return the E.164 form of a Moroccan mobile number, or raise ValidationError."""
    try:
        number = phonenumbers.parse(value or "", "MA")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("Saisissez un numéro de téléphone mobile marocain, par exemple 0612345678."), code="phone_format"
        ) from exc
    is_mobile = phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    if number.country_code != 212 or not phonenumbers.is_valid_number(number) or not is_mobile:
        raise ValidationError(
            _("Saisissez un numéro de téléphone mobile marocain, par exemple 0612345678."), code="phone_format"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """+212612345678 → 06 ** ** ** 78: enough for the person to recognise, nothing for anyone else."""
    national = "0" + e164[-9:] if e164.startswith("+212") else e164
    return f"{national[:2]} ** ** ** {national[-2:]}"


def validate_cnss_number(value: str) -> None:
    if not _CNSS_NUMBER.match(value or ""):
        raise ValidationError(_("Le numéro d'immatriculation comporte 9 chiffres."), code="cnss_number")


def clean_cnss_number(value: str) -> str:
    """The 9-digit CNSS number, whatever spaces, dots or dashes were typed."""
    number = normalize_digits(value)
    validate_cnss_number(number)
    return number
