"""Passkey ceremonies (WebAuthn, through py_webauthn) and the changes they make.

The views hand over the browser's JSON and the challenge they took from the session
(passkeys.challenges); every check of the response (challenge, origin, relying party id, signature,
user presence and verification, signature counter) is py_webauthn's. A refused response raises
PasskeyRejected, whose message is safe to show.
"""

import json
import logging
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from accounts.services import end_other_sessions
from macnss.core.services import queue_sms

from . import selectors
from .models import Passkey, PasskeyUserHandle
from .relying_party import RelyingParty

logger = logging.getLogger(__name__)

# A ceremony left open longer than this is abandoned; the session's challenge expires with it.
CEREMONY_TIMEOUT_MS = 5 * 60 * 1000
KNOWN_TRANSPORTS = {t.value for t in AuthenticatorTransport}
# Garbage from a client makes the parsers raise more than WebAuthnException: every one is a refusal.
_MALFORMED = (WebAuthnException, ValueError, TypeError, KeyError, AttributeError, IndexError)


class PasskeyRejected(Exception):
    """The browser's answer does not prove possession of a registered passkey."""

    def __init__(self, message=None):
        super().__init__(message or _("La clé d'accès n'a pas pu être vérifiée. Réessayez."))
        self.message = str(self.args[0])


def user_handle_for(user) -> bytes:
    """The account's WebAuthn user handle, created the first time it is needed."""
    handle = PasskeyUserHandle.objects.filter(user=user).values_list("handle", flat=True).first()
    if handle is None:
        handle, _created = PasskeyUserHandle.objects.get_or_create(
            user=user, defaults={"handle": bytes_to_base64url(secrets.token_bytes(32))}
        )
        handle = handle.handle
    return _decode_id(handle)


def registration_options(*, user, rp: RelyingParty) -> tuple[str, bytes]:
    """navigator.credentials.create() options as JSON, and the challenge to keep server-side."""
    person = user.insured
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=user_handle_for(user),
        user_name=user.get_username(),
        user_display_name=person.full_name if person else user.get_username(),
        timeout=CEREMONY_TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=_decode_id(credential_id))
            for credential_id in selectors.credential_ids_of(user)
        ],
    )
    return options_to_json(options), options.challenge


def default_name() -> str:
    return str(_("Clé d'accès du %(date)s")) % {"date": date_format(timezone.localdate(), "d/m/Y")}


@transaction.atomic
def register_passkey(*, user, rp: RelyingParty, credential, challenge: bytes | None, name: str = "") -> Passkey:
    """Check the authenticator's answer to `registration_options` and keep the new passkey."""
    if challenge is None:
        raise PasskeyRejected(_("La demande a expiré. Recommencez."))
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
            require_user_verification=True,
        )
    except _MALFORMED as exc:
        logger.info("Passkey registration refused for user %s: %s", user.pk, exc)
        raise PasskeyRejected from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    if Passkey.objects.filter(credential_id=credential_id).exists():
        raise PasskeyRejected(_("Cette clé d'accès est déjà enregistrée."))
    try:
        with transaction.atomic():
            passkey = _create_passkey(user, verified, credential_id, credential, name)
    except IntegrityError as exc:  # the same answer sent twice at once: the unique id keeps one
        raise PasskeyRejected(_("Cette clé d'accès est déjà enregistrée.")) from exc
    _tell_the_phone(user, _("Ma CNSS : une clé d'accès a été ajoutée à votre compte le %(when)s."))
    return passkey


def _create_passkey(user, verified, credential_id: str, credential, name: str) -> Passkey:
    return Passkey.objects.create(
        user=user,
        name=(name or default_name())[:64],
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=_transports(credential),
        aaguid=verified.aaguid or "",
        backed_up=verified.credential_backed_up,
    )


