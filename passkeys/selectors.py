from django.shortcuts import get_object_or_404

from .models import Passkey


def passkeys_of(user) -> list[Passkey]:
    return list(Passkey.objects.filter(user=user).defer("public_key"))


def credential_ids_of(user) -> list[str]:
    return list(Passkey.objects.filter(user=user).values_list("credential_id", flat=True))


def passkey_of(user, pk) -> Passkey:
    """One of the person's own passkeys: another account's is a 404, as if it did not exist."""
    return get_object_or_404(Passkey.objects.defer("public_key"), pk=pk, user=user)
