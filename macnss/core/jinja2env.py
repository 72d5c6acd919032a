"""The Jinja2 environment of every template but the admin's: pages, e-mails, receipts, the "macnss" crispy
pack and Django's form widgets (settings.FORM_RENDERER renders them with the TEMPLATES engines)."""

from crispy_forms.utils import render_crispy_form
from django.core.signals import setting_changed
from django.template import defaultfilters
from django.templatetags.static import static as django_static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.timezone import template_localtime
from jinja2 import ChainableUndefined, Environment, select_autoescape
from markupsafe import Markup

from macnss.core import template_filters
from macnss.core.form_rendering import option_tag, subwidget, widget_attrs, widget_kind

# Memos: reverse() and static() are the dearest lookups a page repeats, and their answers change only with the settings.
_urls: dict[tuple, str] = {}
_static_urls: dict[str, str] = {}


def url(viewname: str, *args, **kwargs) -> str:
    """reverse(); memoized per language (i18n_patterns), urlconf and script prefix when without arguments."""
    if args or kwargs:
        return reverse(viewname, args=args, kwargs=kwargs)
    key = (viewname, translation.get_language(), get_urlconf(), get_script_prefix())
    if key not in _urls:
        _urls[key] = reverse(viewname)
    return _urls[key]


def static(path: str) -> str:
    if path not in _static_urls:
        _static_urls[path] = django_static(path)
    return _static_urls[path]


def _forget(*, setting, **kwargs) -> None:
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _urls.clear()
    if setting in ("STATIC_URL", "STORAGES", "STATICFILES_DIRS", "STATIC_ROOT"):
        _static_urls.clear()


setting_changed.connect(_forget, dispatch_uid="macnss-jinja2-memos")


def crispy(form) -> Markup:
    """`{{ crispy(form) }}`, what `{% crispy form %}` writes in a Django template."""
    return Markup(render_crispy_form(form))  # noqa: S704 (the pack's templates, which escape)


def date(value, format_string=None) -> str:
    """Django's `date` filter, on the value in the current time zone as Django templates convert it
    (a payment made at 23:30 UTC is dated the next day in Casablanca)."""
    return defaultfilters.date(template_localtime(value), format_string)


def in_language(language: str, caller) -> str:
    """`{% call in_language("ar") %}…{% endcall %}`: a part of a bilingual document in one language."""
    with translation.override(language):
        return caller()


def environment(**options) -> Environment:
    # Plain-text templates (e-mails) are not HTML-escaped; everything else always is.
    options.pop("autoescape", None)
    # Like the Django templates: a missing variable or attribute renders as nothing, `form.errors` on
    # a page without form included.
    options["undefined"] = ChainableUndefined
    env = Environment(
        extensions=["jinja2.ext.i18n"],
        autoescape=select_autoescape(disabled_extensions=("txt",), default_for_string=True, default=True),
        **options,
    )
    # Django's gettext behind Jinja2's `_()` and `{% trans %}`. New-style: under autoescape a translation is
    # markup and the variables formatted into it are escaped; every message is a %-format string ("%%").
    env.install_gettext_callables(
        translation.gettext,
        translation.ngettext,
        pgettext=translation.pgettext,
        npgettext=translation.npgettext,
        newstyle=True,
    )
    env.globals.update(
        url=url,
        static=static,
        in_language=in_language,
        crispy=crispy,
        widget_kind=widget_kind,
        widget_attrs=widget_attrs,
        option_tag=option_tag,
        subwidget=subwidget,
    )
    env.filters.update(
        amount=template_filters.amount,
        rib=template_filters.rib,
        ddmmyyyy=template_filters.ddmmyyyy,
        error_anchor=template_filters.error_anchor,
        date=date,
        yesno=defaultfilters.yesno,
        filesizeformat=defaultfilters.filesizeformat,
        capfirst=defaultfilters.capfirst,
    )
    return env
