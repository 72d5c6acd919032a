"""Django's smallest widget templates, written in Python: `<input>`, `<select>` with its options,
`<textarea>`, the radio and checkbox options, and the portal's captcha widget.

Each is a line or two of template, but rendering it costs a Jinja2 context and an include of
`attrs.html` per widget and per option: on a form page with errors, about fifty templates and a
third of the request (docs/PERFORMANCE.md). The functions below write the same characters as
Django's Jinja2 templates (django/forms/jinja2/django/forms/widgets/); tests/core/test_widget_html.py
compares them on every field of every form of the portal. Any other template is rendered as usual.
"""

from functools import cache

# markupsafe.escape's characters and entities (what Jinja2's autoescape writes), as a plain string: a
# form page escapes some two hundred attribute names and values, and building a Markup for each was a
# tenth of its rendering. An object with __html__ (already safe markup) is written as it is, as there.
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})


def escape(value) -> str:
    html = getattr(value, "__html__", None)
    return html() if html is not None else str(value).translate(_ENTITIES)


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


def _captcha(context: dict) -> str:
    """macnss/core/jinja2/macnss/captcha_widget.html: the image, the audio link, then the key and the
    answer box (each written by the function of its own template)."""
    audio = context.get("audio")
    audio_link = (
        f'<a href="{escape(audio)}" class="captcha-audio">{escape(context["audio_label"])}</a>' if audio else ""
    )
    parts = [
        f'<div class="captcha"><img src="{escape(context["image"])}" alt="{escape(context["image_alt"])}" '
        f'class="captcha-image" width="150" height="50">{audio_link}</div>'
    ]
    for part in context["widget"]["subwidgets"]:
        html = render(part["template_name"], {"widget": part})
        if html is None:
            raise _NotOurs
        parts.append(html)
    return "".join(parts)


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


# Templates whose function needs the whole context, not only the widget.
WHOLE_CONTEXT = {"macnss/captcha_widget.html": _captcha}


def render(template_name: str, context: dict) -> str | None:
    """The widget's HTML, or None when the template must render it."""
    try:
        if template_name in WHOLE_CONTEXT:
            return WHOLE_CONTEXT[template_name](context)
        function = RENDERERS.get(template_name)
        return None if function is None else function(context["widget"])
    except _NotOurs:
        return None
