"""The Arabic catalogues are complete: no untranslated and no fuzzy entry, in the project and in every app."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUES = sorted(
    p
    for p in Path(settings.BASE_DIR).glob("**/locale/ar/LC_MESSAGES/django.po")
    if ".venv" not in p.parts and "site-packages" not in p.parts
)


def test_there_is_an_arabic_catalogue():
    assert Path(settings.BASE_DIR, "locale/ar/LC_MESSAGES/django.po") in CATALOGUES


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_catalogue_is_complete(path):
    po = polib.pofile(str(path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated in {path}: {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {path}: {fuzzy[:5]}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_placeholders_survive_translation(path):
    import re

    pattern = re.compile(r"%\(\w+\)[sd]")
    for entry in polib.pofile(str(path)).translated_entries():
        if entry.msgid_plural:
            # Arabic has six plural forms; each must keep the placeholders of the plural source.
            expected = sorted(set(pattern.findall(entry.msgid_plural)))
            for form in entry.msgstr_plural.values():
                assert sorted(set(pattern.findall(form))) <= expected, entry.msgid
        else:
            assert sorted(pattern.findall(entry.msgid)) == sorted(pattern.findall(entry.msgstr)), entry.msgid
