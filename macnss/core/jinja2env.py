"""The Jinja2 environment of the templates Jinja2 renders: form widgets (macnss.core.renderers) and
the fields of the "macnss" crispy pack (settings.TEMPLATES)."""

from jinja2 import Environment

from macnss.core.templatetags.portal_forms import field_widget, widget_kind


def environment(**options) -> Environment:
    # Django's backend passes autoescape=True already; say it here too, it must never be off.
    # markupsafe spells an escaped apostrophe &#39; where Django writes &#x27;: same text in a browser.
    env = Environment(autoescape=options.pop("autoescape", True), **options)
    env.globals.update(field_widget=field_widget, widget_kind=widget_kind)
    return env
