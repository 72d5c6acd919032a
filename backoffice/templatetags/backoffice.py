from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def other_languages(context):
    """(code, name, url) of the same admin page in each other language (/admin/… ↔ /ar/admin/…)."""
    request = context.get("request")
    if request is None:
        return []
    current = get_language()
    path = request.get_full_path()
    return [(code, name, translate_url(path, code)) for code, name in settings.LANGUAGES if code != current]
