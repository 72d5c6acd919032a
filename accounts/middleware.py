import time


class IdleTimeoutMiddleware:
    """Sliding 30-minute idle timeout (SESSION_COOKIE_AGE) without writing the session on every request:
    an authenticated session is refreshed at most once a minute."""

    REFRESH_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get("_last_seen", 0) > self.REFRESH_EVERY:
                session["_last_seen"] = now
        return response
