"""Shared fixtures: demo reference data, insured persons and accounts, a Playwright browser on Debian's
chromium, and an axe accessibility check."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make are still
# plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.factories import InsuredPersonFactory, UserFactory  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """With PGBOUNCER_PORT set (`make test-postgres` in CI), the test database is created and migrated
    directly on PostgreSQL, then every connection of the suite (row-lock threads included) goes through
    PgBouncer in transaction mode, as the web nodes do in production."""
    port = os.environ.get("PGBOUNCER_PORT")
    if not port:
        yield
        return
    from django.db import connections

    with django_db_blocker.unblock():
        direct = {}
        for connection in connections.all():
            if connection.vendor == "postgresql":
                connection.close()
                direct[connection.alias] = connection.settings_dict["PORT"]
                connection.settings_dict["PORT"] = port
    yield
    with django_db_blocker.unblock():
        for connection in connections.all():
            if connection.alias in direct:
                connection.close()
                connection.settings_dict["PORT"] = direct[connection.alias]  # dropped directly on PostgreSQL
                # PgBouncer keeps its server connections to the test database in its pool: end them, so that
                # the next run (another suite, or --create-db) can drop and create it again.
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = %s AND pid <> pg_backend_pid()",
                        [connection.settings_dict["NAME"]],
                    )
                connection.close()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _french_by_default():
    """A request to /ar/… leaves Arabic active in the test thread; each test starts in French."""
    from django.utils import translation

    with translation.override("fr"):
        yield


@pytest.fixture(autouse=True)
def _broker_reachable():
    """A test that simulates a broker outage must not make the next tests skip publishing."""
    from macnss.core import tasks_queue

    tasks_queue._broker_down_until = 0.0
    yield
    tasks_queue._broker_down_until = 0.0


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import caches

    for alias in ("default", "throttle"):  # the page cache and the fail-closed limiter's counts
        caches[alias].clear()
    yield
    for alias in ("default", "throttle"):
        caches[alias].clear()


@pytest.fixture
def reference_data(db):
    """TNS categories (DOMAIN §1.2) and the SMIG, as seed_demo loads them."""
    from accounts.demo import seed_reference_data

    seed_reference_data()


@pytest.fixture
def insured(db):
    return InsuredPersonFactory()


@pytest.fixture
def insured_user(insured):
    return UserFactory(insured=insured)


@pytest.fixture
def logged_in_client(client, insured_user):
    client.force_login(insured_user)
    return client


# --- Browser tests -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args, live_server):
    return {**browser_context_args, "base_url": live_server.url, "locale": "fr-FR"}


def assert_accessible(page) -> None:
    """axe-core on the current page: no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    # A click that submits a form may still be navigating: check the page it lands on, once loaded.
    page.wait_for_load_state("load")
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    details = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in bad
    )
    assert not bad, f"Accessibility violations on {page.url}:\n{details}"


@pytest.fixture
def a11y():
    return assert_accessible


@pytest.fixture
def sms_inbox(db):
    """The SMS the outbox backend delivered, newest first (what the demo phone shows)."""
    from macnss.core.models import OutboundSms

    def _read(phone: str | None = None):
        qs = OutboundSms.objects.order_by("-pk")
        if phone:
            qs = qs.filter(to=phone)
        return list(qs)

    return _read


def sms_text(body: str) -> str:
    """What the phone shows: a sensitive body waits encrypted in the outbox (macnss.core.outbox_crypto)."""
    from macnss.core.outbox_crypto import decrypt

    return decrypt(body)


def otp_from_sms(body: str) -> str:
    import re

    match = re.search(r"\b(\d{6})\b", sms_text(body))
    assert match, f"No 6-digit code in SMS: {body!r}"
    return match.group(1)


@pytest.fixture
def count_queries():
    """Number of SQL statements a request runs, savepoints excluded (they exist only because the test
    itself runs inside a transaction)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def _count(client, url, **kwargs) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, **kwargs)
        assert response.status_code == 200, response.status_code
        return sum(1 for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"])

    return _count
