"""Property-based fuzzing (hypothesis) of every public form: no input produces a server error.

The forms are found, not listed: every public page without URL arguments is fetched, its POST forms are
parsed, and hypothesis fills their fields with arbitrary text.
"""

from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.test_private_urls import PRIVATE_NAMESPACES, PUBLIC

# Pages not meant for a person's form input (gateway endpoints, infrastructure).
SKIP_PREFIXES = (
    "/captcha/",
    "/i18n/",
    "/healthz",
    "/bench/",
    "/mock-cmi/",
    "/paiement/cmi/",
    "/telephone-demo/",
    "/admin/",
)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = {"action": attrs.get("action") or "", "fields": set()}
        elif (
            self._current is not None
            and tag in ("input", "select", "textarea")
            and attrs.get("name")
            and attrs.get("type") not in ("submit", "file")
        ):
            self._current["fields"].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form" and self._current is not None:
            self.forms.append(self._current)
            self._current = None


def _public_pages():
    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and p.name and not p.pattern.converters:
                yield f"{namespace}{p.name}"

    for name in sorted(set(walk(get_resolver().url_patterns))):
        if ":" in name and name.split(":")[0] in PRIVATE_NAMESPACES and name not in PUBLIC:
            continue
        try:
            url = reverse(name)
        except Exception:  # noqa: S112 - patterns with regex groups
            continue
        if not url.startswith(SKIP_PREFIXES):
            yield url


def public_forms():
    client = Client()
    found = []
    for url in _public_pages():
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _FormParser()
        parser.feed(response.content.decode())
        for form in parser.forms:
            fields = sorted(form["fields"] - {"csrfmiddlewaretoken", "next", "language"})
            if fields:
                found.append((form["action"] or url, tuple(fields)))
    return sorted(set(found))


text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            "PASSED",
            "0612345678",
            "31/02/2024",
            "29/02/2023",
            "01/01/1900",
            "AB123456",
            "1" * 9,
            "011519000001205000534921",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\x00",
            "9" * 400,
            "../../etc/passwd",
            "%(code)s",
            "١٢٣٤٥٦",
            "﷽",
        ]
    ),
)


@pytest.mark.django_db(transaction=True)
def test_fuzz_every_public_form():
    forms = public_forms()
    assert len(forms) >= 4, forms  # login, recovery, lost number, TNS identity, ASVI lookup…
    client = Client(raise_request_exception=False)

    def fuzzer(action, fields):
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        @given(values=st.fixed_dictionaries({name: text for name in fields}))
        def fuzz(values):
            cache.clear()  # rate limits would otherwise hide the form behind its throttle message
            response = client.post(action, values)
            assert response.status_code < 500, f"{action} {values!r} → {response.status_code}"

        return fuzz

    for action, fields in forms:
        fuzzer(action, fields)()
