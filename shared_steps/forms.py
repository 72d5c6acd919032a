"""Forms of the steps several journeys share."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.services import DIRECT_DEBIT_CONSENT_TEXT
from macnss.core.forms import CaptchaFormMixin, CrispyHelperMixin, PortalForm, captcha_field
from macnss.core.validators import normalize_digits, validate_rib


class OtpForm(PortalForm):
    code = forms.CharField(
        label=_("Code OTP reçu par SMS"),
        max_length=12,
        help_text=_("Le code à 6 chiffres envoyé par SMS. Il peut mettre une minute à arriver."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "dir": "ltr"}),
        error_messages={"required": _("Saisissez le code à 6 chiffres reçu par SMS.")},
    )

    def __init__(self, *args, with_captcha=False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_captcha:
            self.fields["captcha"] = captcha_field()

    def clean_code(self):
        code = "".join(ch for ch in self.cleaned_data["code"] if ch.isdigit())
        if len(code) != 6:
            raise ValidationError(_("Le code comporte 6 chiffres."), code="otp_format")
        return code


class BankDetailsForm(PortalForm):
    """The RIB and the direct-debit mandate: the account's «Mon RIB» page and the pension request."""

    rib = forms.CharField(
        label=_("RIB"),
        max_length=40,
        help_text=_("Les 24 chiffres de votre relevé d'identité bancaire (les espaces sont acceptés)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "dir": "ltr"}),
        error_messages={"required": _("Saisissez votre RIB (24 chiffres).")},
    )
    direct_debit_consent = forms.BooleanField(
        label=DIRECT_DEBIT_CONSENT_TEXT,
        error_messages={"required": _("Cochez la case pour autoriser le prélèvement automatique des cotisations.")},
    )

    def clean_rib(self):
        value = self.cleaned_data["rib"]
        validate_rib(value)
        return normalize_digits(value)


class PortalSetPasswordForm(CaptchaFormMixin, CrispyHelperMixin, SetPasswordForm):
    """Django's SetPasswordForm and password validators, with the portal's labels and messages."""

    new_password1 = forms.CharField(
        label=_("Nouveau mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Au moins 12 caractères. Une phrase facile à retenir convient très bien."),
        error_messages={"required": _("Choisissez un nouveau mot de passe.")},
    )
    new_password2 = forms.CharField(
        label=_("Confirmez le nouveau mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Saisissez à nouveau le nouveau mot de passe.")},
    )
    error_messages = {"password_mismatch": _("Les deux mots de passe ne sont pas identiques.")}

    def validate_password_for_user(self, user, password_field_name="new_password2"):  # noqa: S107 - a field name
        # The validators' messages go next to the password the person typed, not its confirmation.
        super().validate_password_for_user(user, "new_password1")


class ChoosePasswordForm(PortalSetPasswordForm):
    """The password a person chooses right after the SMS code, with the same rules as everywhere in the
    portal. `user` may be an unsaved account, so that the validators can compare the password with the
    person's number and name."""
