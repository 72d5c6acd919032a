# ruff: noqa: T201 - prints the session for wapiti_scan.py
"""Print one JSON line with a logged-in session for a demo account (the wapiti scan's authenticated pass).

Run by wapiti_scan.py with the scan's environment (same settings, database, Redis and secret key as the
server), so the session is exactly what `django.contrib.auth.login()` would have stored:

    python scripts/security/make_session.py 600000101 [--asvi 300000101]

`--asvi NUMBER` also opens the public ASVI payment journey for that number in the same session (the
state `asvi_payment.views.LookupView` stores after the number and captcha step), so the scanner reaches
the dues page behind the captcha.
"""

import argparse
import json
import sys
import time
from importlib import import_module
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402

from accounts.middleware import SESSION_STARTED_KEY  # noqa: E402
from accounts.models import InsuredPerson, User  # noqa: E402

PORTAL_BACKEND = "accounts.backends.PortalAccountBackend"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("number", help="registration number of a demo account")
    parser.add_argument("--asvi", default="", help="registration number of an ASVI member")
    args = parser.parse_args()

    user = User.objects.select_related("insured").get(username=args.number)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = PORTAL_BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["_last_seen"] = int(time.time())  # accounts.middleware.IdleTimeoutMiddleware
    session[SESSION_STARTED_KEY] = int(time.time())  # ... and its 12-hour absolute lifetime
    if args.asvi:
        session["asvi_payment"] = {"insured": InsuredPerson.objects.get(immatriculation_number=args.asvi).pk}
    session.save()
    print(
        json.dumps(
            {
                "cookie_name": settings.SESSION_COOKIE_NAME,
                "session_key": session.session_key,
                "first_name": user.insured.first_name,
            }
        )
    )


if __name__ == "__main__":
    main()
