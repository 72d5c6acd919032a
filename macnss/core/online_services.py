"""«Services en ligne», as cnss.ma lists them (seed 003, step 2): this portal's services, and the
other CNSS portals as plain outbound links."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Other CNSS portals: plain links, no data leaves with them. The addresses cnss.ma links to.
DAMANCOM_URL = "https://www.damancom.ma/"
HOUSEHOLD_WORKERS_BPC_URL = "https://www.cnss.ma/"


@dataclass(frozen=True)
class OnlineService:
    title: str
    description: str
    url: str
    external: bool = False


def verification_url() -> str:
    """The public «Vérification de l'authenticité des attestations» page, built by another branch
    (URL name `verification:verify` at /verifier/): its name when it is there, else its path."""
    try:
        return reverse("verification:verify")
    except NoReverseMatch:
        return ("/ar" if get_language() == "ar" else "") + "/verifier/"


def online_services() -> list[OnlineService]:
    return [
        OnlineService(
            _("Portail ASSURÉ"),
            _("Votre espace Ma CNSS : immatriculation, RIB, ayants droit, demandes et prestations."),
            reverse("accounts:login"),
        ),
        OnlineService(
            _("Paiement en ligne"),
            _("Payez vos cotisations d'assurance volontaire (ASVI) par carte bancaire."),
            reverse("asvi_payment:start"),
        ),
        OnlineService(
            _("Vérification de l'authenticité des attestations"),
            _("Vérifiez qu'une attestation ou un reçu de la CNSS est authentique, par sa référence ou son code QR."),
            verification_url(),
        ),
        OnlineService(
            _("Portail DAMANCOM"),
            _("Pour les employeurs : déclaration des salaires et paiement des cotisations."),
            DAMANCOM_URL,
            external=True,
        ),
        OnlineService(
            _("BPC Travailleurs de Maison"),
            _("Pour les employeurs de travailleurs domestiques : bordereau et paiement des cotisations."),
            HOUSEHOLD_WORKERS_BPC_URL,
            external=True,
        ),
    ]
