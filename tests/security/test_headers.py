"""Security headers on every page a visitor can open, public and private."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.security.test_private_urls import private_url_names

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/ar/",
    "/compte/connexion/",
    "/compte/mot-de-passe-oublie/",
    "/compte/retrouver-mon-numero/",
    "/tns/",
    "/paiement/",
]


def _assert_headers(response, url):
    assert response["X-Frame-Options"] == "DENY", url
    assert response["X-Content-Type-Options"] == "nosniff", url
    assert response["Referrer-Policy"] == "same-origin", url
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp, url
    assert "frame-ancestors 'none'" in csp, url
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_carry_the_security_headers(client, url):
    response = client.get(url)
    assert response.status_code == 200
    _assert_headers(response, url)


def test_private_pages_carry_the_security_headers(client):
    user = UserFactory()
    client.force_login(user)
    from django.urls import NoReverseMatch

    checked = 0
    for name in private_url_names():
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # object URLs: covered by the ownership probe
        response = client.get(url)
        if response.get("Content-Disposition", "").startswith("attachment"):
            # A private file (e.g. «Mes données»): served with the stricter sandbox policy of attachment_response.
            assert response["X-Content-Type-Options"] == "nosniff", url
            assert "default-src 'none'" in response["Content-Security-Policy"], url
            assert "sandbox" in response["Content-Security-Policy"], url
        else:
            _assert_headers(response, url)
        checked += 1
    assert checked >= 5


def test_hsts_and_secure_cookies_in_production_settings():
    import os
    import subprocess
    import sys

    from django.conf import settings

    from tests.core.test_settings import SAFE

    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_SECURE)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_DEBUG", "MOCK_CMI_ENABLED")}
    env.update(SAFE)
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60
    )
    hsts, secure, name, csrf_secure = result.stdout.split()
    assert int(hsts) >= 31536000
    assert secure == "True" and csrf_secure == "True"
    assert name == "__Host-sessionid"
