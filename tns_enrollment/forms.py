from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import IdentityDocumentType, PhoneOperator, ProfessionalCategory
from macnss.core.forms import PortalForm, StaticChoices, captcha_field, date_field
from macnss.core.validators import normalize_identity_number, parse_moroccan_mobile, validate_identity_number
from shared_steps.forms import OtpForm

OLDEST_PLAUSIBLE_AGE = 110
YOUNGEST_WORKING_AGE = 15


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


class PersonalInformationForm(PortalForm):
    """Seed 001, «Introduction des informations personnelles»."""

    cache_unbound_fields = True  # static fields (macnss.core.forms.CrispyHelperMixin)

    id_document_type = forms.ChoiceField(
        label=_("Type de la pièce d'identité"),
        choices=StaticChoices([("", _("Choisissez…")), *IdentityDocumentType.choices]),
        error_messages={
            "required": _("Choisissez le type de votre pièce d'identité."),
            "invalid_choice": _("Choisissez le type de votre pièce d'identité dans la liste."),
        },
    )
    id_document_number = forms.CharField(
        label=_("Numéro de la pièce d'identité"),
        max_length=20,
        help_text=_("Tel qu'il figure sur la pièce, par exemple AB123456 pour une CNIE."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr", "autocapitalize": "characters"}),
        error_messages={
            "required": _("Saisissez le numéro de votre pièce d'identité."),
            "max_length": _("Le numéro de la pièce d'identité comporte au plus 20 caractères."),
        },
    )
    id_document_expiry = date_field(
        _("Date d'expiration de la pièce d'identité"), help_text=_("Au format jj/mm/aaaa, par exemple 30/06/2031.")
    )
    birth_date = date_field(_("Date de naissance"))
    phone = forms.CharField(
        label=_("Numéro de téléphone"),
        max_length=20,
        help_text=_(
            "Votre téléphone mobile, par exemple 0612345678. Le SMS part au téléphone que la CNSS a enregistré "
            "pour vous ; ce numéro ne sert que si aucun téléphone n'est enregistré."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "dir": "ltr"}),
        error_messages={
            "required": _("Saisissez votre numéro de téléphone mobile, par exemple 0612345678."),
            "max_length": _("Saisissez un numéro de téléphone mobile marocain, par exemple 0612345678."),
        },
    )
    phone_operator = forms.ChoiceField(
        label=_("Opérateur téléphonique"),
        choices=StaticChoices([("", _("Choisissez…")), *PhoneOperator.choices]),
        error_messages={
            "required": _("Choisissez votre opérateur téléphonique."),
            "invalid_choice": _("Choisissez votre opérateur téléphonique dans la liste."),
        },
    )
    email = forms.EmailField(
        label=_("Adresse e-mail (facultatif)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
        error_messages={
            "invalid": _("Saisissez une adresse e-mail valide, par exemple nom@exemple.ma, ou laissez le champ vide."),
            "max_length": _("L'adresse e-mail est trop longue."),
        },
    )
    captcha = captcha_field()

    def clean_id_document_expiry(self):
        expiry = self.cleaned_data["id_document_expiry"]
        if expiry < timezone.localdate():
            raise ValidationError(
                _("Votre pièce d'identité a expiré. Renouvelez-la, puis revenez avec la nouvelle pièce."),
                code="document_expired",
            )
        if expiry.year > timezone.localdate().year + 30:
            raise ValidationError(
                _("Cette date d'expiration n'est pas possible. Vérifiez la date inscrite sur la pièce."),
                code="expiry_implausible",
            )
        return expiry

    def clean_birth_date(self):
        birth = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if birth > today:
            raise ValidationError(_("La date de naissance ne peut pas être dans le futur."), code="birth_future")
        if birth < _years_ago(today, OLDEST_PLAUSIBLE_AGE):
            raise ValidationError(
                _("Cette date de naissance n'est pas plausible. Vérifiez l'année."), code="birth_implausible"
            )
        if birth > _years_ago(today, YOUNGEST_WORKING_AGE):
            raise ValidationError(
                _("Il faut avoir au moins 15 ans pour s'immatriculer comme travailleur non salarié."),
                code="birth_too_young",
            )
        return birth

    def clean_phone(self):
        return parse_moroccan_mobile(self.cleaned_data["phone"])

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean(self):
        cleaned = self.cleaned_data
        doc_type, number = cleaned.get("id_document_type"), cleaned.get("id_document_number")
        if doc_type and number:
            try:
                validate_identity_number(doc_type, number)
            except ValidationError as exc:
                self.add_error("id_document_number", exc)
            else:
                cleaned["id_document_number"] = normalize_identity_number(number)
        return super().clean()  # the captcha, last


class CategoryForm(PortalForm):
    category = forms.ModelChoiceField(
        label=_("Catégorie professionnelle"),
        queryset=ProfessionalCategory.objects.none(),
        empty_label=_("Choisissez votre catégorie…"),
        to_field_name="code",
        error_messages={
            "required": _("Choisissez votre catégorie professionnelle dans la liste."),
            "invalid_choice": _("Choisissez votre catégorie professionnelle dans la liste."),
        },
    )

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        field.queryset = categories if categories is not None else ProfessionalCategory.objects.filter(is_open=True)
        field.label_from_instance = lambda category: category.localized_name()


class LiaisonCsvUploadForm(forms.Form):
    csv_file = forms.FileField(
        label=_("Fichier CSV"),
        help_text=_("Encodage UTF-8, séparateur point-virgule ou virgule, 2 Mo au plus."),
        error_messages={"required": _("Choisissez le fichier CSV à importer."), "empty": _("Ce fichier est vide.")},
    )

    MAX_SIZE = 2 * 1024 * 1024

    def clean_csv_file(self):
        upload = self.cleaned_data["csv_file"]
        if upload.size > self.MAX_SIZE:
            raise ValidationError(_("Le fichier dépasse 2 Mo : découpez-le en plusieurs fichiers."), code="too_big")
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                _("Le fichier n'est pas encodé en UTF-8. Enregistrez-le en « CSV UTF-8 » et réessayez."),
                code="encoding",
            ) from exc
        return {"name": upload.name, "raw": raw, "text": text}


class CodeForm(OtpForm):
    """«le code OTP reçu par sms» and the on-screen verification code (seed 001, outcome b)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("with_captcha", True)
        super().__init__(*args, **kwargs)
