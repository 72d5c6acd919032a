"""Helpers of the "macnss" crispy template pack (macnss/core/jinja2/macnss/field.html).

crispy-bootstrap5 chooses a widget's classes with some forty template conditions per field; the same
choice in Python costs a few microseconds, which matters on the form pages (docs/PERFORMANCE.md).
"""

from django import forms
from django.forms.boundfield import BoundField, BoundWidget
from django.forms.renderers import get_default_renderer
from markupsafe import Markup


def widget_kind(bound_field: BoundField) -> str:
    """Which markup the field needs: "checkbox", "radio", "select" or "input"."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.RadioSelect):
        return "radio"
    if isinstance(widget, forms.Select):
        return "select"
    return "input"


def _add_classes(attrs: dict, *classes: str) -> None:
    present = attrs.get("class", "").split()
    attrs["class"] = " ".join(present + [c for c in classes if c and c not in present])


def field_widget(bound, css_class: str, parent: BoundField | None = None):
    """Render a field's widget (or one radio option) with the bootstrap5 classes crispy would add:
    the widget's class name, `css_class`, and `is-invalid` when the field has errors."""
    if isinstance(bound, BoundWidget):  # one option of a radio list
        invalid = "is-invalid" if parent is not None and parent.errors else ""
        _add_classes(bound.data["attrs"], css_class, invalid)
        return bound.tag()
    invalid = "is-invalid" if bound.errors else ""
    widget = bound.field.widget
    # A multi-widget (the captcha) gets the classes on each of its inputs, as with crispy.
    for part in getattr(widget, "widgets", [widget]):
        _add_classes(part.attrs, part.__class__.__name__.lower(), css_class, invalid)
    return bound.as_widget()


def subwidget(widget: dict) -> Markup:
    """One part of a multi-widget (the captcha's key and answer box), written by the form renderer,
    so through macnss.core.widget_html rather than a template include."""
    html = get_default_renderer().render(widget["template_name"], {"widget": widget})
    return Markup(html)  # noqa: S704 (the renderer's output, escaped by it)
