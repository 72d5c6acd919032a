"""Forms of the steps several journeys share."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.services import DIRECT_DEBIT_CONSENT_TEXT
from macnss.core.forms import PortalForm, captcha_field
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
