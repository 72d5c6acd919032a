from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from macnss.core.forms import PortalForm
from shared_steps.forms import BankDetailsForm

from . import rules


class MultiplierForm(PortalForm):
    """Seed 000: «Sélectionner le multiplicateur souhaité», then «Valider»."""

    multiplier = forms.TypedChoiceField(
        label=_("Multiplicateur"),
        coerce=int,
        help_text=_("Votre cotisation mensuelle est la cotisation minimale multipliée par ce nombre."),
        error_messages={
            "required": _("Choisissez un multiplicateur entre 1 et 10."),
            "invalid_choice": _("Choisissez un multiplicateur entre 1 et 10."),
        },
    )

    def __init__(self, *args, minimum, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["multiplier"].choices = [
            (k, _("× %(k)s — %(amount)s DH par mois") % {"k": k, "amount": f"{rules.amount_for(minimum, k):.2f}"})
            for k in rules.MULTIPLIERS
        ]


class AjournementForm(PortalForm):
    """63 ≤ age < 64 years 9 months: Oui / Non."""

    ajournement = forms.TypedChoiceField(
        label=_("Souhaitez-vous demander l'ajournement de la liquidation de votre pension ?"),
        choices=[("oui", _("Oui")), ("non", _("Non"))],
        coerce=lambda value: value == "oui",
        widget=forms.RadioSelect,
        help_text=_("Si vous répondez Non, votre pension sera liquidée à l'âge de 65 ans."),
        error_messages={
            "required": _("Indiquez si vous demandez l'ajournement de la liquidation de votre pension (Oui ou Non)."),
            "invalid_choice": _(
                "Indiquez si vous demandez l'ajournement de la liquidation de votre pension (Oui ou Non)."
            ),
        },
    )


class DroitSupplementaireForm(PortalForm):
    """From 64 years 9 months: a box to tick, or not."""

    droit_supplementaire = forms.BooleanField(
        label=_("Je demande la constitution d'un droit supplémentaire"),
        required=False,
    )


class RibAndConsentForm(BankDetailsForm):
    """Seed 000: the RIB (entered if missing), «j'autorise le prélèvement…» and the «mentions légales»."""

    legal_notice = forms.BooleanField(
        label=_("J'ai lu et j'accepte les mentions légales"),
        error_messages={"required": _("Cochez la case pour accepter les mentions légales.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_notice"].help_text = format_html(
            '<a href="{}">{}</a>', reverse("pension:legal_notice"), _("Lire les mentions légales")
        )
