"""The attestations obey the receipts' rules (docs/ARCHITECTURE.md, «PDF receipts»): XHTML that expat reads
into the HTML5 parser's tree, only elements the portal's user-agent stylesheet styles, laid out as with
WeasyPrint's own stylesheet, the cut-down fonts only, one A4 page for a year of declarations."""

import subprocess
from datetime import date

import pytest
from django.conf import settings

from insured_space import services
from insured_space.models import AttestationKind
from macnss.core import pdf
from tests.core.test_pdf import USER_AGENT_CSS, _Tags, element_tree, laid_out, styled_elements

pytestmark = pytest.mark.django_db

TEMPLATE, STYLESHEET = "insured_space/attestation_pdf.html", "pdf/attestation.css"


@pytest.fixture(params=[AttestationKind.REGISTRATION, AttestationKind.SALARY])
def document(request, employee):
    attestation = services.issue_attestation(person=employee, kind=request.param, year=2025, today=date(2026, 3, 2))
    context = services.pdf_context(attestation)
    context["qr_code"] = pdf.qr_code_data_uri(context["verification_url"])
    return context


def _html(context) -> str:
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("fr"):
        return render_to_string(TEMPLATE, context)


def test_the_template_is_xhtml_read_alike_by_both_parsers(document):
    import tinyhtml5

    html = _html(document)
    root = pdf._xhtml_root(html)
    assert root is not None
    assert element_tree(root) == element_tree(tinyhtml5.parse(html, namespace_html_elements=False))


def test_only_styled_elements_are_used(document):
    parser = _Tags()
    parser.feed(_html(document))
    assert not parser.tags - styled_elements(USER_AGENT_CSS.read_text()) - {"span"}


def test_laid_out_as_with_weasyprints_own_stylesheet_on_one_page(document):
    from weasyprint import HTML

    ours = pdf.render_document(TEMPLATE, document, stylesheet=STYLESHEET)
    theirs = HTML(string=_html(document), base_url=str(settings.BASE_DIR)).render(
        stylesheets=[pdf._font_faces(), pdf._stylesheet(STYLESHEET)], font_config=pdf._font_config()
    )
    assert len(ours.pages) == len(theirs.pages) == 1
    assert laid_out(ours) == laid_out(theirs)


def test_only_the_cut_down_fonts_are_embedded(document, tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(pdf.render_pdf(TEMPLATE, document, stylesheet=STYLESHEET))
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    embedded = {line.split()[0].split("+", 1)[1] for line in listing.splitlines()[2:]}
    assert embedded == {"Receipt-Sans", "Receipt-Sans-Bold", "Receipt-Arabic"}
