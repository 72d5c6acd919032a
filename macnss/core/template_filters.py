"""The portal's own template filters (registered in macnss.core.jinja2env)."""

from decimal import Decimal

from captcha.fields import CaptchaTextInput

from macnss.core.validators import format_rib


def error_anchor(bound_field) -> str:
    """The id the error-summary link should target: the input itself, the first one for radios."""
    widget = bound_field.field.widget
    base = bound_field.auto_id
    if getattr(widget, "input_type", "") in ("radio",) or widget.__class__.__name__ in (
        "RadioSelect",
        "CheckboxSelectMultiple",
    ):
        return f"{base}_0"
    if isinstance(widget, CaptchaTextInput):  # the answer box, not the hidden key
        return f"{base}_1"
    return base


def rib(value: str) -> str:
    return format_rib(value or "")


def amount(value) -> str:
    """Amounts as the CNSS guides print them: 1467.06, Western digits, dot separator, in any language."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):.2f}"


def ddmmyyyy(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""
