"""The Jinja2 environment of every template but the admin's: pages, e-mails, receipts, the fields of the
"macnss" crispy pack and the form widgets (macnss.core.renderers).

Pages are Jinja2 rather than Django templates for speed (docs/PERFORMANCE.md): a page spends most of
its rendering time in three lookups, memoized here per process because their answers change only
with a deployment:
- `_("…")`: the translation of a message in the active language (Django's gettext);
- `url("name")`: a URL without arguments, in the active language (i18n_patterns), urlconf and prefix;
- `static("path")`: the hashed name of a static file (the manifest is read once at start-up).
The memos are bounded by the code (a few hundred messages × 2 languages), not by the traffic, and are
emptied when a test changes the settings they depend on.
"""

from django.core.signals import setting_changed
from django.template import defaultfilters
from django.templatetags.static import static as django_static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.timezone import template_localtime
from django.utils.translation import gettext
from jinja2 import ChainableUndefined, Environment, select_autoescape
from markupsafe import Markup

from macnss.core import template_filters
from macnss.core.form_rendering import field_widget, subwidget, widget_kind

_urls: dict[tuple, str] = {}
_static_urls: dict[str, str] = {}


def translated_markup(message: str) -> Markup:
    """`_("…")`: the translation of a message written in a template is trusted markup, as with
    {% translate %} (its apostrophes stay apostrophes)."""
    return Markup(gettext(message))  # noqa: S704 (the project's own catalogues, like the templates)


def _memoized_reverse(viewname: str, placeholder: str | None = None) -> str:
    """reverse(), per view name, language (i18n_patterns), urlconf and script prefix; with `placeholder`
    as the view's `key` argument."""
    memo_key = (viewname, placeholder, translation.get_language(), get_urlconf(), get_script_prefix())
    try:
        return _urls[memo_key]
    except KeyError:
        result = _urls[memo_key] = reverse(viewname, kwargs={"key": placeholder} if placeholder else None)
        return result


def url(viewname: str, *args, **kwargs) -> str:
    """reverse(); memoized when there are no arguments (most links of a page)."""
    if args or kwargs:
        return reverse(viewname, args=args, kwargs=kwargs)
    return _memoized_reverse(viewname)


_KEY = "KEYPLACEHOLDER"


def url_with_key(viewname: str, key: str) -> str:
    """reverse(viewname, kwargs={"key": key}) for a key of letters and digits (the captcha's image and
    audio): the rest of the URL is memoized as url()'s."""
    return _memoized_reverse(viewname, _KEY).replace(_KEY, key)


def static(path: str) -> str:
    try:
        return _static_urls[path]
    except KeyError:
        result = _static_urls[path] = django_static(path)
        return result


def date(value, format_string=None) -> str:
    """Django's `date` filter, on the value in the current time zone as Django templates convert it
    (a payment made at 23:30 UTC is dated the next day in Casablanca)."""
    return defaultfilters.date(template_localtime(value), format_string)


def in_language(language: str, caller) -> str:
    """`{% call in_language("ar") %}…{% endcall %}`: a part of a bilingual document in one language."""
    with translation.override(language):
        return caller()


def crispy(form) -> str:
    """`{{ crispy(form) }}`, what `{% crispy form %}` does in a Django template: the form's FormHelper
    renders its fields with the "macnss" pack (macnss.core.forms.PortalFormHelper.render_form)."""
    from crispy_forms.utils import render_crispy_form

    from macnss.core.forms import PortalFormHelper

    helper = getattr(form, "helper", None)
    if isinstance(helper, PortalFormHelper):
        return Markup(helper.render_form(form))  # noqa: S704 (escaped by the pack)
    return render_crispy_form(form)


def _forget(*, setting, **kwargs) -> None:
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"):
        _urls.clear()
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _urls.clear()
    if setting in ("STATIC_URL", "STORAGES", "STATICFILES_DIRS", "STATIC_ROOT"):
        _static_urls.clear()


setting_changed.connect(_forget, dispatch_uid="macnss-jinja2-memos")


def environment(**options) -> Environment:
    # Plain-text templates (e-mails) are not HTML-escaped; everything else always is.
    options.pop("autoescape", None)
    # Like the Django templates: a missing variable or attribute renders as nothing, `form.errors` on
    # a page without form included.
    options["undefined"] = ChainableUndefined
    # Compiled templates in a plain dictionary: Jinja2's default LRU cache moves a template to the end
    # of a list on every `extends` and `include`, a cost that grows with the number of templates. Ours
    # are bounded by the code.
    options.setdefault("cache_size", -1)
    env = Environment(
        extensions=["jinja2.ext.i18n"],
        autoescape=select_autoescape(disabled_extensions=("txt",), default_for_string=True, default=True),
        **options,
    )
    # "Old-style" gettext, as Django's tags: `{% trans %}` blocks format their variables, escaped
    # where the template escapes, into the translation; `_("…")` (below) is the translation.
    env.install_gettext_callables(
        gettext,
        translation.ngettext,
        pgettext=translation.pgettext,
        npgettext=translation.npgettext,
        newstyle=False,
    )
    env.globals.update(
        _=translated_markup,
        url=url,
        static=static,
        in_language=in_language,
        crispy=crispy,
        field_widget=field_widget,
        widget_kind=widget_kind,
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
