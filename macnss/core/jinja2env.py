"""The Jinja2 environment of the templates Jinja2 renders: form widgets (macnss.core.renderers) and
the fields of the "macnss" crispy pack (settings.TEMPLATES)."""

from django.utils.html import conditional_escape
from jinja2 import Environment

from macnss.core.templatetags.portal_forms import field_widget, widget_kind


def environment(**options) -> Environment:
    # Django's backend passes autoescape=True already; say it here too, it must never be off.
    # Escaping through Django's conditional_escape keeps one spelling of entities across the site
    # (d&#x27;identité, as in the Django templates, rather than markupsafe's d&#39;identité).
    env = Environment(
        autoescape=options.pop("autoescape", True),
        finalize=lambda value: conditional_escape(value),
        **options,
    )
    env.globals.update(field_widget=field_widget, widget_kind=widget_kind)
    return env