def authentication_options(*, rp: RelyingParty, user=None) -> tuple[str, bytes]:
    """navigator.credentials.get() options: with no user, any passkey of the portal may answer
    (discoverable credentials, no number typed); with a user, only his (re-authentication)."""
    allow = (
        [PublicKeyCredentialDescriptor(id=_decode_id(cid)) for cid in selectors.credential_ids_of(user)] if user else []
    )
    options = generate_authentication_options(
        rp_id=rp.id,
        timeout=CEREMONY_TIMEOUT_MS,
        allow_credentials=allow,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json(options), options.challenge


@transaction.atomic
def authenticate(*, rp: RelyingParty, credential, challenge: bytes | None, user=None):
    """The account whose passkey signed the challenge (PasskeyRejected otherwise). With `user`, the
    passkey must be one of his. The signature counter must move forward, so that a cloned
    authenticator shows; the passkey's counter and last use are updated."""
    if challenge is None:
        raise PasskeyRejected(_("La demande a expiré. Recommencez."))
    credential_id = credential.get("id") if isinstance(credential, dict) else None
    if not isinstance(credential_id, str):
        raise PasskeyRejected
    passkey = (
        Passkey.objects.select_for_update(of=("self",))
        .select_related("user__passkey_handle")
        .filter(credential_id=credential_id)
        .first()
    )
    if passkey is None or (user is not None and passkey.user_id != user.pk):
        raise PasskeyRejected(_("Cette clé d'accès n'est pas (ou plus) enregistrée sur Ma CNSS."))
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except _MALFORMED as exc:
        logger.warning("Passkey %s refused: %s", passkey.pk, exc)
        raise PasskeyRejected from exc
    # The library does not compare the returned user handle: a passkey answers for its own account only.
    returned_handle = (credential.get("response") or {}).get("userHandle")
    if returned_handle and returned_handle != passkey.user.passkey_handle.handle:
        logger.warning("Passkey %s answered with another account's user handle", passkey.pk)
        raise PasskeyRejected
    if not passkey.user.is_active or passkey.user.insured_id is None:
        raise PasskeyRejected
    Passkey.objects.filter(pk=passkey.pk).update(sign_count=verified.new_sign_count, last_used_at=timezone.now())
    return passkey.user


@transaction.atomic
def rename_passkey(*, passkey: Passkey, name: str) -> Passkey:
    passkey.name = name
    passkey.save(update_fields=["name"])
    return passkey


@transaction.atomic
def revoke_passkey(*, passkey: Passkey, keep_session_key: str | None) -> None:
    """Delete the passkey, end the account's other sessions (whoever held the passkey may be signed in
    elsewhere) and tell the phone on file."""
    user = passkey.user
    passkey.delete()
    end_other_sessions(user, keep_session_key)
    _tell_the_phone(
        user,
        _(
            "Ma CNSS : une clé d'accès a été supprimée de votre compte le %(when)s. Vos autres sessions ont été fermées."
        ),
    )


def _tell_the_phone(user, message) -> None:
    """An SMS to the phone on file, in the person's language; it names no secret, only what changed."""
    person = user.insured
    if person is None or not person.phone:
        return
    language = person.preferred_language or "fr"
    with translation.override(language):
        when = date_format(timezone.localtime(), "d/m/Y H:i")
        warning = str(_("Si ce n'est pas vous, appelez le %(number)s.")) % {"number": settings.CUSTOMER_SERVICE_NUMBER}
        body = f"{str(message) % {'when': when}} {warning}"
    queue_sms(to=person.phone, body=body, purpose="passkey_change", language=language)


def _transports(credential) -> list[str]:
    if isinstance(credential, str):
        try:
            credential = json.loads(credential)
        except ValueError:
            return []
    found = ((credential or {}).get("response") or {}).get("transports") or []
    return [t for t in found if isinstance(t, str) and t in KNOWN_TRANSPORTS] if isinstance(found, list) else []


def _decode_id(base64url: str) -> bytes:
    return base64url_to_bytes(base64url)
