"""Signed, offline-verifiable documents: the QR code of every attestation and receipt the portal prints.

A document's QR code is a URL a phone camera opens:

    {PUBLIC_BASE_URL}/verifier/#v1.<key id>.<payload>.<signature>

- payload: base64url (no padding) of the canonical JSON of the document's claims: ``{"date": "2026-12-04",
  "digest": "<SHA-256 hex of the canonical text of the printed figures>", "initials": "B. A.",
  "reference": "AI-…", "type": "attestation_immatriculation"}``, keys sorted, no spaces, UTF-8;
- signature: base64url (no padding) of the Ed25519 signature of the ASCII text ``v1.<key id>.<payload>``
  (the version and the key id are signed too, so neither can be swapped);
- the key id names one key of the published list (``/verifier/cles.json``): every public key ever used,
  with the dates it signed between, so keys rotate and old documents still verify.

The canonical text of the printed figures is ``canonical_text(pairs)``: one ``key=value`` line per figure,
in the document's own order, joined by ``\\n`` (no final newline), UTF-8, with any line break inside a value
replaced by a space. Amounts are printed with two decimals and dates as ISO dates (aaaa-mm-jj).

Apps whose documents are verifiable register a lookup (``register_reference_lookup``): reference →
``VerifiedDocument`` or None, one indexed query. The public page asks them by reference, and after a
valid signature checks that the document exists and that its figures are those that were signed.
Nothing here imports an app: apps import this module.
"""

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from django.conf import settings

VERSION = "v1"
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
MAX_TOKEN_LENGTH = 1200  # a real token is about 330 characters; anything far longer is refused unread


class InvalidToken(Exception):
    """The text is not a well-formed, correctly signed token of a known key."""


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    public_key: bytes  # the raw 32 bytes
    valid_from: date | None
    valid_to: date | None

    def covers(self, day: date) -> bool:
        return (self.valid_from is None or day >= self.valid_from) and (self.valid_to is None or day <= self.valid_to)

    def as_json(self) -> dict:
        return {
            "kid": self.key_id,
            "kty": "OKP",
            "crv": "Ed25519",
            "alg": "EdDSA",
            "x": b64encode(self.public_key),
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
        }


@dataclass(frozen=True)
class SignedClaims:
    """What a valid token says (nothing else is in it)."""

    key_id: str
    reference: str
    kind: str
    issued_on: date
    initials: str
    digest: str


@dataclass(frozen=True)
class VerifiedDocument:
    """What the public page may show about a document found by its reference, and nothing more."""

    reference: str
    kind: str
    issued_on: date
    initials: str
    digest: str
    amount: Decimal | None = None


# --- Encoding -----------------------------------------------------------------------------------------


