from django.conf import settings
from django.utils import translation


def page_language() -> str:
    """The language of the page being served, stored on a request's row: messages about that request
    (SMS, e-mail) speak it, whatever the person's preference («Mes préférences») says for the others."""
    code = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
