from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from macnss.core.forms import (
    CaptchaFormMixin,
    CrispyHelperMixin,
    PortalForm,
    StaticChoices,
    captcha_field,
    date_field,
)
from macnss.core.validators import (
    clean_cnss_number,
    normalize_digits,
    normalize_identity_number,
    validate_cnss_number,
    validate_identity_number,
)
from shared_steps.forms import OtpForm, PortalSetPasswordForm

from . import login_guard
from .login_guard import normalize_login_identifier
from .models import IdentityDocumentType


def cnss_number_field() -> forms.CharField:
    return forms.CharField(
        label=_("Numéro d'immatriculation"),
        max_length=12,
        help_text=_("Les 9 chiffres de votre numéro CNSS."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "username", "dir": "ltr"}),
        error_messages={"required": _("Saisissez votre numéro d'immatriculation (9 chiffres).")},
    )


def clean_login_identifier(value: str) -> str:
    """The 9-digit number or a CIN/CNIE number, whatever the case and spaces typed."""
    identifier = normalize_login_identifier(value)
    if identifier.isdigit():
        validate_cnss_number(identifier)
        return identifier
    try:
        validate_identity_number(IdentityDocumentType.CNIE, identifier)
    except ValidationError:
        raise ValidationError(
            _(
                "Saisissez les 9 chiffres de votre numéro d'immatriculation, ou le numéro de votre CIN "
                "(1 ou 2 lettres suivies de chiffres, par exemple AB123456)."
            ),
            code="login_identifier",
        ) from None
    return identifier