def b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise InvalidToken("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidToken("not base64url") from exc


def canonical_json(claims: dict) -> bytes:
    return json.dumps(claims, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def canonical_text(pairs) -> str:
    """The documented text of a document's printed figures: ``key=value`` lines joined by ``\\n``."""
    lines = []
    for key, value in pairs:
        if isinstance(value, Decimal):
            value = f"{value:.2f}"
        elif isinstance(value, date):
            value = value.isoformat()
        elif value is None:
            value = ""
        lines.append(f"{key}=" + " ".join(str(value).splitlines()).strip())
    return "\n".join(lines)


def figures_digest(pairs) -> str:
    return hashlib.sha256(canonical_text(pairs).encode("utf-8")).hexdigest()


def initials_of(last_name: str, first_name: str) -> str:
    """«B. A.»: the first letter of the last name and of the first name, nothing more."""
    return " ".join(f"{name.strip()[:1].upper()}." for name in (last_name, first_name) if name and name.strip())


# --- Keys ---------------------------------------------------------------------------------------------


def _private_key(raw: bytes):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(raw)


def public_key_bytes(private_raw: bytes) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return _private_key(private_raw).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _date_or_none(value) -> date | None:
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _parse_signing_key(config: dict):
    key_id = config.get("key_id") or ""
    if not KEY_ID_PATTERN.match(key_id):
        raise ValueError("DOCUMENT_SIGNING_KEY: the key id must be 1-40 letters, digits, '-' or '_'.")
    try:
        private_raw = b64decode(config.get("private_key") or "")
    except InvalidToken:
        private_raw = b""
    if len(private_raw) != 32:
        raise ValueError("DOCUMENT_SIGNING_KEY: the private key must be 32 bytes in base64url.")
    public = PublicKey(key_id, public_key_bytes(private_raw), _date_or_none(config.get("valid_from")), None)
    return key_id, _private_key(private_raw), public


def _parse_retired_key(entry: dict) -> PublicKey:
    try:
        raw = b64decode(entry.get("public_key") or "")
        key = PublicKey(
            entry.get("key_id") or "", raw, _date_or_none(entry.get("valid_from")), _date_or_none(entry.get("valid_to"))
        )
    except (InvalidToken, ValueError, AttributeError) as exc:
        raise ValueError(f"DOCUMENT_SIGNING_RETIRED_KEYS: malformed entry {entry!r}.") from exc
    if len(raw) != 32 or not KEY_ID_PATTERN.match(key.key_id) or key.valid_to is None:
        raise ValueError(
            f"DOCUMENT_SIGNING_RETIRED_KEYS: {key.key_id!r} needs a key id, a 32-byte public key and a valid_to date."
        )
    return key


def check_signing_settings(signing_key: dict, retired_keys: list) -> tuple[PublicKey, ...]:
    """Every published key, the current one first; ValueError on a malformed setting (production.py
    calls it, so that a bad key stops the deployment instead of the first attestation)."""
    keys = [_parse_signing_key(signing_key)[2], *(_parse_retired_key(entry) for entry in retired_keys)]
    if len({key.key_id for key in keys}) != len(keys):
        raise ValueError("DOCUMENT_SIGNING_KEY and DOCUMENT_SIGNING_RETIRED_KEYS: two keys share a key id.")
    return tuple(keys)


@cache
def _signing_key():
    """(key id, private key object, PublicKey) of settings.DOCUMENT_SIGNING_KEY, read once per process."""
    return _parse_signing_key(settings.DOCUMENT_SIGNING_KEY)


@cache
def published_keys() -> tuple[PublicKey, ...]:
    """Every public key ever used: the current one first, then settings.DOCUMENT_SIGNING_RETIRED_KEYS."""
    return check_signing_settings(settings.DOCUMENT_SIGNING_KEY, settings.DOCUMENT_SIGNING_RETIRED_KEYS)


def new_key(key_id: str) -> tuple[str, str]:
    """A fresh key: (the DOCUMENT_SIGNING_KEY value, its public key in base64url)."""
    import secrets

    raw = secrets.token_bytes(32)
    return f"{key_id}:{b64encode(raw)}", b64encode(public_key_bytes(raw))


def keys_document() -> dict:
    """The JSON published at the fixed URL."""
    return {"algorithm": "Ed25519", "format": VERSION, "keys": [key.as_json() for key in published_keys()]}


def reset_caches() -> None:
    """Forget the keys read from the settings (tests that change them)."""
    _signing_key.cache_clear()
    published_keys.cache_clear()


# --- Signing and verifying ----------------------------------------------------------------------------


def sign(*, reference: str, kind: str, issued_on: date, initials: str, digest: str) -> str:
    """The token ``v1.<key id>.<payload>.<signature>`` for these claims, signed with the current key."""
    key_id, private_key, _public = _signing_key()
    claims = {
        "date": issued_on.isoformat(),
        "digest": digest,
        "initials": initials,
        "reference": reference,
        "type": kind,
    }
    signing_input = f"{VERSION}.{key_id}.{b64encode(canonical_json(claims))}"
    return f"{signing_input}.{b64encode(private_key.sign(signing_input.encode('ascii')))}"


def verification_url(token: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}/verifier/#{token}"


def verify(token: str, keys=None) -> SignedClaims:
    """The claims of a token signed by one of `keys` (default: the published keys) within its dates.

    Raises InvalidToken for anything else: unknown version or key, bad encoding, bad signature, a
    document dated outside the dates of its key. Works offline: nothing is read from the database."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    token = (token or "").strip()
    if "#" in token:  # a whole URL was pasted: the token is its fragment
        token = token.rsplit("#", 1)[1]
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("too long")
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != VERSION:
        raise InvalidToken("not a v1 token")
    _version, key_id, payload, signature = parts
    known = {key.key_id: key for key in (published_keys() if keys is None else keys)}
    key = known.get(key_id)
    if key is None:
        raise InvalidToken("unknown key")
    try:
        Ed25519PublicKey.from_public_bytes(key.public_key).verify(
            b64decode(signature), f"{VERSION}.{key_id}.{payload}".encode("ascii")
        )
    except (InvalidSignature, ValueError) as exc:
        raise InvalidToken("bad signature") from exc
    try:
        claims = json.loads(b64decode(payload).decode("utf-8"))
        signed = SignedClaims(
            key_id=key_id,
            reference=str(claims["reference"]),
            kind=str(claims["type"]),
            issued_on=date.fromisoformat(claims["date"]),
            initials=str(claims["initials"]),
            digest=str(claims["digest"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidToken("bad payload") from exc
    if not key.covers(signed.issued_on):
        raise InvalidToken("document dated outside its key's validity")
    return signed


# --- Documents found by reference (each app registers its own) ----------------------------------------

_lookups: list[tuple[re.Pattern, Callable[[str], VerifiedDocument | None]]] = []
_kind_labels: dict[str, object] = {}


def register_reference_lookup(
    pattern: str, lookup: Callable[[str], VerifiedDocument | None], *, kind_labels: dict
) -> None:
    """`lookup(reference)` is asked only for references matching `pattern` (a full match, upper case);
    `kind_labels` names the app's document types on the public page (lazy translations of its own)."""
    compiled = re.compile(pattern)
    if all(existing is not lookup for _p, existing in _lookups):
        _lookups.append((compiled, lookup))
    _kind_labels.update(kind_labels)


def kind_label(kind: str):
    return _kind_labels.get(kind, kind)


def normalize_reference(text: str) -> str:
    return re.sub(r"\s+", "", text or "").upper()[:40]


def find_document(reference: str) -> VerifiedDocument | None:
    reference = normalize_reference(reference)
    for pattern, lookup in _lookups:
        if pattern.fullmatch(reference):
            document = lookup(reference)
            if document is not None:
                return document
    return None


def check_token(token: str) -> VerifiedDocument | None:
    """A token pasted or scanned on the public page: valid signature AND a document that exists with the
    same figures. None otherwise (the page then says «non authentique»)."""
    try:
        claims = verify(token)
    except InvalidToken:
        return None
    document = find_document(claims.reference)
    if (
        document is None
        or document.kind != claims.kind
        or document.issued_on != claims.issued_on
        or document.digest != claims.digest
    ):
        return None
    return document
