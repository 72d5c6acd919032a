"""Forms of «Mon immatriculation» and of the public verification page."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from macnss.core.forms import PortalForm

LAST_TWELVE_MONTHS = "12"
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000  # a 40-megapixel phone photo; larger images are refused before decoding


class SalaryAttestationForm(PortalForm):
    """«Attestation de déclaration de salaire»: the last 12 months, or a year with declarations."""

    period = forms.ChoiceField(
        label=_("Période"),
        error_messages={
            "required": _("Choisissez la période de l'attestation."),
            "invalid_choice": _("Choisissez une période de la liste."),
        },
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(LAST_TWELVE_MONTHS, _("Les 12 derniers mois"))] + [
            (str(year), _("Année %(year)s") % {"year": year}) for year in years
        ]

    def chosen_year(self) -> int | None:
        value = self.cleaned_data["period"]
        return None if value == LAST_TWELVE_MONTHS else int(value)


class VerifyDocumentForm(PortalForm):
    """Three ways to check a document; one is enough."""

    reference = forms.CharField(
        label=_("Référence du document"),
        required=False,
        max_length=40,
        help_text=_("Telle qu'elle figure sur le document, par exemple AI-7KQ4M-2XD9P."),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off", "spellcheck": "false"}),
    )
    code = forms.CharField(
        label=_("Code de vérification"),
        required=False,
        max_length=1200,
        help_text=_("Le texte qui suit « # » dans l'adresse ouverte par le code QR, commençant par v1."),
        widget=forms.Textarea(attrs={"dir": "ltr", "rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"max_length": _("Ce code est trop long : collez seulement le texte qui suit « # ».")},
    )
    photo = forms.FileField(
        label=_("Photo du code QR"),
        required=False,
        help_text=_("Une photo nette du code QR, en JPEG ou PNG, 5 Mo au plus."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        error_messages={"empty": _("Le fichier est vide. Choisissez la photo du code QR.")},
    )

    def clean_reference(self):
        value = re.sub(r"\s+", "", self.cleaned_data["reference"]).upper()
        if value and not re.fullmatch(r"[A-Z0-9-]{6,40}", value):
            raise ValidationError(
                _("Une référence ne contient que des lettres, des chiffres et des tirets."), code="format"
            )
        return value

    def clean_code(self):
        value = "".join(self.cleaned_data["code"].split())
        if "#" in value:
            value = value.rsplit("#", 1)[1]
        if value and not value.startswith("v1."):
            raise ValidationError(_("Le code de vérification commence par v1."), code="format")
        return value

    def clean_photo(self):
        from .qr_photo import QrPhotoError, read_qr_code

        photo = self.cleaned_data.get("photo")
        if not photo:
            return ""
        try:
            return read_qr_code(photo, max_bytes=MAX_PHOTO_BYTES, max_pixels=MAX_PHOTO_PIXELS)
        except QrPhotoError as exc:
            raise ValidationError(exc.message, code=exc.code) from exc

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("reference") or cleaned.get("code") or cleaned.get("photo")):
            raise ValidationError(
                _("Saisissez la référence, collez le code de vérification ou déposez une photo du code QR."),
                code="empty",
            )
        return cleaned
