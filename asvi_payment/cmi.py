"""The CMI "3D Pay Hosting" protocol (docs CMI.md): the ver3 HASH, its check, and the request fields.

Shared by the merchant side (request, callback, okUrl/failUrl) and the mock gateway, so both speak the
same protocol; going live is only a change of CMI_GATEWAY_URL, CMI_CLIENT_ID and CMI_STORE_KEY.
"""

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings

# Fields the ver3 hash leaves out (CMI.md §3).
EXCLUDED_FROM_HASH = ("hash", "encoding")
APPROVED_CODE = "00"

REPLY_POSTAUTH = "ACTION=POSTAUTH"
REPLY_APPROVED = "APPROVED"
REPLY_FAILURE = "FAILURE"


def _escape(value: str) -> str:
    # Backslash first, then pipe: the order of the official samples (CMI.md §3 note 2).
    return value.replace("\\", "\\\\").replace("|", "\\|")


def ver3_plaintext(fields: Mapping[str, str], store_key: str) -> str:
    names = sorted((n for n in fields if n.lower() not in EXCLUDED_FROM_HASH), key=str.upper)
    parts = [_escape(str(fields[n]).strip()) for n in names]
    return "|".join([*parts, _escape(store_key)])


def ver3_hash(fields: Mapping[str, str], store_key: str) -> str:
    """Base64(SHA-512(values sorted case-insensitively by upper-cased name, escaped, '|'-joined, + store key))."""
    digest = hashlib.sha512(ver3_plaintext(fields, store_key).encode("utf-8")).digest()
    return base64.b64encode(digest).decode("ascii")


def received_hash(fields: Mapping[str, str]) -> str:
    for name, value in fields.items():
        if name.lower() == "hash":
            return str(value)
    return ""


def verify(fields: Mapping[str, str], store_key: str) -> bool:
    """Constant-time check of the HASH a gateway (or a merchant) posted with `fields`."""
    posted = received_hash(fields)
    if not posted:
        return False
    return hmac.compare_digest(posted.encode("utf-8"), ver3_hash(fields, store_key).encode("utf-8"))


def sign(fields: dict[str, str], store_key: str) -> dict[str, str]:
    """The fields plus their HASH, ready to post."""
    clean = {name: value for name, value in fields.items() if name.lower() != "hash"}
    return {**clean, "HASH": ver3_hash(clean, store_key)}


def format_amount(amount: Decimal) -> str:
    """`1467.06`: a dot and exactly two decimals (combindma validates ^\\d+(\\.\\d{2})?$)."""
    return f"{Decimal(amount):.2f}"


def bill_to_name(name: str) -> str:
    """Integrations strip the name to [A-Za-z0-9 ] (accents broke hashes and displays)."""
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"\s+", " ", re.sub(r"[^A-Za-z0-9 ]", "", ascii_name)).strip()


def build_request_fields(
    *,
    oid: str,
    amount: Decimal,
    ok_url: str,
    fail_url: str,
    callback_url: str,
    shop_url: str,
    lang: str,
    name: str,
    email: str = "",
    tel: str = "",
    extra: Mapping[str, str] | None = None,
    client_id: str | None = None,
    store_key: str | None = None,
) -> dict[str, str]:
    """The signed form the browser posts to the gateway (CMI.md §2)."""
    fields = {
        "clientid": client_id or settings.CMI_CLIENT_ID,
        "storetype": "3D_PAY_HOSTING",
        "TranType": "PreAuth",
        "amount": format_amount(amount),
        "currency": "504",
        "oid": oid,
        "okUrl": ok_url,
        "failUrl": fail_url,
        "callbackUrl": callback_url,
        "shopurl": shop_url,
        "lang": lang if lang in ("fr", "ar", "en") else "fr",
        "rnd": secrets.token_hex(10),
        "hashAlgorithm": "ver3",
        "encoding": "UTF-8",
        "BillToName": bill_to_name(name),
        "BillToCountry": "504",
        **({"email": email} if email else {}),
        **({"tel": tel} if tel else {}),
        **(extra or {}),
    }
    # No leading/trailing whitespace anywhere, so every verifier variant agrees (CMI.md §3 note 3).
    fields = {k: str(v).strip() for k, v in fields.items()}
    return sign(fields, store_key or settings.CMI_STORE_KEY)


# What an approving callback from CMI carries besides ProcReturnCode=00 (audit L3): our own request,
# which we sign with the same key, has none of them.
APPROVED_RESPONSE = "Approved"
KNOWN_RESPONSES = ("Approved", "Declined", "Error")


def is_complete_approval(fields: Mapping[str, str], client_id: str) -> bool:
    return (
        fields.get("ProcReturnCode") == APPROVED_CODE
        and fields.get("Response") == APPROVED_RESPONSE
        and bool(str(fields.get("AuthCode", "")).strip())
        and bool(str(fields.get("TransId", "")).strip())
        and fields.get("clientid") == client_id
    )


def is_gateway_result(fields: Mapping[str, str]) -> bool:
    """A transaction result at all: a return code and one of Nestpay's `Response` values."""
    return bool(str(fields.get("ProcReturnCode", "")).strip()) and fields.get("Response") in KNOWN_RESPONSES


# A body whose HASH is wrong is not CMI's: keep enough to investigate, never the whole of it.
SAMPLE_MAX_FIELDS = 20
SAMPLE_MAX_NAME = 40
SAMPLE_MAX_VALUE = 64


def bounded_sample(fields: Mapping[str, str]) -> dict[str, str]:
    """At most 20 fields, names cut at 40 and values at 64 characters, and how many fields came."""
    sample = {}
    for name in list(fields)[:SAMPLE_MAX_FIELDS]:
        sample[str(name)[:SAMPLE_MAX_NAME]] = str(fields[name])[:SAMPLE_MAX_VALUE]
    sample["_fields_received"] = str(len(fields))
    return sample


def confirmation_reply() -> str:
    """`ACTION=POSTAUTH` (capture now) or `APPROVED` (manual capture), per CMI_CONFIRMATION_MODE."""
    return REPLY_APPROVED if settings.CMI_CONFIRMATION_MODE.upper() == "APPROVED" else REPLY_POSTAUTH
