"""The "macnss" crispy template pack's field markup, written in Python (`field_html`), and its helpers.

crispy-bootstrap5 chooses a widget's classes with some forty template conditions per field; the same
choice in Python costs a few microseconds, which matters on the form pages (docs/PERFORMANCE.md). The
field itself is written by `field_html`, character for character as the pack's reference template
macnss/core/jinja2/macnss/field.html; tests/core/test_form_rendering.py compares the two on every field
of every form of the portal. A template costs a context and an attribute lookup per `{{ }}`: on a form
page with errors, a tenth of the request.
"""

from django import forms
from django.forms.boundfield import BoundField, BoundWidget
from django.forms.renderers import get_default_renderer
from markupsafe import Markup

from macnss.core.widget_html import escape


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


def _required(required: bool) -> tuple[str, str]:
    """The label's extra class and the asterisk after it."""
    return (" requiredField", '<span class="asteriskField">*</span>') if required else ("", "")


def _help_and_errors(field: BoundField, auto_id: str) -> str:
    parts = []
    errors = field.errors
    if errors:
        parts.append(f'<div id="{auto_id}_error" class="invalid-feedback">')
        for index, error in enumerate(errors, start=1):
            parts.append(f'<p id="error_{index}_{auto_id}"><strong>{escape(error)}</strong></p>')
        parts.append("</div>")
    if field.help_text:
        parts.append(f'<div id="{auto_id}_helptext" class="form-text">{escape(field.help_text)}</div>')
    return "".join(parts)


def field_html(field: BoundField) -> Markup:
    """One field in the pack's markup: label, widget with crispy-bootstrap5's classes, messages, help."""
    if field.is_hidden:
        return Markup(escape(field))  # noqa: S704 (the widget's own markup)
    kind = widget_kind(field)
    required_class, asterisk = _required(field.field.required)
    auto_id = escape(field.auto_id)
    label = escape(field.label)
    below = _help_and_errors(field, auto_id)
    if kind == "checkbox":
        html = (
            f'\n<div class="mb-3"><div id="div_{auto_id}" class="form-check">{field_widget(field, "form-check-input")}'
            f'\n<label for="{escape(field.id_for_label)}" class="form-check-label{required_class}">{label}{asterisk}'
            f"</label>{below}</div></div>"
        )
    elif field.use_fieldset:
        described = field.aria_describedby
        described = f' aria-describedby="{escape(described)}"' if described else ""
        if kind == "radio":
            options = "".join(
                f'<div class="form-check">{field_widget(option, "form-check-input", field)}'
                f'<label for="{escape(option.id_for_label)}" class="form-check-label">{escape(option.choice_label)}'
                "</label></div>"
                for option in field
            )
            widget = f"<div>{options}</div>"
        else:
            widget = field_widget(field, "form-control")
        html = (
            f'\n<div id="div_{auto_id}" class="mb-3"><fieldset{described}><legend class="form-label{required_class} fs-6">'
            f"{label}{asterisk}</legend>\n{widget}{below}</fieldset></div>"
        )
    else:
        widget = field_widget(field, "form-select" if kind == "select" else "form-control")
        html = (
            f'\n<div id="div_{auto_id}" class="mb-3"><label for="{escape(field.id_for_label)}" '
            f'class="form-label{required_class}">{label}{asterisk}</label>\n{widget}{below}</div>'
        )
    return Markup(html)  # noqa: S704 (every value escaped above; a help text marked safe by the project stays markup)
