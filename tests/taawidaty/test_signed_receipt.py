"""The TAAWIDATY receipt's QR code is a signed /verifier/ URL; the public page checks it and its reference."""

import subprocess
from html import unescape

import pytest
import zxingcpp
from django.conf import settings
from PIL import Image

from macnss.core import document_signing
from taawidaty import authenticity, services

from .helpers import submitted_claim

pytestmark = pytest.mark.django_db


def qr_text_of_pdf(pdf: bytes, tmp_path) -> str:
    (tmp_path / "r.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "200", "-singlefile", str(tmp_path / "r.pdf"), str(tmp_path / "r")], check=True
    )
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "r.png"), formats=zxingcpp.BarcodeFormat.QRCode)
    return found[0].text


def test_the_receipts_qr_code_is_a_signed_verifier_url(lists, eligible_person, tmp_path):
    claim = submitted_claim(eligible_person)
    url = qr_text_of_pdf(services.render_receipt(claim), tmp_path)
    assert url.startswith(f"{settings.PUBLIC_BASE_URL}/verifier/#v1.")
    claims = document_signing.verify(url)
    assert (claims.reference, claims.kind, claims.initials) == (
        claim.reference,
        "accuse_taawidaty",
        document_signing.initials_of(eligible_person.last_name, eligible_person.first_name),
    )
    assert document_signing.check_token(url).reference == claim.reference


def test_the_public_page_checks_a_receipt_by_reference_and_by_code(client, lists, eligible_person):
    claim = submitted_claim(eligible_person)
    for data in ({"reference": claim.reference}, {"code": authenticity.signed_url(claim)}):
        html = unescape(client.post("/verifier/", data).content.decode())
        assert "Document authentique" in html
        assert "Accusé de dépôt TAAWIDATY" in html
        assert claim.reference in html
