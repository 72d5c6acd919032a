"""Form building blocks shared by every journey: crispy layout without <form> tag, dates as jj/mm/aaaa,
the captcha field with its labels, and field-level messages in the page's language."""

from captcha.conf import settings as captcha_settings
from captcha.fields import CaptchaField, CaptchaTextInput
from captcha.models import CaptchaStore
from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

DATE_PLACEHOLDER = _("jj/mm/aaaa")


class CrispyHelperMixin:
    """Rendered by `{% crispy form %}` inside the page's own <form>, after the error summary."""

    @cached_property
    def helper(self) -> FormHelper:
        # Built at first use, so its layout holds the fields that __init__ methods added or removed.
        helper = FormHelper(self)
        helper.form_tag = False
        helper.disable_csrf = True
        return helper


class PortalForm(CrispyHelperMixin, forms.Form):
    pass


class PortalModelForm(CrispyHelperMixin, forms.ModelForm):
    pass


class FrenchDateInput(forms.DateInput):
    """A text input typed jj/mm/aaaa in both languages (the seed's format), Western digits."""

    def __init__(self, attrs=None):
        base = {"placeholder": DATE_PLACEHOLDER, "inputmode": "numeric", "autocomplete": "off", "dir": "ltr"}
        super().__init__(attrs={**base, **(attrs or {})}, format="%d/%m/%Y")


def date_field(label, *, help_text=None, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"],
        widget=FrenchDateInput(),
        help_text=help_text or _("Au format jj/mm/aaaa, par exemple 23/04/1985."),
        error_messages={
            "required": _("Saisissez la date au format jj/mm/aaaa."),
            "invalid": _("Cette date n'existe pas ou n'est pas au format jj/mm/aaaa (par exemple 23/04/1985)."),
        },
        **kwargs,
    )


class LabelledCaptchaInput(CaptchaTextInput):
    """crispy renders the captcha as a fieldset; the answer box itself needs its own accessible name.
    Its template is Jinja2, like the other widgets' (macnss.core.renderers)."""

    template_name = "macnss/captcha_widget.html"

    def __init__(self, label, **kwargs):
        super().__init__(**kwargs)
        self.label = label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        answer_box = context["widget"]["subwidgets"][1]
        answer_box["attrs"] = {**answer_box["attrs"], "aria-label": self.label}
        context["image_alt"] = _("Image contenant le code de vérification à recopier")
        context["audio_label"] = _("Écouter le code (audio)")
        return context


class PortalCaptchaField(CaptchaField):
    """django-simple-captcha's check, without the library's purge of every expired captcha on each
    submission: a DELETE in a transaction of its own, on every form POST. The beat task
    `macnss.core.tasks.purge_expired_captchas` purges every 10 minutes instead.

    The check is the library's (0.7): an expired or unknown captcha is refused, and a captcha is
    deleted at its first attempt, right or wrong, so it cannot be brute-forced."""

    def clean(self, value):
        forms.MultiValueField.clean(self, value)  # required parts, as CaptchaField does
        hashkey, response = value[0], (value[1] or "").strip().lower()
        value[1] = ""  # never redisplay the answer
        if captcha_settings.CAPTCHA_TEST_MODE and response == "passed":
            CaptchaStore.objects.filter(hashkey=hashkey).delete()
        elif not self.required and not response:
            pass
        else:
            store = CaptchaStore.objects.filter(hashkey=hashkey, expiration__gt=timezone.now()).first()
            if store is not None:
                store.delete()
            if store is None or store.response != response:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        return value


def captcha_field(label=None) -> PortalCaptchaField:
    label = label or _("Code de vérification")
    return PortalCaptchaField(
        label=label,
        widget=LabelledCaptchaInput(label),
        help_text=_(
            "Recopiez les caractères de l'image. Illisible ? Le bouton « Nouvelle image », sous le formulaire, "
            "en affiche une autre sans effacer vos réponses."
        ),
        error_messages={
            "invalid": _("Le code de vérification ne correspond pas à l'image. Recopiez les nouveaux caractères."),
            "required": _("Recopiez le code de vérification affiché dans l'image."),
        },
    )
