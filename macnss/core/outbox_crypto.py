"""Sensitive SMS bodies (codes, temporary passwords, numbers) are kept encrypted while they wait.

A stored body reads `enc1:<key id>:<Fernet token>`. The keys come from settings.OUTBOX_ENCRYPTION_KEYS,
written `id:key,id:key` (each key a Fernet key, `Fernet.generate_key()`): the first one encrypts, all of
them decrypt, so a key is rotated by putting a new one first and dropping the old one once the rows it
encrypted are gone (they are redacted when sent, failed or expired; none lives more than
OUTBOX_SENSITIVE_EXPIRY). Without keys (development, tests) a key derived from SECRET_KEY is used;
production refuses to start without them.
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

PREFIX = "enc1:"
DEVELOPMENT_KEY_ID = "dev"


class UnreadableBody(Exception):
    """An encrypted body whose key is no longer configured, or that was tampered with."""


def parse_keys(entries) -> dict[str, Fernet]:
    """`["2026a:<key>", …]` → {"2026a": Fernet(<key>)}, in order; ValueError on a malformed entry."""
    keys = {}
    for entry in entries:
        key_id, sep, key = entry.strip().partition(":")
        if not sep or not key_id or ":" in key_id:
            raise ValueError("each OUTBOX_ENCRYPTION_KEYS entry reads id:key")
        keys[key_id] = Fernet(key.encode())
    return keys


@lru_cache(maxsize=4)
def _keyring(entries: tuple[str, ...], secret_key: str) -> tuple[str, dict[str, Fernet]]:
    if entries:
        keys = parse_keys(entries)
        return next(iter(keys)), keys
    derived = base64.urlsafe_b64encode(hashlib.sha256(f"outbox-encryption:{secret_key}".encode()).digest())
    return DEVELOPMENT_KEY_ID, {DEVELOPMENT_KEY_ID: Fernet(derived)}


def _current():
    return _keyring(tuple(settings.OUTBOX_ENCRYPTION_KEYS), settings.SECRET_KEY)


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)


def encrypt(text: str) -> str:
    key_id, keys = _current()
    token = keys[key_id].encrypt(text.encode()).decode("ascii")
    return f"{PREFIX}{key_id}:{token}"


def decrypt(stored: str) -> str:
    """The clear text of a stored body (a body stored in clear comes back as it is)."""
    if not is_encrypted(stored):
        return stored
    key_id, _, token = stored[len(PREFIX) :].partition(":")
    _, keys = _current()
    if key_id not in keys:
        raise UnreadableBody(f"no key {key_id!r} in OUTBOX_ENCRYPTION_KEYS")
    try:
        return keys[key_id].decrypt(token.encode("ascii")).decode()
    except InvalidToken as exc:
        raise UnreadableBody("the encrypted body does not verify") from exc
