import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

# Pages a person with a temporary password may still open before choosing his own.
_ALLOWED_URL_NAMES = ("accounts:password_change", "accounts:logout", "set_language")


class PasswordChangeRequiredMiddleware:
    """A temporary password (sent by SMS) must be replaced at first login."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = {reverse(name) for name in _ALLOWED_URL_NAMES}
            if request.path not in allowed and not request.path.startswith(("/static/", "/admin/")):
                return redirect("accounts:password_change")
        return self.get_response(request)


SESSION_STARTED_KEY = "_auth_started_at"


def mark_session_started(request) -> None:
    """Called at every sign-in: the absolute lifetime counts from here."""
    request.session[SESSION_STARTED_KEY] = int(time.time())


class IdleTimeoutMiddleware:
    """Sliding 30-minute idle timeout (SESSION_COOKIE_AGE) without writing the session on every request:
    an authenticated session is refreshed at most once a minute. Besides, a session ends
    SESSION_ABSOLUTE_AGE after its sign-in whatever the activity (ASVS 3.3.1)."""

    REFRESH_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            started = session.get(SESSION_STARTED_KEY)
            # A session with no start (opened before this rule) is treated as too old.
            if not isinstance(started, int) or time.time() - started > settings.SESSION_ABSOLUTE_AGE.total_seconds():
                logout(request)
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get("_last_seen", 0) > self.REFRESH_EVERY:
                session["_last_seen"] = now
        return response
