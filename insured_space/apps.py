from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsuredSpaceConfig(AppConfig):
    name = "insured_space"
    verbose_name = _("Mon immatriculation")

    def ready(self):
        from macnss.core.document_signing import register_reference_lookup
        from macnss.core.portal import PortalService, register_service

        from .models import AttestationKind
        from .personal_data import register as register_personal_data
        from .services import REFERENCE_PATTERN, verified_document

        register_personal_data()  # «Mes données» (Law 09-08)

        register_service(
            PortalService(
                key="insured_space",
                title=_("Mon immatriculation"),
                description=_(
                    "Votre numéro, vos régimes, vos jours et salaires déclarés, et vos attestations à télécharger."
                ),
                url_name="insured_space:registration",
                is_available=lambda person: person is not None,
                order=5,
            )
        )
        register_reference_lookup(
            REFERENCE_PATTERN, verified_document, kind_labels={kind.value: kind.label for kind in AttestationKind}
        )
