"""Benchmark data beyond `seed_demo`: a logged-in TNS with a RIB and an ASVI dues session.

Run by bench/run.py with the benchmark's environment (production settings, the bench database and
Redis); prints one JSON line with the session keys the load generator sends as cookies.
"""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from importlib import import_module  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402

from accounts.middleware import SESSION_STARTED_KEY  # noqa: E402
from accounts.models import BankDetails, InsuredPerson, User  # noqa: E402
from accounts.services import set_bank_details  # noqa: E402
from macnss.core.validators import rib_key  # noqa: E402

# The demo TNS who has a RIB and a voluntary-pension request (pension/demo.py), else the foundation's TNS.
TNS_NUMBERS = ("100500005", "100000001")
ASVI_NUMBER = "300000101"  # asvi_payment/demo.py: an ASVI member with unpaid quarters
PORTAL_BACKEND = "accounts.backends.PortalAccountBackend"


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore()


def logged_in_session(user: User) -> str:
    """What django.contrib.auth.login() stores, plus the idle-timeout and sign-in stamps (accounts.middleware)."""
    session = _session_store()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = PORTAL_BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["_last_seen"] = int(time.time())
    session[SESSION_STARTED_KEY] = int(time.time())
    session.save()
    return session.session_key


def asvi_session(person: InsuredPerson) -> str:
    """What asvi_payment.views.LookupView stores after the number and captcha step."""
    session = _session_store()
    session["asvi_payment"] = {"insured": person.pk, "number": person.immatriculation_number}
    session.save()
    return session.session_key


def tns_user() -> User:
    user = User.objects.select_related("insured").filter(username__in=TNS_NUMBERS).order_by("-username").first()
    if user is None:
        raise SystemExit(f"none of the demo TNS {TNS_NUMBERS} exists: did seed_demo run?")
    person = user.insured
    if not BankDetails.objects.filter(insured=person).exists():
        first_22 = "011780" + person.immatriculation_number.rjust(16, "0")
        set_bank_details(person=person, rib=first_22 + rib_key(first_22), ip_address=None)
    return user


def main() -> None:
    user = tns_user()
    asvi_member = InsuredPerson.objects.get(immatriculation_number=ASVI_NUMBER)
    print(
        json.dumps(
            {
                "session_cookie": settings.SESSION_COOKIE_NAME,
                "csrf_cookie": settings.CSRF_COOKIE_NAME,
                "tns_number": user.username,
                "tns_name": user.insured.first_name,
                "tns_session": logged_in_session(user),
                "asvi_number": ASVI_NUMBER,
                "asvi_session": asvi_session(asvi_member),
            }
        )
    )


if __name__ == "__main__":
    main()
