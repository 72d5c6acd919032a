from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from macnss.core.forms import PortalForm, StaticChoices, captcha_field, date_field
from macnss.core.validators import clean_cnss_number

from .models import CardType


class AsviLookupForm(PortalForm):
    """Seed 003, step 4: «Numéro d'immatriculation», «Code de contrôle», «Valider»."""

    cache_unbound_fields = True  # static fields (macnss.core.forms.CrispyHelperMixin)

    number = forms.CharField(
        label=_("Numéro d'immatriculation"),
        max_length=12,
        help_text=_("Les 9 chiffres de votre numéro CNSS."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "dir": "ltr"}),
        error_messages={"required": _("Saisissez votre numéro d'immatriculation (9 chiffres).")},
    )
    captcha = captcha_field(_("Code de contrôle"))

    def clean_number(self):
        return clean_cnss_number(self.cleaned_data["number"])


class DuesForm(PortalForm):
    """Seed 003, step 5: a box per unpaid quarter, the card type, the conditions."""

    dues = forms.MultipleChoiceField(
        label=_("Trimestres non payés"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Cochez au moins un trimestre à payer."),
            "invalid_choice": _("Ce trimestre n'est plus à payer. Cochez parmi les trimestres affichés."),
        },
    )
    card_type = forms.ChoiceField(
        label=_("Type de la carte bancaire"),
        choices=StaticChoices(CardType.choices),
        initial=CardType.LOCAL,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez le type de votre carte bancaire.")},
    )
    accept_terms = forms.BooleanField(
        label=_("J'ai lu et accepté les conditions générales de paiement."),
        error_messages={"required": _("Cochez la case pour accepter les conditions générales de paiement.")},
    )

    def __init__(self, *args, dues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.due_list = list(dues)
        self.fields["dues"].choices = [(str(d.pk), f"{d.year} T{d.quarter}") for d in self.due_list]

    def rows(self):
        """(due, checkbox id, ticked) for the table: the ids Django gives the boxes, without building a
        subwidget per quarter."""
        base_id = self["dues"].auto_id
        ticked = {due.pk for due in self.selected_dues()}
        return [(due, f"{base_id}_{index}", due.pk in ticked) for index, due in enumerate(self.due_list)]

    def selected_dues(self) -> list:
        """The ticked quarters, valid or not yet validated (for «Recalculer»)."""
        if self.is_bound:
            chosen = set(self.data.getlist("dues")) if hasattr(self.data, "getlist") else set(self.data.get("dues", []))
        else:
            chosen = {str(v) for v in (self.initial.get("dues") or [])}
        return [d for d in self.due_list if str(d.pk) in chosen]


class ConfirmOrderForm(forms.Form):
    token = forms.CharField(max_length=64, widget=forms.HiddenInput)


class ReceiptCheckForm(PortalForm):
    """The public authenticity page of payment receipts (the QR code on the PDF points here)."""

    reference = forms.CharField(
        label=_("Numéro du reçu"),
        max_length=30,
        help_text=_("Il figure en haut du reçu, par exemple RA-7K3M-9QXD-2P4T."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr"}),
        error_messages={"required": _("Saisissez le numéro du reçu.")},
    )
    paid_on = date_field(_("Date du paiement"))

    def clean_reference(self):
        from .selectors import normalize_receipt_number

        return normalize_receipt_number(self.cleaned_data["reference"])


# --- The mock CMI hosted page ---------------------------------------------------------------------


def _months():
    return [(f"{m:02d}", f"{m:02d}") for m in range(1, 13)]


def _years():
    this_year = timezone.localdate().year
    return [(str(y), str(y)) for y in range(this_year, this_year + 11)]


class MockCardForm(PortalForm):
    holder = forms.CharField(
        label=_("Nom du porteur de la carte"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "cc-name"}),
        error_messages={"required": _("Saisissez le nom du porteur, tel qu'il figure sur la carte.")},
    )
    card_number = forms.CharField(
        label=_("Numéro de carte de paiement"),
        max_length=23,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "cc-number", "dir": "ltr"}),
        error_messages={"required": _("Saisissez le numéro de la carte (16 chiffres).")},
    )
    expiry_month = forms.ChoiceField(
        label=_("Mois d'expiration"),
        choices=_months,
        widget=forms.Select(attrs={"autocomplete": "cc-exp-month"}),
        error_messages={"required": _("Choisissez le mois d'expiration.")},
    )
    expiry_year = forms.ChoiceField(
        label=_("Année d'expiration"),
        choices=_years,
        initial=lambda: str(timezone.localdate().year + 1),
        widget=forms.Select(attrs={"autocomplete": "cc-exp-year"}),
        error_messages={"required": _("Choisissez l'année d'expiration.")},
    )
    cvv = forms.CharField(
        label=_("Code de vérification"),
        max_length=4,
        help_text=_("Les 3 chiffres au dos de la carte."),
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "cc-csc", "dir": "ltr"}),
        error_messages={"required": _("Saisissez le code de vérification (3 chiffres au dos de la carte).")},
    )
    accept = forms.BooleanField(
        label=_("Confirmer l'acceptation des conditions générales d'utilisation du service"),
        error_messages={"required": _("Cochez la case pour accepter les conditions générales d'utilisation.")},
    )

    def clean_card_number(self):
        number = "".join(self.cleaned_data["card_number"].split())
        if not number.isdigit() or len(number) != 16:
            raise ValidationError(_("Le numéro de carte comporte 16 chiffres."), code="card_length")
        return number

    def clean_cvv(self):
        cvv = self.cleaned_data["cvv"].strip()
        if not (cvv.isdigit() and len(cvv) == 3):
            raise ValidationError(_("Le code de vérification comporte 3 chiffres."), code="cvv")
        return cvv

    def clean(self):
        data = super().clean()
        month, year = data.get("expiry_month"), data.get("expiry_year")
        if month and year:
            today = timezone.localdate()
            if (int(year), int(month)) < (today.year, today.month):
                self.add_error("expiry_month", ValidationError(_("Cette carte est expirée."), code="expired"))
        return data


class Mock3dsForm(PortalForm):
    code = forms.CharField(
        label=_("Code d'authentification 3-D Secure"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "dir": "ltr"}),
        error_messages={"required": _("Saisissez le code d'authentification reçu de votre banque.")},
    )
