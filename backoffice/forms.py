from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from accounts.models import IdentityDocumentType, InsuredPerson
from macnss.core.validators import (
    normalize_digits,
    normalize_identity_number,
    parse_moroccan_mobile,
    validate_identity_number,
    validate_rib,
)

from .models import ChangeKind

ACCESS_REASONS = [
    ("", "—"),
    ("appel", _("Appel de l'assuré")),
    ("guichet", _("Visite de l'assuré au guichet")),
    ("reclamation", _("Réclamation ou courrier de l'assuré")),
    ("controle", _("Contrôle demandé par la hiérarchie")),
    ("autre", _("Autre motif (à préciser)")),
]


class AccessReasonForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Motif de la consultation"),
        choices=ACCESS_REASONS,
        error_messages={"required": _("Choisissez le motif de la consultation.")},
    )
    details = forms.CharField(
        label=_("Précisions"),
        required=False,
        max_length=200,
        help_text=_("Obligatoire pour « Autre motif » : par exemple le numéro de la réclamation."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == "autre" and not cleaned.get("details"):
            self.add_error("details", _("Précisez le motif de la consultation."))
        return cleaned

    def reason_text(self) -> str:
        label = str(dict(ACCESS_REASONS)[self.cleaned_data["reason"]])
        details = self.cleaned_data.get("details")
        return f"{label} : {details}" if details else label


class ContactChangeProposalForm(forms.Form):
    """At the counter: which data, the new value, and the identity document the agent saw."""

    insured = forms.ModelChoiceField(queryset=InsuredPerson.objects.all(), widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=_("Donnée à changer"),
        choices=ChangeKind.choices,
        error_messages={"required": _("Choisissez la donnée à changer.")},
    )
    new_value = forms.CharField(
        label=_("Nouvelle valeur"),
        max_length=254,
        help_text=_("Téléphone mobile (0612345678), RIB de 24 chiffres ou adresse e-mail."),
        error_messages={"required": _("Saisissez la nouvelle valeur.")},
    )
    document_type = forms.ChoiceField(
        label=_("Pièce d'identité présentée"),
        choices=IdentityDocumentType.choices,
        error_messages={"required": _("Indiquez la pièce d'identité présentée.")},
    )
    document_number = forms.CharField(
        label=_("Numéro de la pièce présentée"),
        max_length=20,
        error_messages={"required": _("Saisissez le numéro de la pièce présentée.")},
    )
    document_checked = forms.BooleanField(
        label=_("J'ai vu l'original de la pièce et il correspond à l'assuré"),
        error_messages={"required": _("Vérifiez l'original de la pièce d'identité avant de proposer un changement.")},
    )

    def clean_new_value(self):
        value = self.cleaned_data["new_value"].strip()
        kind = self.data.get("kind")
        if kind == ChangeKind.PHONE:
            return parse_moroccan_mobile(value)
        if kind == ChangeKind.RIB:
            value = normalize_digits(value).replace(" ", "")
            validate_rib(value)
            return value
        if kind == ChangeKind.EMAIL:
            validate_email(value)
            return value.lower()
        return value

    def clean(self):
        cleaned = super().clean()
        person = cleaned.get("insured")
        number = cleaned.get("document_number")
        if number:
            number = normalize_identity_number(number)
            cleaned["document_number"] = number
            try:
                validate_identity_number(cleaned.get("document_type", ""), number)
            except ValidationError as exc:
                self.add_error("document_number", exc)
                return cleaned
            if person and (
                person.id_document_number != number or person.id_document_type != cleaned.get("document_type")
            ):
                self.add_error(
                    "document_number", _("Cette pièce n'est pas celle enregistrée pour l'assuré : pas de changement.")
                )
        return cleaned
