"""Recent authentication before sensitive actions (issue 16 §4): changing the RIB or the e-mail, sending a
pension request, adding a passkey.

The session holds when the person last proved who he is: a sign-in (any `login()`, through the
user_logged_in signal), his password, a code sent to the phone on file, or a passkey. A view that needs
proof at most REAUTH_MAX_AGE old uses `RecentAuthRequiredMixin`; the person is sent to
`accounts:reauthenticate` and comes back to `?next=`.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

SESSION_KEY = "_auth_recent_at"


def _max_age_seconds() -> float:
    return settings.REAUTH_MAX_AGE.total_seconds()


def is_recent(request) -> bool:
    """True when the signed-in person proved who he is within the last REAUTH_MAX_AGE."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    proved_at = request.session.get(SESSION_KEY)
    if not isinstance(proved_at, int | float):
        return False
    return 0 <= time.time() - proved_at <= _max_age_seconds()


def mark_recent(request) -> None:
    """Record that the person has just proved who he is (sign-in, password, SMS code or passkey)."""
    request.session[SESSION_KEY] = int(time.time())


def safe_next(request, default: str = "") -> str:
    """The `next` target if it stays on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def reauthenticate_url(next_url: str) -> str:
    return f"{reverse('accounts:reauthenticate')}?{urlencode({'next': next_url})}"


class RecentAuthRequiredMixin:
    """A view mixin: without a recent proof of identity, go to «Confirmez votre identité» and come back.

    Put it after LoginRequiredMixin (or a login_required dispatch) so that anonymous visitors still go to
    the login page. `reauth_next_url()` says where to come back; by default the page asked for (a GET
    page; after a refused POST, the same page shows again with the answers the journey kept).
    """

    def reauth_next_url(self) -> str:
        return self.request.get_full_path()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_recent(request):
            return redirect(reauthenticate_url(self.reauth_next_url()))
        return super().dispatch(request, *args, **kwargs)
