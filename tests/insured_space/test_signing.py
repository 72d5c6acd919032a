"""The signature of printed documents: sign, verify offline with the public key only, refuse what was
tampered with or signed by an unknown key, and keep verifying after a key rotation."""

import base64
import json
from datetime import date

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from macnss.core import document_signing as ds


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture
def keys(settings):
    """A current key and one retired key, both fresh."""
    old_value, old_public = ds.new_key("2025-a")
    new_value, _public = ds.new_key("2026-b")
    key_id, _, private = new_value.partition(":")
    settings.DOCUMENT_SIGNING_KEY = {"key_id": key_id, "private_key": private, "valid_from": "2026-01-01"}
    settings.DOCUMENT_SIGNING_RETIRED_KEYS = [
        {"key_id": "2025-a", "public_key": old_public, "valid_from": "2025-01-01", "valid_to": "2025-12-31"}
    ]
    ds.reset_caches()
    yield {"old": old_value, "new": new_value}
    ds.reset_caches()


def _sign_with(value: str, **claims) -> str:
    """Sign as the portal did while `value` was the current key."""
    from django.conf import settings

    key_id, _, private = value.partition(":")
    saved = settings.DOCUMENT_SIGNING_KEY
    settings.DOCUMENT_SIGNING_KEY = {"key_id": key_id, "private_key": private}
    ds.reset_caches()
    try:
        return ds.sign(**claims)
    finally:
        settings.DOCUMENT_SIGNING_KEY = saved
        ds.reset_caches()


CLAIMS = {
    "reference": "AI-7KQ4M-2XD9P",
    "kind": "attestation_immatriculation",
    "issued_on": date(2026, 12, 4),
    "initials": "B. S.",
    "digest": "a" * 64,
}


def _offline_check(token: str, published: dict) -> dict:
    """What anyone can do with the published JSON and `cryptography`, without the portal's code."""
    version, key_id, payload, signature = token.split(".")
    key = next(k for k in published["keys"] if k["kid"] == key_id)
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(key["x"] + "=="))
    public.verify(base64.urlsafe_b64decode(signature + "=="), f"{version}.{key_id}.{payload}".encode())
    return json.loads(base64.urlsafe_b64decode(payload + "=="))


def test_a_signed_token_verifies_offline_with_the_published_public_key(keys):
    token = ds.sign(**CLAIMS)
    assert token.startswith("v1.2026-b.")
    claims = _offline_check(token, ds.keys_document())
    assert claims == {
        "date": "2026-12-04",
        "digest": "a" * 64,
        "initials": "B. S.",
        "reference": "AI-7KQ4M-2XD9P",
        "type": "attestation_immatriculation",
    }
    verified = ds.verify(token)
    assert (verified.reference, verified.kind, verified.issued_on, verified.key_id) == (
        "AI-7KQ4M-2XD9P",
        "attestation_immatriculation",
        date(2026, 12, 4),
        "2026-b",
    )


def test_the_payload_is_canonical_json(keys):
    payload = ds.sign(**CLAIMS).split(".")[2]
    raw = base64.urlsafe_b64decode(payload + "==")
    assert raw == json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def test_a_tampered_payload_is_refused_offline_and_by_the_portal(keys):
    version, key_id, payload, signature = ds.sign(**CLAIMS).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["initials"] = "X. Y."
    forged = _b64(ds.canonical_json(claims))
    token = f"{version}.{key_id}.{forged}.{signature}"
    with pytest.raises(InvalidSignature):
        _offline_check(token, ds.keys_document())
    with pytest.raises(ds.InvalidToken, match="bad signature"):
        ds.verify(token)


def test_a_signature_moved_to_another_key_id_is_refused(keys):
    version, _key_id, payload, signature = _sign_with(keys["old"], **{**CLAIMS, "issued_on": date(2025, 6, 1)}).split(
        "."
    )
    with pytest.raises(ds.InvalidToken):
        ds.verify(f"{version}.2026-b.{payload}.{signature}")


def test_a_document_signed_by_a_retired_key_still_verifies(keys):
    token = _sign_with(keys["old"], **{**CLAIMS, "issued_on": date(2025, 6, 1)})
    assert ds.verify(token).key_id == "2025-a"
    published = ds.keys_document()["keys"]
    assert [k["kid"] for k in published] == ["2026-b", "2025-a"]
    assert published[1]["valid_to"] == "2025-12-31"
    assert _offline_check(token, ds.keys_document())["date"] == "2025-06-01"


def test_a_retired_key_cannot_sign_after_its_end_date(keys):
    """A leaked old key is useless for new documents: the date is outside its validity."""
    token = _sign_with(keys["old"], **CLAIMS)  # dated 2026-12-04, after 2025-12-31
    with pytest.raises(ds.InvalidToken, match="outside"):
        ds.verify(token)


def test_an_unknown_key_is_refused(keys):
    stranger, _public = ds.new_key("2026-b")  # same key id, another private key
    with pytest.raises(ds.InvalidToken, match="bad signature"):
        ds.verify(_sign_with(stranger, **CLAIMS))
    other, _public = ds.new_key("nobody")
    with pytest.raises(ds.InvalidToken, match="unknown key"):
        ds.verify(_sign_with(other, **CLAIMS))


@pytest.mark.parametrize(
    "text",
    ["", "v1", "v2.2026-b.e30.AAAA", "v1.2026-b.%%%.AAAA", "v1.2026-b.e30", "v1." + "A" * 2000, "a.b.c.d.e"],
)
def test_malformed_tokens_are_refused(keys, text):
    with pytest.raises(ds.InvalidToken):
        ds.verify(text)


def test_a_whole_url_is_read_as_its_fragment(keys):
    token = ds.sign(**CLAIMS)
    assert ds.verify(ds.verification_url(token)).reference == CLAIMS["reference"]
    assert ds.verification_url(token).endswith(f"/verifier/#{token}")


def test_canonical_text_is_the_documented_lines():
    text = ds.canonical_text(
        [
            ("type", "attestation_salaire"),
            ("date", date(2026, 1, 5)),
            ("total_salary", __import__("decimal").Decimal("1234.5")),
            ("name", "EL  ALAMI\nFatima"),
            ("empty", None),
        ]
    )
    assert text == "type=attestation_salaire\ndate=2026-01-05\ntotal_salary=1234.50\nname=EL  ALAMI Fatima\nempty="
    assert ds.figures_digest([("a", "1")]) == __import__("hashlib").sha256(b"a=1").hexdigest()


def test_initials_keep_one_letter_of_each_name():
    assert ds.initials_of("el alami", "Fatima") == "E. F."
    assert ds.initials_of("BENNANI", "") == "B."


def test_malformed_settings_are_refused():
    with pytest.raises(ValueError, match="key id"):
        ds.check_signing_settings({"key_id": "a.b", "private_key": _b64(b"x" * 32)}, [])
    with pytest.raises(ValueError, match="32 bytes"):
        ds.check_signing_settings({"key_id": "k", "private_key": _b64(b"x" * 31)}, [])
    good = {"key_id": "k", "private_key": _b64(b"x" * 32)}
    with pytest.raises(ValueError, match="valid_to"):
        ds.check_signing_settings(good, [{"key_id": "old", "public_key": _b64(b"y" * 32)}])
    with pytest.raises(ValueError, match="share a key id"):
        ds.check_signing_settings(good, [{"key_id": "k", "public_key": _b64(b"y" * 32), "valid_to": "2025-01-01"}])
