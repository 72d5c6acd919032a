"""The messages sent to a person («Mes données») and the outbox's retention rules (Law 09-08)."""

from django.utils.translation import gettext as _

from macnss.core.personal_data import DataSection, readable, register_personal_data_provider
from macnss.core.retention import register_outbox_rules

from .models import OutboundEmail, OutboundSms


def sections(person) -> list[DataSection]:
    sms = OutboundSms.objects.filter(to=person.phone).order_by("-created_at") if person.phone else []
    emails = OutboundEmail.objects.filter(to=person.email).order_by("-created_at") if person.email else []
    return [
        DataSection(
            "core.messages",
            _("SMS et e-mails envoyés"),
            [
                {
                    _("canal"): _("SMS") if isinstance(message, OutboundSms) else _("e-mail"),
                    _("destinataire"): message.to,
                    _("objet"): message.purpose,
                    _("statut"): str(message.get_status_display()),
                    _("créé le"): readable(message.created_at),
                    _("envoyé le"): readable(message.sent_at),
                    _("texte"): message.body,
                }
                for message in [*sms, *emails]
            ],
            _("Vous informer de vos démarches ; le texte est effacé dès l'envoi."),
        )
    ]


def register() -> None:
    register_personal_data_provider(sections, order=90)
    register_outbox_rules()
