"""Who the portal is for WebAuthn: the relying party id (a host name, never an IP address) and the
origins a browser may sign for.

Both come from settings (PASSKEYS_RP_ID, PASSKEYS_ORIGINS). Left empty, they follow the request's
host, which Django has already checked against ALLOWED_HOSTS: "localhost" and
"http://localhost:8000" under `make run`. With PASSKEYS_REQUIRE_HTTPS (production) a derived origin
is always https, so a passkey signed on a plain-http page never verifies.
"""

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.http.request import split_domain_port


@dataclass(frozen=True)
class RelyingParty:
    id: str
    name: str
    origins: tuple[str, ...]

    @property
    def usable(self) -> bool:
        """Browsers refuse a passkey for an IP address (or an empty id): the page then offers none."""
        if not self.id:
            return False
        try:
            ipaddress.ip_address(self.id.strip("[]"))
        except ValueError:
            return True
        return False


def relying_party_for(request) -> RelyingParty:
    host = request.get_host()
    domain, _port = split_domain_port(host)
    rp_id = settings.PASSKEYS_RP_ID or domain
    if settings.PASSKEYS_ORIGINS:
        origins = tuple(settings.PASSKEYS_ORIGINS)
    else:
        scheme = "https" if settings.PASSKEYS_REQUIRE_HTTPS else request.scheme
        origins = (f"{scheme}://{host}",)
    return RelyingParty(id=rp_id, name=settings.PASSKEYS_RP_NAME, origins=origins)
