from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.exceptions import ValidationError

from macnss.core.forms import CrispyHelperMixin, PortalForm, StaticChoices, captcha_field, date_field
from macnss.core.translation import gettext_lazy as _
from macnss.core.validators import (
    normalize_digits,
    normalize_identity_number,
    validate_cnss_number,
    validate_identity_number,
    validate_rib,
)

from .models import IdentityDocumentType
from .services import DIRECT_DEBIT_CONSENT_TEXT


def cnss_number_field() -> forms.CharField:
    return forms.CharField(
        label=_("Numéro d'immatriculation"),
        max_length=12,
        help_text=_("Les 9 chiffres de votre numéro CNSS."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "username", "dir": "ltr"}),
        error_messages={"required": _("Saisissez votre numéro d'immatriculation (9 chiffres).")},
    )


def clean_cnss_number(value: str) -> str:
    number = normalize_digits(value)
    validate_cnss_number(number)
    return number


class LoginForm(CrispyHelperMixin, AuthenticationForm):
    cache_unbound_fields = True  # static fields (macnss.core.forms.PortalFormHelper)
    username = cnss_number_field()
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Saisissez votre mot de passe.")},
    )
    error_messages = {
        "invalid_login": _(
            "Numéro d'immatriculation ou mot de passe incorrect. Après 5 essais erronés, l'accès est bloqué 30 minutes."
        ),
        "inactive": _("Ce compte est désactivé. Contactez le service client."),
    }

    def clean_username(self):
        value = self.cleaned_data["username"]
        # Agents log in to the admin with their own usernames; the portal form takes CNSS numbers.
        return clean_cnss_number(value)


class BankDetailsForm(PortalForm):
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


class PortalPasswordChangeForm(PortalForm):
    old_password = forms.CharField(
        label=_("Mot de passe actuel"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Saisissez votre mot de passe actuel.")},
    )
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

    def __init__(self, user, *args, require_old=True, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if not require_old:
            del self.fields["old_password"]

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise ValidationError(_("Le mot de passe actuel est incorrect."), code="password_incorrect")
        return value

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", _("Les deux mots de passe ne sont pas identiques."))
        elif p1:
            try:
                password_validation.validate_password(p1, self.user)
            except ValidationError as exc:
                self.add_error("new_password1", exc)
            if self.user.check_password(p1):
                self.add_error("new_password1", _("Choisissez un mot de passe différent du mot de passe actuel."))
        return cleaned


class NumberAndCaptchaForm(PortalForm):
    number = cnss_number_field()
    captcha = captcha_field()

    def clean_number(self):
        return clean_cnss_number(self.cleaned_data["number"])


class IdentityForm(PortalForm):
    """Who are you: identity document and birth date (seed 004, recovering a lost number)."""

    id_document_type = forms.ChoiceField(
        label=_("Type de la pièce d'identité"),
        choices=StaticChoices(IdentityDocumentType.choices),
        error_messages={"required": _("Choisissez le type de votre pièce d'identité.")},
    )
    id_document_number = forms.CharField(
        label=_("Numéro de la pièce d'identité"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr", "autocapitalize": "characters"}),
        error_messages={"required": _("Saisissez le numéro de votre pièce d'identité.")},
    )
    birth_date = date_field(_("Date de naissance"))
    captcha = captcha_field()

    def clean(self):
        cleaned = super().clean()
        doc_type, number = cleaned.get("id_document_type"), cleaned.get("id_document_number")
        if doc_type and number:
            try:
                validate_identity_number(doc_type, number)
                cleaned["id_document_number"] = normalize_identity_number(number)
            except ValidationError as exc:
                self.add_error("id_document_number", exc)
        return cleaned


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


class OtpPasswordResetForm(OtpForm):
    new_password1 = PortalPasswordChangeForm.base_fields["new_password1"]
    new_password2 = PortalPasswordChangeForm.base_fields["new_password2"]

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", _("Les deux mots de passe ne sont pas identiques."))
        elif p1:
            try:
                password_validation.validate_password(p1)
            except ValidationError as exc:
                self.add_error("new_password1", exc)
        return cleaned


class SignupForm(PortalForm):
    """«Créer un compte» (issue 16 §1): the 9-digit number or the CNIE number, the ID's expiry, the birth date."""

    identifier = forms.CharField(
        label=_("Numéro d'immatriculation ou numéro de CNIE"),
        max_length=20,
        help_text=_(
            "Les 9 chiffres de votre numéro CNSS, ou le numéro de votre CNIE (par exemple AB123456). "
            "Avec une carte de séjour ou un passeport, saisissez votre numéro d'immatriculation."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "username", "dir": "ltr", "autocapitalize": "characters"}),
        error_messages={
            "required": _("Saisissez votre numéro d'immatriculation (9 chiffres) ou le numéro de votre CNIE."),
            "max_length": _("Ce numéro comporte au plus 20 caractères."),
        },
    )
    id_document_expiry = date_field(
        _("Date d'expiration de la pièce d'identité"), help_text=_("Au format jj/mm/aaaa, par exemple 30/06/2031.")
    )
    birth_date = date_field(_("Date de naissance"))
    captcha = captcha_field()

    def clean_identifier(self):
        value = normalize_identity_number(normalize_digits(self.cleaned_data["identifier"]))
        if value.isdigit():
            try:
                validate_cnss_number(value)
            except ValidationError:
                raise ValidationError(
                    _(
                        "Un numéro d'immatriculation comporte 9 chiffres ; un numéro de CNIE commence par 1 ou 2 lettres."
                    ),
                    code="identifier_format",
                ) from None
            return value
        validate_identity_number(IdentityDocumentType.CNIE, value)
        return value


class ChoosePasswordForm(CrispyHelperMixin, SetPasswordForm):
    """The password a person chooses right after the SMS code: Django's SetPasswordForm and password
    validators (the same rules as everywhere in the portal). `user` may be an unsaved account, so that
    the validators can compare the password with the person's number and name."""

    new_password1 = PortalPasswordChangeForm.base_fields["new_password1"]
    new_password2 = PortalPasswordChangeForm.base_fields["new_password2"]
    error_messages = {"password_mismatch": _("Les deux mots de passe ne sont pas identiques.")}

    def validate_password_for_user(self, user, password_field_name="new_password2"):  # noqa: S107 - a field name
        # The validators' messages go next to the password the person typed, not its confirmation.
        super().validate_password_for_user(user, "new_password1")
