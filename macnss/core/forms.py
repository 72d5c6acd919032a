"""Form building blocks shared by every journey: crispy layout without <form> tag, dates as jj/mm/aaaa,
the captcha field with its labels, and field-level messages in the page's language."""

import re

from captcha.conf import settings as captcha_settings
from captcha.fields import CaptchaField, CaptchaTextInput
from captcha.models import CaptchaStore
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator, normalize_choices
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from macnss.core.form_rendering import PackField

DATE_PLACEHOLDER = _("jj/mm/aaaa")

# The keys django-simple-captcha writes (CaptchaStore.generate_key: a SHA-1 in hexadecimal).
CAPTCHA_KEY = re.compile(r"[0-9a-f]{40}")


class CrispyHelperMixin:
    """Rendered by `{% crispy form %}` inside the page's own <form>, after the error summary.

    A form whose fields depend on nothing but its class and the language (no choices from the database, no
    per-request attributes) sets `cache_unbound_fields = True`; its captcha is always rendered."""

    cache_unbound_fields = False

    @cached_property
    def helper(self) -> FormHelper:
        # Built at first use, so its layout holds the fields that __init__ methods added or removed.
        helper = FormHelper(self)
        helper.form_tag = False
        helper.disable_csrf = True
        once = self.cache_unbound_fields
        helper.layout = Layout(
            *(PackField(name, once=once and not isinstance(field, CaptchaField)) for name, field in self.fields.items())
        )
        return helper


class StaticChoices(BaseChoiceIterator):
    """A choice field's choices when they are the same for every form (document types, operators…):
    shared by the copies of the field that each form instance makes, instead of copied and normalized
    again for the field and its widget.

    Django keeps a BaseChoiceIterator as it is; a form that needs other choices assigns new ones."""

    def __init__(self, choices):
        self._choices = tuple(normalize_choices(choices))

    def __iter__(self):
        return iter(self._choices)

    def __getitem__(self, index):
        return self._choices[index]

    def __len__(self):
        return len(self._choices)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


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
    Its template is Jinja2, like the other widgets' (macnss.core.form_rendering.PortalFormRenderer)."""

    template_name = "macnss/captcha_widget.html"

    def __init__(self, label, **kwargs):
        super().__init__(**kwargs)
        self.label = label

    # [key, answer] of a captcha shown again unchecked (CaptchaFormMixin): the library's render() would
    # write a new captcha, and the person would solve another one to correct a date.
    kept: list | None = None

    def render(self, name, value, attrs=None, renderer=None):
        if self.kept is None:
            return super().render(name, value, attrs=attrs, renderer=renderer)
        return forms.MultiWidget.render(self, name, self.kept, attrs=attrs, renderer=renderer)

    def get_context(self, name, value, attrs):
        if self.kept is None:
            context = super().get_context(name, value, attrs)
        else:
            context = forms.MultiWidget.get_context(self, name, value, attrs)
            key = self.kept[0]
            context["image"] = reverse("captcha-image", kwargs={"key": key})
            context["audio"] = (
                reverse("captcha-audio", kwargs={"key": key}) if captcha_settings.CAPTCHA_FLITE_PATH else None
            )
        answer_box = context["widget"]["subwidgets"][1]
        answer_box["attrs"] = {**answer_box["attrs"], "aria-label": self.label}
        context["image_alt"] = _("Image contenant le code de vérification à recopier")
        context["audio_label"] = _("Écouter le code (audio)")
        return context


class PortalCaptchaField(CaptchaField):
    """django-simple-captcha's field and widget. The field only checks that the key and an answer came
    back; the form checks the answer (CaptchaFormMixin), once its other answers are valid."""

    def clean(self, value):
        # The library's clean() checks the answer here, before the form's other answers are known, and
        # purges expired captchas on every submission (the beat task purges them instead).
        forms.MultiValueField.clean(self, value)
        answer = (value[1] or "").strip().lower()
        if self.required and not answer:
            raise ValidationError(self.error_messages["required"], code="required")
        return [value[0], answer]

    @staticmethod
    def spend(hashkey: str, answer: str) -> bool:
        """Whether `answer` is the captcha's, which is spent whatever the answer (no second guess).

        Deleting the row is the check: of two submissions racing with the same key, only one deletes it."""
        captchas = CaptchaStore.objects.filter(hashkey=hashkey)
        if captcha_settings.CAPTCHA_TEST_MODE and answer == "passed":
            captchas.delete()
            return True
        right, _deleted = captchas.filter(response=answer, expiration__gt=timezone.now()).delete()
        if not right:
            captchas.delete()
        return bool(right)


class CaptchaFormMixin:
    """Checks the form's captcha in clean(), once the form has no other error, so that a form refused for
    another answer leaves it unchecked and unspent (the person fixes a date without a wasted guess).

    A form with a captcha runs its own checks first and then calls super().clean(); a form that must
    know the verdict sooner (a password checked only behind the captcha) calls check_captcha()."""

    captcha_passed: bool | None = None  # None until checked

    def captcha_name(self) -> str | None:
        return next((name for name, field in self.fields.items() if isinstance(field, PortalCaptchaField)), None)

    def check_captcha(self) -> bool:
        """True when the form has no captcha or its answer was right. Checked, and spent, at most once,
        and only while the form has no error."""
        name = self.captcha_name()
        if name is None:
            return True
        if self.captcha_passed is None and name in self.cleaned_data:
            hashkey, answer = self.cleaned_data[name]
            if self.errors:  # shown again as it is, unchecked, if its key is one the library writes
                self.fields[name].widget.kept = [hashkey, answer] if CAPTCHA_KEY.fullmatch(hashkey) else None
                return False
            self.captcha_passed = PortalCaptchaField.spend(hashkey, answer)
            if not self.captcha_passed:
                field = self.fields[name]
                self.add_error(name, ValidationError(field.error_messages["invalid"], code="invalid"))
        return bool(self.captcha_passed)

    def clean(self):
        cleaned = super().clean()
        self.check_captcha()
        return cleaned


class PortalForm(CaptchaFormMixin, CrispyHelperMixin, forms.Form):
    pass


class PortalModelForm(CaptchaFormMixin, CrispyHelperMixin, forms.ModelForm):
    pass


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
