"""The ASVI receipt's QR code is a signed /verifier/ URL; the public page shows its type, date and amount."""

from html import unescape

import pytest
from django.conf import settings

from asvi_payment import authenticity, services
from asvi_payment.models import PaymentOrder
from macnss.core import document_signing
from tests.taawidaty.test_signed_receipt import qr_text_of_pdf

from .conftest import callback_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order(order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.handle_callback(fields=callback_fields(order))
    return PaymentOrder.objects.select_related("insured").get(pk=order.pk)


def test_the_receipts_qr_code_is_a_signed_verifier_url(paid_order, tmp_path):
    url = qr_text_of_pdf(services.receipt_pdf_bytes(paid_order), tmp_path)
    assert url.startswith(f"{settings.PUBLIC_BASE_URL}/verifier/#v1.")
    document = document_signing.check_token(url)
    assert document.reference == paid_order.receipt_number
    assert document.amount == paid_order.amount


def test_the_public_page_checks_a_receipt_number_typed_without_dashes(client, paid_order):
    typed = paid_order.receipt_number.replace("-", "").lower()
    html = unescape(client.post("/verifier/", {"reference": typed}).content.decode())
    assert "Document authentique" in html
    assert "Reçu de règlement ASVI" in html
    assert f"{paid_order.amount:.2f}" in html
    assert paid_order.insured.last_name not in html


def test_a_receipt_whose_lines_changed_is_not_authentic(client, paid_order):
    url = authenticity.signed_url(paid_order, paid_order.lines.all())
    paid_order.lines.update(amount=1)
    assert "Document non authentique" in unescape(client.post("/verifier/", {"code": url}).content.decode())
