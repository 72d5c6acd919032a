"""Uploads probed through the real TAAWIDATY documents page: disguised files are refused by content,
stored names are random, downloads are attachments that the browser will not sniff."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from taawidaty import selectors, services
from taawidaty.defaults import load_defaults
from taawidaty.models import ClaimDocument
from tests.factories import InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return buffer.getvalue()


def _pdf() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, "PDF")
    return buffer.getvalue()


DISGUISED = {
    "windows executable": (b"MZ\x90\x00\x03" + b"\x00" * 200, "scan.pdf", "application/pdf"),
    "linux executable": (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "scan.pdf", "application/pdf"),
    "html page": (
        b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>",
        "scan.pdf",
        "application/pdf",
    ),
    "svg image": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', "scan.png", "image/png"),
    "pdf with javascript": (
        _pdf().replace(b"%%EOF", b"/JavaScript (app.alert(1))\n%%EOF"),
        "scan.pdf",
        "application/pdf",
    ),
    "png/html polyglot": (_png() + b"<html><script>alert(1)</script></html>", "scan.png", "image/png"),
    "pdf/html polyglot": (b"%PDF-1.4\n<html><body onload=alert(1)>\n%%EOF", "scan.pdf", "application/pdf"),
}


@pytest.fixture
def draft(client):
    load_defaults()
    from accounts.demo import birth_date_for_age

    person = InsuredPersonFactory(birth_date=birth_date_for_age(61), declared_days=900)
    user = UserFactory(insured=person)
    client.force_login(user)
    from datetime import date

    claim = services.save_draft(person=person, mining=False, cessation_date=date(2024, 1, 31))
    return claim


def _field_names(claim):
    return [f"piece_{doc.pk}" for doc in selectors.required_documents(mining=claim.mining)]


@pytest.mark.parametrize("kind", sorted(DISGUISED))
def test_disguised_files_are_refused_by_content(client, draft, kind):
    data, name, browser_type = DISGUISED[kind]
    field = _field_names(draft)[0]
    page = client.post(
        reverse("taawidaty:documents", kwargs={"public_id": draft.public_id}),
        {field: SimpleUploadedFile(name, data, browser_type)},
    ).content.decode()
    assert "Il y a un problème" in page, kind
    assert not ClaimDocument.objects.filter(claim=draft).exists(), kind


def test_stored_names_are_random_and_downloads_are_attachments(client, draft):
    fields = _field_names(draft)
    url = reverse("taawidaty:documents", kwargs={"public_id": draft.public_id})
    client.post(url, {fields[0]: SimpleUploadedFile("../../etc/passwd <script>.pdf", _pdf(), "application/pdf")})
    client.post(url, {fields[0]: SimpleUploadedFile("../../etc/passwd <script>.pdf", _pdf(), "application/pdf")})
    document = ClaimDocument.objects.get(claim=draft)
    stored = document.file.name.rsplit("/", 1)[-1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,}\.pdf", stored), stored  # secrets.token_urlsafe
    assert "passwd" not in document.file.name
    response = client.get(
        reverse("taawidaty:document", kwargs={"public_id": draft.public_id, "document_id": document.pk})
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "<script>" not in response["Content-Disposition"]


def test_private_files_are_not_under_the_static_or_a_public_url(settings):
    assert not str(settings.MEDIA_URL).startswith("/static/")
    from django.test import Client

    assert Client().get(settings.MEDIA_URL + "taawidaty/pieces/x.pdf").status_code == 404
