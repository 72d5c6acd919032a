"""WebAuthn challenges: random, kept server-side in the session, short-lived and good for one try.

A challenge is taken out of the session before its answer is checked, whatever the outcome, so a
captured response can never be replayed, and a second tab's ceremony replaces the first one's.
"""

import time

from django.conf import settings
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

SESSION_KEY = "passkeys_challenge"
REGISTRATION = "registration"
AUTHENTICATION = "authentication"
REAUTHENTICATION = "reauthentication"


def remember(session, ceremony: str, challenge: bytes) -> None:
    session[SESSION_KEY] = {
        "ceremony": ceremony,
        "challenge": bytes_to_base64url(challenge),
        "expires": time.time() + settings.PASSKEYS_CHALLENGE_SECONDS,
    }


def take(session, ceremony: str) -> bytes | None:
    """The pending challenge of this ceremony, removed from the session; None when there is none,
    when it belongs to another ceremony or when it has expired."""
    stored = session.pop(SESSION_KEY, None)
    if not isinstance(stored, dict) or stored.get("ceremony") != ceremony:
        return None
    if time.time() > float(stored.get("expires", 0)):
        return None
    return base64url_to_bytes(stored["challenge"])
