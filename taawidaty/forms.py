import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from macnss.core.forms import PortalForm, date_field
from macnss.core.uploads import CheckedFile, DocumentField

from . import eligibility

YES_NO = [("oui", _("Oui")), ("non", _("Non"))]


class ClaimForm(PortalForm):
    """Seed 002, step 3: «Activité minière» and «Date de cessation d'activité»."""

    mining = forms.ChoiceField(
        label=_("Activité minière"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text=_("Répondez « Oui » si vous avez travaillé dans une mine (au fond ou en surface)."),
        error_messages={"required": _("Indiquez si vous avez exercé une activité minière : « Oui » ou « Non ».")},
    )
    cessation_date = date_field(
        _("Date de cessation d'activité"),
        help_text=_("Le dernier jour de votre dernier emploi salarié, au format jj/mm/aaaa, par exemple 31/12/2024."),
    )

    def __init__(self, *args, person, eligibility_result: eligibility.Eligibility, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.eligibility_result = eligibility_result

    def clean_mining(self):
        mining = self.cleaned_data["mining"] == "oui"
        if not mining and self.eligibility_result.only_as_miner:
            raise ValidationError(
                _(
                    "Vous avez moins de 60 ans : seule une demande au titre de l'activité minière est possible. "
                    "Choisissez « Oui » ou attendez vos 60 ans."
                ),
                code="miner_only",
            )
        if mining and not self.person.mining_days:
            raise ValidationError(
                _(
                    "Votre relevé CNSS ne compte aucun jour de travail minier. Choisissez « Non », ou adressez-vous "
                    "à votre agence CNSS si votre relevé est incomplet."
                ),
                code="no_mining_days",
            )
        return mining

    def clean_cessation_date(self):
        day = self.cleaned_data["cessation_date"]
        today = timezone.localdate()
        if day > today:
            raise ValidationError(
                _("La date de cessation d'activité ne peut pas être dans le futur : saisissez une date passée."),
                code="future",
            )
        start = eligibility.add_years(self.person.birth_date, eligibility.MIN_WORKING_AGE)
        if day <= start:
            raise ValidationError(
                _(
                    "La date de cessation d'activité doit être postérieure au début de votre carrière, "
                    "après vos 14 ans (le %(date)s)."
                )
                % {"date": start.strftime("%d/%m/%Y")},
                code="before_career",
            )
        return day


class DocumentsForm(PortalForm):
    """Seed 002, step 4: one file field per requested document (the list depends on mining or not)."""

    def __init__(self, *args, required_documents, uploaded: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.required_documents = {f"piece_{doc.pk}": doc for doc in required_documents}
        for name, doc in self.required_documents.items():
            self.fields[name] = DocumentField(
                label=doc.localized_name(),
                required=False,
                help_text=self._help(doc, uploaded.get(doc.pk)),
                error_messages={
                    "invalid": _("Le fichier n'a pas été reçu. Choisissez-le à nouveau."),
                    "empty": _("Le fichier est vide. Choisissez le document scanné."),
                    "missing": _("Le fichier n'a pas été reçu. Choisissez-le à nouveau."),
                },
            )

    @staticmethod
    def _help(doc, existing) -> str:
        hints = [doc.localized_hint()] if doc.localized_hint() else []
        hints.append(str(_("PDF, JPEG ou PNG, 5 Mo au maximum.")))
        if existing is not None:
            hints.append(
                str(_("Déjà déposé : %(name)s. Choisissez un fichier seulement pour le remplacer."))
                % {"name": existing.original_name}
            )
        return " ".join(hints)

    def show_uploaded(self, uploaded: dict) -> None:
        """After saving, say next to each field which file is now kept."""
        for name, doc in self.required_documents.items():
            self.fields[name].help_text = self[name].help_text = self._help(doc, uploaded.get(doc.pk))

    def accepted_uploads(self) -> dict:
        """The files that passed every check, even if another field failed (they are kept)."""
        data = getattr(self, "cleaned_data", {})
        return {
            doc: data[name]
            for name, doc in self.required_documents.items()
            if name not in self.errors and isinstance(data.get(name), CheckedFile)
        }

    def add_missing(self, missing) -> None:
        by_pk = {doc.pk: name for name, doc in self.required_documents.items()}
        for doc in missing:
            self.add_error(
                by_pk[doc.pk],
                ValidationError(
                    _("Joignez la pièce « %(name)s » (PDF, JPEG ou PNG).") % {"name": doc.localized_name()},
                    code="required",
                ),
            )


class VerifyReceiptForm(PortalForm):
    reference = forms.CharField(
        label=_("Référence de la demande"),
        max_length=30,
        help_text=_("Telle qu'elle figure sur l'accusé, par exemple RCS-2026-7KQ4M2XD."),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Saisissez la référence de la demande figurant sur l'accusé.")},
    )
    submitted_on = date_field(
        _("Date de la demande"), help_text=_("La date figurant sur l'accusé, au format jj/mm/aaaa.")
    )

    def clean_reference(self):
        value = re.sub(r"\s+", "", self.cleaned_data["reference"]).upper()
        if not re.fullmatch(r"RCS-\d{4}-[2-9A-Z]{8}", value):
            raise ValidationError(
                _("La référence a la forme RCS-2026-7KQ4M2XD (RCS, l'année, puis 8 lettres ou chiffres)."),
                code="format",
            )
        return value


class AmountForm(forms.Form):
    """Admin: «acceptée» needs the amount refunded."""

    amount = forms.DecimalField(
        label=_("Montant remboursé (DH)"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        error_messages={"required": _("Saisissez le montant remboursé.")},
    )
    note = forms.CharField(
        label=_("Commentaire (facultatif)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    """Admin: «rejetée» needs the reason, sent to the insured by SMS."""

    reason = forms.CharField(
        label=_("Motif du rejet (envoyé à l'assuré par SMS)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Saisissez le motif du rejet.")},
    )
