from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
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
        "temporary_expired": _(
            "Votre mot de passe temporaire a expiré (48 heures). Demandez-en un nouveau avec « Mot de passe oublié »."
        ),
    }

    def clean_username(self):
        value = self.cleaned_data["username"]
        # Agents log in to the admin with their own usernames; the portal form takes CNSS numbers.
        return clean_cnss_number(value)

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "temporary_password_expired", False):
                raise ValidationError(self.error_messages["temporary_expired"], code="temporary_expired") from None
            raise


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


class PreferencesForm(PortalForm):
    """«Mes préférences»: the language of the messages that are not about a request (those speak the
    language of the pages on which the request was made)."""

    preferred_language = forms.ChoiceField(
        label=_("Langue des SMS et des e-mails"),
        choices=StaticChoices([("fr", "Français"), ("ar", "العربية")]),
        widget=forms.RadioSelect,
        help_text=_(
            "Pour les messages de la CNSS qui ne concernent pas une demande (mot de passe, RIB, rappels). "
            "Les messages sur une demande sont écrits dans la langue dans laquelle vous l'avez faite."
        ),
        error_messages={"required": _("Choisissez la langue de vos messages.")},
    )