class LoginForm(CaptchaFormMixin, CrispyHelperMixin, AuthenticationForm):
    """Seed 004: «Numéro d'immatriculation ou CIN» and the password, judged by accounts.login_guard."""

    cache_unbound_fields = True  # static fields; the captcha is always rendered (macnss.core.forms)
    username = forms.CharField(
        label=_("Numéro d'immatriculation ou CIN"),
        max_length=20,
        help_text=_(
            "Les 9 chiffres de votre numéro CNSS, ou le numéro de votre CIN (par exemple AB123456). "
            "Avec une carte de séjour ou un passeport, utilisez votre numéro d'immatriculation."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "dir": "ltr", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages={"required": _("Saisissez votre numéro d'immatriculation ou votre numéro de CIN.")},
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Saisissez votre mot de passe.")},
    )
    error_messages = {
        "invalid_login": _(
            "Numéro d'immatriculation, CIN ou mot de passe incorrect. Vérifiez-les et réessayez, ou choisissez "
            "« Mot de passe oublié »."
        ),
        "inactive": _("Ce compte est désactivé. Contactez le service client."),
    }

    def __init__(self, request=None, *args, with_captcha=False, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.refusal = ""
        if with_captcha:
            self.add_captcha()

    def add_captcha(self) -> None:
        if "captcha" not in self.fields:
            self.fields["captcha"] = captcha_field()

    def clean_username(self):
        return clean_login_identifier(self.cleaned_data["username"])

    def clean(self):
        identifier, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        target = login_guard.resolve(identifier) if identifier else None
        if target is not None and login_guard.is_locked(target.subject):
            # Said before the captcha is asked: solving one would change nothing during the lock.
            self.refusal = login_guard.LOCKED
            raise ValidationError(_("Trop d'essais erronés."), code=login_guard.LOCKED)
        # A wrong captcha or a malformed identifier never reaches the password check.
        if not self.check_captcha() or self.errors or not identifier or not password:
            return self.cleaned_data
        outcome = login_guard.attempt(
            self.request, target, lambda: authenticate(self.request, username=target.username, password=password)
        )
        if outcome.refusal:
            self.refusal = outcome.refusal
            raise ValidationError(_("Trop d'essais erronés."), code=outcome.refusal)
        if outcome.user is None:
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(outcome.user)
        self.user_cache = outcome.user
        return self.cleaned_data


class PortalPasswordChangeForm(PortalSetPasswordForm, PasswordChangeForm):
    """Django's PasswordChangeForm, whose current password is judged by the login guard, behind the
    captcha it asks after a few wrong guesses."""

    old_password = forms.CharField(
        label=_("Mot de passe actuel"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Saisissez votre mot de passe actuel.")},
    )
    error_messages = {
        **PortalSetPasswordForm.error_messages,
        "password_incorrect": _("Le mot de passe actuel est incorrect."),
    }

    def __init__(self, user, *args, request=None, **kwargs):
        self.request, self.refusal = request, ""
        super().__init__(user, *args, **kwargs)
        if request is not None and login_guard.captcha_required(
            request, login_guard.Target(subject=login_guard.person_subject(user))
        ):
            self.fields["captcha"] = captcha_field()

    def clean_old_password(self):
        # Judged in clean(), once the captcha passed, so that a guess counts as a failed login (L8).
        return self.cleaned_data["old_password"]

    def clean(self):
        # Nothing is compared with the current password before it is proved (the «différent du mot de
        # passe actuel» check would otherwise tell a guess).
        old = self.cleaned_data.get("old_password")
        if not old or not self.check_captcha():
            return self.cleaned_data
        if self.request is not None:
            check_current_password(self, "old_password", old)
        elif not self.user.check_password(old):
            self.add_error(
                "old_password",
                ValidationError(self.error_messages["password_incorrect"], code="password_incorrect"),
            )
        if self.refusal or self.has_error("old_password"):
            return self.cleaned_data
        cleaned = super().clean()
        new = cleaned.get("new_password1")
        if new and self.user.check_password(new):
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
        cleaned = self.cleaned_data
        doc_type, number = cleaned.get("id_document_type"), cleaned.get("id_document_number")
        if doc_type and number:
            try:
                validate_identity_number(doc_type, number)
                cleaned["id_document_number"] = normalize_identity_number(number)
            except ValidationError as exc:
                self.add_error("id_document_number", exc)
        return super().clean()  # the captcha, last


class OtpPasswordResetForm(OtpForm, PortalSetPasswordForm):
    """The SMS code and the new password of a forgotten one. The account is known only once the code
    is right, so the validators run without it."""

    field_order = ["code", "new_password1", "new_password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(None, *args, **kwargs)


class ReauthPasswordForm(PortalForm):
    """«Confirmez votre identité» with the password (accounts.reauth), counted by the login guard."""

    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Saisissez votre mot de passe.")},
    )

    def __init__(self, user, *args, request=None, **kwargs):
        self.user, self.request, self.refusal = user, request, ""
        super().__init__(*args, **kwargs)
        if request is not None and login_guard.captcha_required(
            request, login_guard.Target(subject=login_guard.person_subject(user))
        ):
            self.fields["captcha"] = captcha_field()

    def clean(self):
        cleaned = super().clean()
        if not self.errors and cleaned.get("password"):
            if self.request is not None:
                check_current_password(self, "password", cleaned["password"])
            elif not self.user.check_password(cleaned["password"]):
                self.add_error("password", _("Le mot de passe est incorrect."))
        return cleaned


def check_current_password(form, field: str, password: str) -> None:
    """The signed-in person's password, judged by the login guard: a wrong one counts as a failed login
    (L8), and a locked person is refused without the password being checked."""
    outcome = login_guard.check_password(form.request, form.user, password)
    if outcome.refusal:
        form.refusal = outcome.refusal
        form.add_error(
            None,
            _(
                "Trop d'essais erronés : votre mot de passe ne peut pas être vérifié pendant 30 minutes. "
                "Vous pouvez recevoir un code par SMS ou choisir « Mot de passe oublié »."
            ),
        )
    elif outcome.user is None:
        form.add_error(field, ValidationError(_("Le mot de passe est incorrect."), code="password_incorrect"))


class EmailChangeForm(PortalForm):
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr", "spellcheck": "false"}),
        error_messages={
            "required": _("Saisissez votre adresse e-mail."),
            "invalid": _("Saisissez une adresse e-mail valide, par exemple nom@exemple.ma."),
        },
    )


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
