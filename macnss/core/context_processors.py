from django.conf import settings
from django.template.backends.utils import csrf_input
from django.utils.functional import SimpleLazyObject


def portal(request):
    return {
        "CUSTOMER_SERVICE_NUMBER": settings.CUSTOMER_SERVICE_NUMBER,
        "DEMO_PHONE_ENABLED": settings.DEBUG and settings.SMS_BACKEND == "outbox",
        "DEMO_MAILBOX_ENABLED": settings.DEBUG,
    }


class _CsrfInputOnce:
    """The hidden CSRF field, masked once per page however many forms it has (header, language switch,
    the page's own form), as Django templates do; Jinja2's `csrf_input` masks the token at each use,
    32 calls to the system's random source each time."""

    def __init__(self, request):
        self._html = SimpleLazyObject(lambda: csrf_input(request))

    def __html__(self):
        return str(self._html)

    __str__ = __html__


def csrf_once(request):
    """For the Jinja2 engine only (settings.TEMPLATES): replaces the backend's `csrf_input`."""
    return {"csrf_input": _CsrfInputOnce(request)}
