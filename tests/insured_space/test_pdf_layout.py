"""The attestations obey the receipts' rules (docs/ARCHITECTURE.md, «PDF receipts»): one A4 page for a
year of declarations, set in the cut-down fonts only."""

from datetime import date

import pytest

from insured_space import services
from insured_space.models import AttestationKind
from macnss.core import pdf
from tests.core.test_pdf import built_fonts, embedded_fonts, page_count, receipt_fonts, write  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

TEMPLATE, STYLESHEET = "insured_space/attestation_pdf.html", "pdf/attestation.css"


@pytest.fixture(params=[AttestationKind.REGISTRATION, AttestationKind.SALARY])
def document(request, employee):
    attestation = services.issue_attestation(person=employee, kind=request.param, year=2025, today=date(2026, 3, 2))
    context = services.pdf_context(attestation)
    context["qr_code"] = pdf.qr_code_data_uri(context["verification_url"])
    return context


@pytest.mark.usefixtures("receipt_fonts")
def test_one_page_in_the_cut_down_fonts_only(document, tmp_path):
    path = write(pdf.render_pdf(TEMPLATE, document, stylesheet=STYLESHEET), tmp_path)
    assert page_count(path) == 1
    assert embedded_fonts(path) == {"Receipt-Sans", "Receipt-Sans-Bold", "Receipt-Arabic"}
