"""THE trusted client address (ASVS 14.5.3): every limit, lockout, log line and `ip_address` field uses it.

With no proxy in front (TRUSTED_PROXY_COUNT = 0) the TCP peer, REMOTE_ADDR, is the client; a
client-written X-Forwarded-For is ignored. Behind N trusted proxies, each proxy appends the address it
received the connection from, so the N-th entry from the right was written by our outermost proxy:
everything to its left is whatever the client sent and is never read.
"""

import ipaddress

from django.conf import settings


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's address as our own infrastructure saw it ("" only if the server gave none)."""
    remote = _valid_ip(request.META.get("REMOTE_ADDR") or "") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part for part in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if part.strip()]
    # Fewer entries than proxies: the request did not come through the whole chain (a misrouted or
    # direct request); the peer is then the only address nobody could write.
    if len(forwarded) < proxies:
        return remote
    return _valid_ip(forwarded[-proxies]) or remote


def client_ip_or_none(request) -> str | None:
    """For GenericIPAddressField columns, which store NULL rather than an empty string."""
    return client_ip(request) or None
