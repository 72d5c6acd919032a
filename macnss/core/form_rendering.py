"""What the "macnss" crispy pack's field template (macnss/core/jinja2/macnss/field.html) asks of Python: which
markup a widget needs, and crispy-bootstrap5's classes for it, passed to Django's own widget rendering as
extra attributes (the widget's `attrs` are never changed)."""

from django import forms
from django.forms.boundfield import BoundField, BoundWidget
from django.forms.renderers import get_default_renderer
from markupsafe import Markup


def widget_kind(field: BoundField) -> str:
    """Which markup the field needs: "checkbox", "radio", "select" or "input"."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.RadioSelect):
        return "radio"
    if isinstance(widget, forms.Select):
        return "select"
    return "input"


def _classes(present: str, *classes: str) -> str:
    names = present.split()
    return " ".join(names + [c for c in classes if c and c not in names])


def widget_attrs(field: BoundField, css_class: str) -> dict:
    """The attributes for `field.as_widget(attrs=…)`: the widget's own classes, then its class name, `css_class`
    and `is-invalid` when the field has errors, as crispy-bootstrap5 writes them."""
    widget = field.field.widget
    invalid = "is-invalid" if field.errors else ""
    return {"class": _classes(widget.attrs.get("class", ""), type(widget).__name__.lower(), css_class, invalid)}


def option_tag(option: BoundWidget, field: BoundField, css_class: str) -> str:
    """One radio option with `css_class` (and `is-invalid`), rendered from a copy of its attributes."""
    attrs = option.data["attrs"]
    invalid = "is-invalid" if field.errors else ""
    data = {**option.data, "attrs": {**attrs, "class": _classes(attrs.get("class", ""), css_class, invalid)}}
    return BoundWidget(option.parent_widget, data, option.renderer).tag()


def subwidget(widget: dict) -> Markup:
    """One part of a multi-widget (the captcha's key and answer box) through the form renderer, so that the
    Python writer of macnss.core.widget_html serves it as it serves every other widget."""
    html = get_default_renderer().render(widget["template_name"], {"widget": widget})
    return Markup(html)  # noqa: S704 (the renderer's output, escaped by it)
