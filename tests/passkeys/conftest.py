import pytest

from tests.passkeys.authenticator import SoftwareAuthenticator

ORIGIN = "http://testserver"


@pytest.fixture
def rp():
    from passkeys.relying_party import RelyingParty

    return RelyingParty(id="testserver", name="Ma CNSS", origins=(ORIGIN,))


@pytest.fixture
def authenticator():
    return SoftwareAuthenticator(origin=ORIGIN)


@pytest.fixture
def registered(insured_user, rp, authenticator):
    """A passkey of insured_user, registered through the real ceremony; the authenticator keeps its key."""
    from passkeys import services

    options, challenge = services.registration_options(user=insured_user, rp=rp)
    return services.register_passkey(
        user=insured_user, rp=rp, credential=authenticator.create(options), challenge=challenge, name="Mon téléphone"
    )
