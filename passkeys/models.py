"""Passkeys (WebAuthn credentials) of the portal's accounts.

The server keeps only what verifying a later sign-in needs: the credential's id, its public key and
its signature counter. Nothing stored here lets anybody sign in.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PasskeyUserHandle(models.Model):
    """The opaque, random WebAuthn user handle of an account: what a discoverable passkey gives back
    at sign-in to name its account. Random bytes rather than the account's number or key, so that an
    authenticator never holds anything that identifies the person (WebAuthn §14.6.1)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passkey_handle", verbose_name=_("compte")
    )
    handle = models.CharField(_("identifiant WebAuthn (base64url)"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("identifiant WebAuthn")
        verbose_name_plural = _("identifiants WebAuthn")

    def __str__(self):
        return self.handle


class Passkey(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passkeys", verbose_name=_("compte")
    )
    name = models.CharField(_("nom"), max_length=64)
    # base64url without padding, as the browser names it; WebAuthn caps a credential id at 1023 bytes.
    credential_id = models.CharField(_("identifiant de la clé"), max_length=1400, unique=True)
    public_key = models.BinaryField(_("clé publique (COSE)"))
    sign_count = models.PositiveBigIntegerField(_("compteur de signatures"), default=0)
    transports = models.JSONField(_("transports"), default=list, blank=True)
    aaguid = models.CharField(_("modèle d'authentificateur (AAGUID)"), max_length=36, blank=True)
    backed_up = models.BooleanField(_("synchronisée"), default=False)
    created_at = models.DateTimeField(_("ajoutée le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)

    class Meta:
        verbose_name = _("clé d'accès")
        verbose_name_plural = _("clés d'accès")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.name
