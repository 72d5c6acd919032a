"""Translations of the portal's own messages, memoized per language and process.

A form page with errors asked Django for some sixty translations (labels, help texts, messages,
choices, and the template's own text), each a walk through every loaded catalogue: a tenth of the
request (docs/PERFORMANCE.md). The catalogues change only with a deployment, so each answer is
kept: a dictionary lookup. The memo is bounded by the code (a few hundred messages × 2 languages),
not by the traffic, and is emptied when a test changes the language settings.

Forms, models and validators import `gettext_lazy as _` from here instead of from Django.
"""

from django.core.signals import setting_changed
from django.utils import translation
from django.utils.functional import lazy
from django.utils.safestring import SafeData

_translations: dict[tuple, str] = {}


def gettext(message: str) -> str:
    key = (translation.get_language(), message)
    try:
        return _translations[key]
    except KeyError:
        pass
    result = translation.gettext(message)
    if not isinstance(message, SafeData):  # Django marks the translation of safe text safe: keep that
        _translations[key] = result
    return result


gettext_lazy = lazy(gettext, str)


def _forget(*, setting, **kwargs) -> None:
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"):
        _translations.clear()


setting_changed.connect(_forget, dispatch_uid="macnss-translation-memo")


def page_language() -> str:
    """The language of the page being served, stored on a request's row: messages about that request
    (SMS, e-mail) speak it, whatever the person's preference («Mes préférences») says for the others."""
    from django.conf import settings

    code = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
