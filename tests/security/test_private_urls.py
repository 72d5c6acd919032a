"""Every private URL, taken from the URL configuration: anonymous → login, another insured → 404,
POST without CSRF token → 403.

A URL is private unless it is on the PUBLIC allowlist below, so a new view that forgets its
login_required, or a new object URL without an ownership probe, fails this suite.
"""

import uuid
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Namespaces whose pages belong to a logged-in insured, except the public ones listed.
PRIVATE_NAMESPACES = {"accounts", "pension", "taawidaty", "passkeys", "privacy", "insured_space"}
PUBLIC = {
    "accounts:login",
    "accounts:password_recovery",
    "accounts:password_recovery_code",
    "accounts:recover_number",
    "accounts:recover_number_code",
    "accounts:recover_number_result",
    "accounts:signup",  # «créer un compte»: the public first steps, then the person is logged in
    "accounts:signup_code",
    "accounts:signup_password",
    "taawidaty:verify",  # public authenticity check of a receipt
    "pension:legal_notice",  # the «mentions légales» are public text
    "passkeys:login_options",  # «Se connecter avec une clé d'accès»
    "passkeys:login",
    "privacy:notice",  # the privacy notice (Law 09-08) is public text
}
# POST-only views (their GET is refused); probed with POST only.
POST_ONLY = {"accounts:logout"}
# The passkey ceremonies of a signed-in person: JSON endpoints that answer 403 (JSON) to anyone else.
PRIVATE_JSON = {"passkeys:registration_options", "passkeys:register", "passkeys:reauth_options", "passkeys:reauth"}


def _walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def private_url_names() -> list[str]:
    names = set()
    for name, _pattern in _walk(get_resolver().url_patterns):
        if ":" in name and name.split(":")[0] in PRIVATE_NAMESPACES and name not in PUBLIC:
            names.add(name)
    return sorted(names)


def _taawidaty_claim(owner):
    from taawidaty.models import RefundClaim

    return RefundClaim.objects.create(insured=owner, cessation_date=date(2024, 1, 31))


def _taawidaty_document(owner):
    from taawidaty.models import AntivirusVerdict, ClaimDocument, RequiredDocument

    claim = _taawidaty_claim(owner)
    required = RequiredDocument.objects.create(name="CNIE")
    document = ClaimDocument(
        claim=claim,
        required_document=required,
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
        antivirus_verdict=AntivirusVerdict.CLEAN,
    )
    document.file.save(f"{uuid.uuid4().hex}.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    document.save()
    return {"public_id": claim.public_id, "document_id": document.pk}


def _data_export(owner):
    from django.utils import timezone

    from privacy.models import DataExport

    export = DataExport(insured=owner, built_at=timezone.now())
    export.pdf.save(f"{uuid.uuid4().hex}.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    export.save()
    return {"export_id": export.pk}


def _attestation(owner):
    from insured_space.models import AttestationKind
    from insured_space.services import issue_attestation

    return {"public_id": issue_attestation(person=owner, kind=AttestationKind.REGISTRATION).public_id}


# How to build, for an owner, the URL arguments of each private object URL.
OBJECT_BUILDERS = {
    "taawidaty:detail": lambda owner: {"public_id": _taawidaty_claim(owner).public_id},
    "taawidaty:documents": lambda owner: {"public_id": _taawidaty_claim(owner).public_id},
    "taawidaty:check": lambda owner: {"public_id": _taawidaty_claim(owner).public_id},
    "taawidaty:receipt": lambda owner: {"public_id": _taawidaty_claim(owner).public_id},
    "taawidaty:document": _taawidaty_document,
    "passkeys:rename": lambda owner: {"pk": _passkey(owner).pk},
    "passkeys:revoke": lambda owner: {"pk": _passkey(owner).pk},
    "privacy:my_data_pdf_download": _data_export,
    "insured_space:attestation": _attestation,
    "insured_space:attestation_pdf": _attestation,
}


def _passkey(owner):
    from passkeys.models import Passkey

    return Passkey.objects.create(
        user=owner.account, name="Téléphone", credential_id=uuid.uuid4().hex, public_key=b"\xa5"
    )


def _url(name, owner):
    pattern = dict(_walk(get_resolver().url_patterns))[name]
    if not pattern.pattern.converters:
        return reverse(name), False
    builder = OBJECT_BUILDERS.get(name)
    assert builder, f"New private object URL {name!r}: add an ownership probe to OBJECT_BUILDERS"
    return reverse(name, kwargs=builder(owner)), True


def test_the_probe_sees_the_private_urls():
    names = private_url_names()
    assert "accounts:dashboard" in names
    assert "pension:home" in names
    assert "taawidaty:detail" in names


@pytest.mark.parametrize("name", private_url_names())
def test_anonymous_visitors_are_sent_to_login(name, client):
    owner = UserFactory().insured
    url, _ = _url(name, owner)
    response = client.post(url) if name in POST_ONLY | PRIVATE_JSON else client.get(url)
    if name in PRIVATE_JSON:
        assert response.status_code == 403 and "error" in response.json()
        return
    if name in POST_ONLY:
        assert response.status_code in (302, 405)
        return
    assert response.status_code == 302, f"{name} answered {response.status_code} to an anonymous visitor"
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("name", [n for n in private_url_names() if n in OBJECT_BUILDERS])
def test_another_insured_gets_404_on_every_object_url(name, client):
    owner = UserFactory().insured
    intruder = UserFactory()
    url, _ = _url(name, owner)
    client.force_login(intruder)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code in (404, 405)


@pytest.mark.parametrize("name", private_url_names())
def test_post_without_csrf_token_is_forbidden(name):
    user = UserFactory()
    url, _ = _url(name, user.insured)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(url, {"anything": "1"}).status_code == 403
