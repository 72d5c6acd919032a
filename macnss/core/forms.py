"""Form building blocks shared by every journey: crispy layout without <form> tag, dates as jj/mm/aaaa,
the captcha field with its labels, and field-level messages in the page's language."""

from captcha.fields import CaptchaField, CaptchaTextInput
from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

DATE_PLACEHOLDER = _("jj/mm/aaaa")


class PortalForm(forms.Form):
    """Rendered by `{% crispy form %}` inside the page's own <form>, after the error summary."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rebuild_layout()

    def rebuild_layout(self) -> None:
        """Call again after adding or removing fields."""
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class PortalModelForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True


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


def captcha_field(label=None) -> CaptchaField:
    label = label or _("Code de vérification")
    return CaptchaField(
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
