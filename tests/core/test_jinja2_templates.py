"""The Jinja2 templates (pages, e-mails, receipts): their messages reach the catalogues, and the
environment behaves as the Django templates did (escaping, time zone, memoized lookups)."""

import datetime
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template import engines
from django.test import override_settings
from django.utils import translation
from jinja2 import Environment

from macnss.core import jinja2env
from macnss.core.management.commands.makemessages import jinja2_messages_as_python, jinja2_template_dirs

JINJA2_TEMPLATES = sorted(
    path
    for directory in jinja2_template_dirs()
    for path in directory.rglob("*")
    if path.suffix in (".html", ".txt") and ".venv" not in path.parts
)


def catalogue_messages() -> dict[tuple, polib.POEntry]:
    entries = {}
    for path in Path(settings.BASE_DIR).glob("**/locale/ar/LC_MESSAGES/django.po"):
        if ".venv" in path.parts:
            continue
        for entry in polib.pofile(str(path)):
            if not entry.obsolete:
                entries[(entry.msgctxt, entry.msgid)] = entry
    return entries


def render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def test_templates_are_found():
    names = {p.name for p in JINJA2_TEMPLATES}
    assert {"base.html", "dues.html", "receipt_pdf.html", "email_body.txt"} <= names


def test_every_message_of_every_template_is_in_an_arabic_catalogue():
    known = catalogue_messages()
    environment = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    environment.newstyle_gettext = True  # as the pages' environment
    missing = []
    for path in JINJA2_TEMPLATES:
        for _line, function, message in environment.extract_translations(path.read_text()):
            strings = message if isinstance(message, tuple) else (message,)
            key = (strings[0], strings[1]) if function in ("pgettext", "npgettext") else (None, strings[0])
            entry = known.get(key)
            if entry is None or not (entry.msgstr or any(entry.msgstr_plural.values())):
                missing.append(f"{path.name}: {key[1]}")
    assert not missing, f"run `make messages` and translate: {missing[:10]}"


def test_extraction_reads_the_messages_as_the_pages_translate_them():
    """New-style gettext: every message is a %-format string, a literal % is written (and looked up) as %%."""
    source = '{{ _("10 %% de la base") }}\n{% trans n=k %}{{ n }} × 10 %{% endtrans %}\n{% trans %}5 %{% endtrans %}'
    lines = jinja2_messages_as_python(source).splitlines()
    assert lines == ["gettext('10 %% de la base')", "gettext('%(n)s × 10 %%')", "gettext('5 %%')"]
    with translation.override("fr"):
        assert render(source, k=3) == "10 % de la base\n3 × 10 %\n5 %"


def test_every_percent_sign_of_a_template_message_is_escaped():
    """`_("10 % de")` would raise at render time (or drop a character) under new-style gettext."""
    environment = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    environment.newstyle_gettext = True
    bad = []
    for path in JINJA2_TEMPLATES:
        for _line, _function, message in environment.extract_translations(path.read_text()):
            for string in message if isinstance(message, tuple) else (message,):
                if string and "%" in string.replace("%%", "").replace("%(", ""):
                    bad.append(f"{path.name}: {string}")
    assert not bad, bad


def test_translations_are_markup_and_variables_are_escaped():
    with translation.override("fr"):
        html = render(
            '{{ _("Nombre total d\'articles impayés") }} {% trans name=n %}Bonjour {{ name }}{% endtrans %}', n="<b>"
        )
    assert html == "Nombre total d'articles impayés Bonjour &lt;b&gt;"


def test_plain_text_templates_are_not_escaped():
    from types import SimpleNamespace

    order = SimpleNamespace(receipt_number="RA<1>")
    with translation.override("fr"):
        subject = engines["jinja2"].get_template("asvi_payment/email_subject.txt").render({"order": order})
    assert subject.endswith("reçu RA<1>")


def test_dates_are_shown_in_casablanca_time():
    paid = datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC)
    assert render('{{ paid|date("d/m/Y H:i") }}', paid=paid) == "01/04/2026 00:30"


def test_urls_follow_the_language_and_the_urlconf():
    with translation.override("ar"):
        assert jinja2env.url("accounts:login") == "/ar/compte/connexion/"
    with translation.override("fr"):
        assert jinja2env.url("accounts:login") == "/compte/connexion/"
        assert jinja2env.url("taawidaty:detail", public_id="00000000-0000-0000-0000-000000000001").startswith(
            "/taawidaty/demandes/"
        )


def test_lazy_translations_follow_the_active_language():
    from django.utils.translation import gettext, gettext_lazy

    label = gettext_lazy("Page d'accueil")
    for _round in range(2):  # the second round reads the memo
        with translation.override("ar"):
            assert str(label) == gettext("Page d'accueil") == "الصفحة الرئيسية"
        with translation.override("fr"):
            assert str(label) == gettext("Page d'accueil") == "Page d'accueil"


def test_memos_are_emptied_when_the_settings_they_depend_on_change():
    jinja2env.static("css/macnss.css")
    assert jinja2env._static_urls
    with override_settings(STATIC_URL="/autre/"):
        assert not jinja2env._static_urls
        assert jinja2env.static("css/macnss.css").startswith("/autre/")


@pytest.mark.django_db
def test_a_page_masks_its_csrf_token_once_for_all_its_forms(logged_in_client):
    import re

    html = logged_in_client.get("/compte/rib/").content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert len(tokens) == 3  # logout, language switch, the RIB form
    assert len(set(tokens)) == 1
    # A new page, a new masking.
    again = logged_in_client.get("/compte/rib/").content.decode()
    assert re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', again).group(1) != tokens[0]
