"""A software WebAuthn authenticator for the tests: real P-256 keys, real CBOR attestation objects
and real ECDSA signatures, as a phone's platform authenticator would make them (attestation "none").

Nothing here is a mock of the verification: the portal checks these answers with py_webauthn exactly
as it checks a browser's. Options and answers are the JSON that static/js/passkeys.js exchanges.
"""

import hashlib
import json
import os
import struct
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40
AAGUID = bytes.fromhex("adce000235bcc60a648b0b25f1f05503")


def b64url(data: bytes) -> str:
    return urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_b64url(text: str) -> bytes:
    return urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class StoredCredential:
    credential_id: bytes
    private_key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0


class SoftwareAuthenticator:
    """Keeps discoverable credentials (resident keys) and answers create() and get()."""

    def __init__(self, origin: str = "http://testserver", counts_signatures: bool = True):
        self.origin = origin
        self.counts_signatures = counts_signatures
        self.credentials: list[StoredCredential] = []

    def create(
        self, options, *, origin=None, rp_id=None, user_verified=True, challenge=None, credential_id=None
    ) -> dict:
        options = json.loads(options) if isinstance(options, str | bytes) else options
        rp_id = rp_id or options["rp"]["id"]
        key = ec.generate_private_key(ec.SECP256R1())
        credential_id = credential_id or os.urandom(32)
        stored = StoredCredential(credential_id, key, rp_id, from_b64url(options["user"]["id"]))
        self.credentials.append(stored)
        numbers = key.public_key().public_numbers()
        cose_key = cbor2.dumps(
            {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        )
        flags = UP | AT | (UV if user_verified else 0)
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([flags])
            + struct.pack(">I", stored.sign_count)
            + AAGUID
            + struct.pack(">H", len(credential_id))
            + credential_id
            + cose_key
        )
        client_data = self._client_data("webauthn.create", challenge or options["challenge"], origin)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64url(credential_id),
            "rawId": b64url(credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal", "hybrid"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def get(self, options, *, origin=None, rp_id=None, credential=None, user_verified=True, challenge=None) -> dict:
        """Sign the challenge with `credential` (by default the only or last credential for the rp)."""
        options = json.loads(options) if isinstance(options, str | bytes) else options
        stored = credential or self.credentials[-1]
        if self.counts_signatures:
            stored.sign_count += 1
        rp_id = rp_id or options.get("rpId") or stored.rp_id
        flags = UP | (UV if user_verified else 0)
        auth_data = hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", stored.sign_count)
        client_data = self._client_data("webauthn.get", challenge or options["challenge"], origin)
        signature = stored.private_key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64url(stored.credential_id),
            "rawId": b64url(stored.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(stored.user_handle),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def _client_data(self, kind: str, challenge: str, origin) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False},
            separators=(",", ":"),
        ).encode()
