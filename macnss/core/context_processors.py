import secrets

from django.conf import settings
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html


def portal(request):
    return {
        "CUSTOMER_SERVICE_NUMBER": settings.CUSTOMER_SERVICE_NUMBER,
        "DEMO_PHONE_ENABLED": settings.DEBUG and settings.SMS_BACKEND == "outbox",
        "DEMO_MAILBOX_ENABLED": settings.DEBUG,
    }


# Bytes below 248 (4 × 62) map to a character each (byte % 62); the 8 others are dropped, so that every
# character is equally likely. One table, applied by bytes.translate in C.
_TO_CHARS = bytes(ord(CSRF_ALLOWED_CHARS[byte % 62]) if byte < 248 else 0 for byte in range(256))
_DROPPED = bytes(range(248, 256))
_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}


def _random_chars(length: int) -> str:
    """`length` characters drawn uniformly from CSRF_ALLOWED_CHARS (62), with one call to the system's
    random source (rarely two)."""
    chars = b""
    while len(chars) < length:
        chars += secrets.token_bytes(length + 8).translate(_TO_CHARS, _DROPPED)
    return chars[:length].decode("ascii")


def masked_csrf_token(request) -> str:
    """django.middleware.csrf.get_token, drawing its randomness in one system call instead of one per
    character (64 on a first visit: the cookie's secret and the mask). In a virtual machine each call
    costs microseconds, a few percent of a page. The token is the same: a 32-character mask, then the
    secret shifted by it, which CsrfViewMiddleware unmasks; the request is flagged the same way so that
    the middleware sets or renews the cookie."""
    if "CSRF_COOKIE" in request.META:
        secret = request.META["CSRF_COOKIE"]
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    else:
        secret = _random_chars(CSRF_SECRET_LENGTH)
        request.META.update({"CSRF_COOKIE": secret, "CSRF_COOKIE_NEEDS_UPDATE": True})
    mask = _random_chars(CSRF_SECRET_LENGTH)
    alphabet, index = CSRF_ALLOWED_CHARS, _INDEX
    cipher = "".join(alphabet[(index[s] + index[m]) % 62] for s, m in zip(secret, mask, strict=True))
    return mask + cipher


class _CsrfInputOnce:
    """The hidden CSRF field, masked once per page however many forms it has (header, language switch,
    the page's own form), as Django templates do; Jinja2's `csrf_input` masks the token at each use."""

    def __init__(self, request):
        self._html = SimpleLazyObject(
            lambda: format_html(
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', masked_csrf_token(request)
            )
        )

    def __html__(self):
        return str(self._html)

    __str__ = __html__


def csrf_once(request):
    """For the Jinja2 engine only (settings.TEMPLATES): replaces the backend's `csrf_input`."""
    return {"csrf_input": _CsrfInputOnce(request)}
