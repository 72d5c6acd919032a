"""Django's smallest widget templates (`<input>`, `<select>` with its options, `<textarea>`, radio and checkbox
options), written in Python, and the form renderer that uses them before the TEMPLATES engines."""

# Kept for speed: as templates they cost a Jinja2 context and an attrs.html include per widget and per option,
# most of a form page (docs/PERFORMANCE.md); tests/core/test_widget_html.py compares them with Django's own.

from functools import cache

from django.forms.renderers import TemplatesSetting
from markupsafe import escape


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
