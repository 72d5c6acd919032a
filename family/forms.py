import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from macnss.core.forms import PortalForm, StaticChoices, date_field
from macnss.core.uploads import check_upload
from macnss.core.validators import normalize_identity_number, validate_identity_number

from . import rules
from .models import DocumentKind, Relationship, Sex
from .services import MemberAnswers

_LATIN_NAME = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿ' \-]+$")
_ARABIC_NAME = re.compile(r"^[\u0600-\u06FF' \-]+$")

DOCUMENT_HINTS = {
    rules.MARRIAGE_CERTIFICATE: _("L'acte de mariage avec ce (cette) conjoint(e)."),
    rules.BIRTH_CERTIFICATE: _("L'extrait d'acte de naissance de l'enfant."),
    rules.SCHOOL_CERTIFICATE: _("Le certificat de scolarité ou d'inscription universitaire de l'année en cours."),
    rules.DISABILITY_PROOF: _("La carte d'invalidité ou un certificat médical attestant le handicap."),
}


def _latin_name(label, message):
    return forms.CharField(label=label, max_length=100, error_messages={"required": message})


class MemberForm(PortalForm):
    """«Ajouter un membre», step 1: who the person is. The age and «one insured» rules run on submit,
    before any document is asked for."""

    relationship = forms.ChoiceField(
        label=_("Lien de parenté"),
        choices=StaticChoices(Relationship.choices),
        widget=forms.RadioSelect,
        error_messages={"required": _("Indiquez le lien de parenté : conjoint(e) ou enfant.")},
    )
    last_name = _latin_name(_("Nom de famille"), _("Saisissez le nom de famille, en lettres latines."))
    first_name = _latin_name(_("Prénom"), _("Saisissez le prénom, en lettres latines."))
    last_name_ar = forms.CharField(label=_("Nom en arabe (facultatif)"), max_length=100, required=False)
    first_name_ar = forms.CharField(label=_("Prénom en arabe (facultatif)"), max_length=100, required=False)
    birth_date = date_field(_("Date de naissance"))
    sex = forms.ChoiceField(
        label=_("Sexe"),
        choices=StaticChoices(Sex.choices),
        widget=forms.RadioSelect,
        error_messages={"required": _("Indiquez le sexe.")},
    )
    cin = forms.CharField(
        label=_("Numéro de CIN du (de la) conjoint(e)"),
        max_length=20,
        required=False,
        help_text=_("Obligatoire pour un(e) conjoint(e) majeur(e), par exemple AB123456."),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off", "spellcheck": "false"}),
    )
    studying = forms.BooleanField(label=_("L'enfant poursuit des études"), required=False)
    married = forms.BooleanField(label=_("L'enfant est marié(e)"), required=False)
    disabled = forms.BooleanField(label=_("L'enfant est en situation de handicap"), required=False)

    def clean_last_name(self):
        return self._latin(self.cleaned_data["last_name"], _("Saisissez le nom en lettres latines, sans chiffres."))

    def clean_first_name(self):
        return self._latin(self.cleaned_data["first_name"], _("Saisissez le prénom en lettres latines, sans chiffres."))

    def clean_last_name_ar(self):
        return self._arabic(self.cleaned_data["last_name_ar"])

    def clean_first_name_ar(self):
        return self._arabic(self.cleaned_data["first_name_ar"])

    @staticmethod
    def _latin(value: str, message) -> str:
        value = " ".join(value.split())
        if not _LATIN_NAME.match(value):
            raise ValidationError(message, code="latin")
        return value.upper() if value else value

    @staticmethod
    def _arabic(value: str) -> str:
        value = " ".join(value.split())
        if value and not _ARABIC_NAME.match(value):
            raise ValidationError(_("Saisissez ce nom en lettres arabes, ou laissez le champ vide."), code="arabic")
        return value

    def clean_birth_date(self):
        day = self.cleaned_data["birth_date"]
        if day > timezone.localdate():
            raise ValidationError(
                _("La date de naissance ne peut pas être dans le futur : saisissez une date passée."), code="future"
            )
        if day.year < 1900:
            raise ValidationError(_("Vérifiez l'année de naissance."), code="too_old")
        return day

    def clean_cin(self):
        value = normalize_identity_number(self.cleaned_data["cin"])
        if value:
            validate_identity_number("cnie", value)
        return value

    def clean(self):
        data = super().clean()
        if data.get("relationship") == Relationship.SPOUSE and data.get("birth_date"):
            adult = rules.age_on(data["birth_date"], timezone.localdate()) >= rules.ADULT_AGE
            if adult and not data.get("cin") and "cin" not in self.errors:
                self.add_error(
                    "cin", ValidationError(_("Saisissez le numéro de CIN de votre conjoint(e)."), code="required")
                )
        return data

    def answers(self) -> MemberAnswers:
        data = self.cleaned_data
        spouse = data["relationship"] == Relationship.SPOUSE
        return MemberAnswers(
            relationship=data["relationship"],
            last_name=data["last_name"],
            first_name=data["first_name"],
            last_name_ar=data["last_name_ar"],
            first_name_ar=data["first_name_ar"],
            birth_date=data["birth_date"],
            sex=data["sex"],
            cin=data["cin"] if spouse else "",
            studying=bool(data["studying"]) and not spouse,
            married=bool(data["married"]) and not spouse,
            disabled=bool(data["disabled"]) and not spouse,
        )


def _file_field(label, help_text):
    return forms.FileField(
        label=label,
        help_text=help_text,
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
        error_messages={
            "required": _("Joignez ce document (PDF, JPEG ou PNG)."),
            "invalid": _("Le fichier n'a pas été reçu. Choisissez-le à nouveau."),
            "empty": _("Le fichier est vide. Choisissez le document scanné."),
            "missing": _("Le fichier n'a pas été reçu. Choisissez-le à nouveau."),
        },
    )


class DocumentsForm(PortalForm):
    """«Ajouter un membre», step 2: one file field per document the rules ask for this person."""

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = list(kinds)
        size = str(_("PDF, JPEG ou PNG, 5 Mo au maximum."))
        for kind in self.kinds:
            self.fields[kind] = _file_field(DocumentKind(kind).label, f"{DOCUMENT_HINTS[kind]} {size}")

    def clean(self):
        # The fields are made per form, so their files are checked here rather than in clean_<field>().
        cleaned = super().clean()
        for kind in self.kinds:
            if self.has_error(kind) or not cleaned.get(kind):
                continue
            try:
                cleaned[kind] = check_upload(cleaned[kind])
            except ValidationError as error:
                self.add_error(kind, error)
        return cleaned


class SchoolCertificateForm(PortalForm):
    certificate = _file_field(
        _("Certificat de scolarité"),
        _(
            "Le certificat de scolarité ou d'inscription universitaire de l'année en cours. PDF, JPEG ou PNG, 5 Mo au maximum."
        ),
    )

    def clean_certificate(self):
        return check_upload(self.cleaned_data["certificate"])
