from django.conf import settings
from django.middleware.csrf import get_token
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html


def portal(request):
    return {
        "CUSTOMER_SERVICE_NUMBER": settings.CUSTOMER_SERVICE_NUMBER,
        "DEMO_PHONE_ENABLED": settings.DEBUG and settings.SMS_BACKEND == "outbox",
        "DEMO_MAILBOX_ENABLED": settings.DEBUG,
    }


class _CsrfInputOnce:
    """The hidden CSRF field with one masked token (Django's get_token) for all the forms of a page (header,
    language switch, the page's own form), as Django templates do; Jinja2's `csrf_input` masks at each use."""

    def __init__(self, request):
        self._html = SimpleLazyObject(
            lambda: format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))
        )

    def __html__(self):
        return str(self._html)

    __str__ = __html__


def csrf_once(request):
    """For the Jinja2 engine only (settings.TEMPLATES): replaces the backend's `csrf_input`."""
    return {"csrf_input": _CsrfInputOnce(request)}
