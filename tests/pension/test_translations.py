from pathlib import Path

import polib
from django.utils import translation

from pension.models import PensionRequestStatus

CATALOGUE = Path(__file__).resolve().parents[2] / "pension" / "locale" / "ar" / "LC_MESSAGES" / "django.po"


def test_every_arabic_entry_is_translated_and_not_fuzzy():
    po = polib.pofile(str(CATALOGUE))
    assert len(po) > 100
    assert not [e.msgid for e in po.untranslated_entries()]
    assert not [e.msgid for e in po.fuzzy_entries()]
    assert "fuzzy" not in po.metadata_as_entry().flags


def test_placeholders_survive_translation():
    import re

    for entry in polib.pofile(str(CATALOGUE)):
        placeholders = sorted(re.findall(r"%\(\w+\)s|%%", entry.msgid))
        assert sorted(re.findall(r"%\(\w+\)s|%%", entry.msgstr)) == placeholders, entry.msgid


def test_arabic_is_compiled_and_used():
    with translation.override("ar"):
        assert str(PensionRequestStatus.RECEIVED.label) == "متوصل به"
        assert translation.gettext("Nouvelle demande") == "طلب جديد"
