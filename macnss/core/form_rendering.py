"""Everything that writes a form's markup, in one place: the "macnss" crispy pack's field template
(macnss/core/jinja2/macnss/field.html) is the one copy of a field's markup; this module holds what that
template asks of Python (which markup a widget needs, crispy-bootstrap5's classes passed to Django's widget
rendering as extra attributes: a widget's `attrs` are never changed) and the form renderer, which writes
Django's smallest widget templates in Python."""

from functools import cache

from crispy_forms.layout import LayoutObject
from crispy_forms.utils import TEMPLATE_PACK
from django import forms
from django.conf import settings
from django.forms.boundfield import BoundField, BoundWidget
from django.forms.renderers import TemplatesSetting, get_default_renderer
from django.template.loader import get_template
from django.utils.translation import get_language
from markupsafe import Markup, escape


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
    Python writers below serve it as they serve every other widget."""
    html = get_default_renderer().render(widget["template_name"], {"widget": widget})
    return Markup(html)  # noqa: S704 (the renderer's output, escaped by it)


# A field of an unbound form is the same for every visitor: rendered once per process and language.
# Bounded by the code (a few forms × fields × 2 languages), not by the traffic.
_UNBOUND_FIELD_HTML: dict[tuple, str] = {}


class PackField(LayoutObject):
    """One field, written by the "macnss" pack's field template with nothing but the field: crispy's own
    render_field flattens the whole page context into every field's (docs/PERFORMANCE.md). A crispy layout
    object, crispy's documented extension point; with `once`, kept in _UNBOUND_FIELD_HTML while the form is
    unbound and has no initial value for it."""

    template_name = "macnss/field.html"

    def __init__(self, name: str, *, once: bool = False):
        self.fields = [name]
        self.once = once

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        name = self.fields[0]
        form.rendered_fields.add(name)
        if not self.once or form.is_bound or name in form.initial or settings.DEBUG:
            return self.render_field(form[name])
        key = (type(form), form.prefix, form.auto_id, get_language(), name)
        if key not in _UNBOUND_FIELD_HTML:
            _UNBOUND_FIELD_HTML[key] = self.render_field(form[name])
        return _UNBOUND_FIELD_HTML[key]

    def render_field(self, field) -> str:
        return get_template(self.template_name, using="jinja2").render({"field": field})


# Kept for speed: as templates they cost a Jinja2 context and an attrs.html include per widget and per option,
# most of a form page (docs/PERFORMANCE.md); tests/core/test_widget_html.py compares them with Django's own.


@cache
def _name(name: str) -> str:
    """An attribute name, escaped once: names come from the code, not from users."""
    return escape(name)


def _attrs(attrs: dict) -> str:
    """attrs.html: ` name="value"`, ` name` for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_name(name)}" if value is True else f' {_name(name)}="{escape(value)}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    value = widget["value"]
    value_attr = f' value="{escape(value)}"' if value is not None else ""
    return (
        f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value_attr}{_attrs(widget["attrs"])}>'
    )


def _input_option(widget: dict) -> str:
    html = _input(widget)
    if widget.get("wrap_label"):
        label_for = f' for="{escape(widget["attrs"]["id"])}"' if widget["attrs"].get("id") else ""
        html = f"<label{label_for}>{html} {escape(widget['label'])}</label>"
    return html


def _option(widget: dict) -> str:
    return f'<option value="{escape(widget["value"])}"{_attrs(widget["attrs"])}>{escape(widget["label"])}</option>'


def _select(widget: dict) -> str:
    parts = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != "django/forms/widgets/select_option.html":
                raise _NotOurs
            parts.append(f"\n  {_option(option)}")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: dict) -> str:
    value = escape(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


class _NotOurs(Exception):
    """A widget these functions do not know after all: the template renders it."""


_WIDGETS = "django/forms/widgets/"
RENDERERS = {
    **{
        f"{_WIDGETS}{name}.html": _input
        for name in ("input", "text", "email", "password", "hidden", "date", "number", "url", "checkbox", "file")
    },
    **{f"{_WIDGETS}{name}.html": _input_option for name in ("input_option", "radio_option", "checkbox_option")},
    f"{_WIDGETS}select.html": _select,
    f"{_WIDGETS}select_option.html": _option,
    f"{_WIDGETS}textarea.html": _textarea,
}


def render(template_name: str, context: dict) -> str | None:
    """The widget's HTML, or None when the template must render it."""
    try:
        function = RENDERERS.get(template_name)
        return None if function is None else function(context["widget"])
    except _NotOurs:
        return None


class PortalFormRenderer(TemplatesSetting):
    """Django's TemplatesSetting renderer (Django's Jinja2 widget templates, the admin's through the Django
    engine), with the widgets above written in Python."""

    def render(self, template_name, context, request=None):
        html = render(template_name, context)
        return super().render(template_name, context, request=request) if html is None else html
