from django import forms
from django.utils.translation import gettext_lazy as _

from macnss.core.forms import PortalForm


class PasskeyNameForm(PortalForm):
    name = forms.CharField(
        label=_("Nom de la clé d'accès"),
        help_text=_("Un nom qui vous permet de la reconnaître, par exemple « Téléphone de Salma »."),
        max_length=64,
        error_messages={
            "required": _("Donnez un nom à votre clé d'accès."),
            "max_length": _("Le nom comporte au plus 64 caractères."),
        },
    )
