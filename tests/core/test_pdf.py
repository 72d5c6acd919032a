"""What macnss.core.pdf does for speed changes nothing in the receipts.

WeasyPrint's full user-agent stylesheet is replaced by a cut-down copy (static/pdf/user_agent.css), and
its HTML5 parser, for well-formed XHTML, by the standard library's XML parser. These tests render each
receipt, in every variant its template has, both ways and compare the laid-out pages box for box; they
check that the templates use no element the cut-down copy has no rules for, and that both parsers read
each receipt into the same tree.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from bench.sample_receipts import asvi_receipt, taawidaty_receipt
from macnss.core import pdf

USER_AGENT_CSS = Path(settings.BASE_DIR, "static", "pdf", "user_agent.css")


RECEIPTS = {
    "asvi-fr": asvi_receipt(arabic_name=True, language="fr"),
    "asvi-ar-latin-name-only": asvi_receipt(arabic_name=False, language="ar"),
    "taawidaty": taawidaty_receipt(arabic_name=True, physical_control=False, mining=False),
    "taawidaty-control-mining": taawidaty_receipt(arabic_name=False, physical_control=True, mining=True),
}


def html_of(receipt) -> str:
    template, context, _stylesheet, language = receipt
    with translation.override(language):
        return render_to_string(template, context)


def element_tree(element, depth=0) -> list[str]:
    """Every element of a tree, one line each: name, attributes, text and the text after it."""
    lines = [f"{'  ' * depth}{element.tag} {sorted(element.attrib.items())} {element.text!r} {element.tail!r}"]
    for child in element:
        lines += element_tree(child, depth + 1)
    return lines


def laid_out(document) -> list[tuple]:
    """Every box of every page: kind, element, position, size, text and the styles that show."""
    boxes = []
    for page in document.pages:
        for box in page._page_box.descendants():
            style = box.style
            boxes.append(
                (
                    type(box).__name__,
                    getattr(box, "element_tag", None),
                    *(round(value or 0, 3) for value in (box.position_x, box.position_y, box.width, box.height)),
                    getattr(box, "text", None),
                    str(style["color"]),
                    str(style["background_color"]),
                    style["font_family"],
                    style["font_size"],
                    style["font_weight"],
                    style["direction"],
                    style["text_align_all"],
                    *(str(style[f"border_{side}_width"]) for side in ("top", "right", "bottom", "left")),
                )
            )
    return boxes


@pytest.mark.parametrize("name", RECEIPTS)
def test_receipt_is_laid_out_as_with_weasyprints_own_user_agent_stylesheet(name):
    from weasyprint import HTML

    template, context, stylesheet, language = RECEIPTS[name]
    ours = pdf.render_document(template, context, stylesheet=stylesheet, language=language)
    theirs = HTML(string=html_of(RECEIPTS[name]), base_url=str(settings.BASE_DIR)).render(
        stylesheets=[pdf._font_faces(), pdf._stylesheet(stylesheet)], font_config=pdf._font_config()
    )
    assert len(ours.pages) == len(theirs.pages) == 1
    assert laid_out(ours) == laid_out(theirs)
    assert ours.make_bookmark_tree() == theirs.make_bookmark_tree()


@pytest.mark.parametrize("name", RECEIPTS)
def test_receipt_templates_are_xhtml_that_expat_reads_into_the_html5_parsers_tree(name):
    import tinyhtml5

    html = html_of(RECEIPTS[name])
    read_by_expat = pdf._xhtml_root(html)
    assert read_by_expat is not None, "write the receipt templates as XHTML: close every element, write <tbody>"
    assert element_tree(read_by_expat) == element_tree(tinyhtml5.parse(html, namespace_html_elements=False))


def test_document_html_sets_what_weasyprints_html_sets():
    from weasyprint import HTML

    html = html_of(RECEIPTS["asvi-fr"])
    ours = pdf._document_html_class()(string=html, base_url=str(settings.BASE_DIR))
    theirs = HTML(string=html, base_url=str(settings.BASE_DIR))
    assert pdf._xhtml_root(html) is not None  # this is the expat path
    assert vars(ours).keys() == vars(theirs).keys()
    assert (ours.base_url, ours.media_type, type(ours.url_fetcher)) == (
        theirs.base_url,
        theirs.media_type,
        type(theirs.url_fetcher),
    )


@pytest.mark.parametrize(
    "page",
    [
        "<p>Montant&nbsp;: 12 DH<br>Reçu</p>",  # HTML entity, unclosed <br>, no <html>
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head><body><p>Reçu</p></body></html>',
        '<html lang="fr"><head></head><body><p>Reçu \x01 illisible</p></body></html>',  # a control character
    ],
)
def test_pages_expat_cannot_read_are_read_by_weasyprints_html5_parser(page):
    assert pdf._xhtml_root(page) is None
    document = pdf._document_html_class()(string=page).render()
    text = "".join(getattr(box, "text", "") for box in document.pages[0]._page_box.descendants())
    assert "Reçu" in text


def test_data_with_markup_characters_is_read_by_expat_and_printed_as_typed():

    receipt = asvi_receipt()
    # The ASVI receipt prints the member's initials only (audit H4): the order id carries the markup here.
    receipt.context["order"].oid = 'O\'NEIL <b>&amp; "Co"'
    assert pdf._xhtml_root(html_of(receipt)) is not None  # autoescaped: still well-formed
    document = pdf.render_document(receipt.template, receipt.context, stylesheet=receipt.stylesheet)
    texts = [getattr(box, "text", "") for box in document.pages[0]._page_box.descendants()]
    assert any(text.startswith('O\'NEIL <b>&amp; "Co"') for text in texts)


def test_a_page_declaring_xml_entities_is_not_read_by_expat():
    laughs = '<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    assert pdf._xhtml_root(f"<!DOCTYPE html [{laughs}]><html><head></head><body><p>&b;</p></body></html>") is None


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


def styled_elements(css: str) -> set[str]:
    """The element names that the stylesheet's selectors name."""
    without_comments = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    selectors = " ".join(re.findall(r"([^{}]*)\{", without_comments))
    selectors = re.sub(r"\[[^\]]*\]", "", selectors)  # attribute values are not element names
    return set(re.findall(r"(?<![-\w.#:@])([a-z][a-z0-9]*)\b", selectors))


def test_receipt_templates_use_only_elements_the_user_agent_stylesheet_styles():
    used = set()
    for receipt in RECEIPTS.values():
        parser = _Tags()
        parser.feed(html_of(receipt))
        used |= parser.tags
    # <span> is the one element WeasyPrint's own stylesheet has no rule for either (inline is the default).
    missing = used - styled_elements(USER_AGENT_CSS.read_text()) - {"span"}
    assert not missing, f"copy these elements' rules from WeasyPrint's html5_ua.css into {USER_AGENT_CSS}"


def test_weasyprint_applies_the_portals_user_agent_stylesheet():
    # A list item gets a marker from WeasyPrint's own stylesheet only: none means ours is the one applied.
    from weasyprint import HTML

    def markers(document):
        boxes = document.pages[0]._page_box.descendants()
        return [box for box in boxes if (box.element_tag or "").endswith("::marker")]

    list_page = "<ul><li>élément</li></ul>"
    assert markers(HTML(string=list_page).render())
    assert not markers(pdf._document_html_class()(string=list_page).render())


def test_building_a_pdf_puts_the_garbage_collector_setting_back(monkeypatch):
    import gc

    before = gc.get_threshold()
    seen = []
    real = pdf.render_document

    def render_document(*args, **kwargs):
        seen.append(gc.get_threshold())
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "render_document", render_document)
    template, context, stylesheet, language = RECEIPTS["taawidaty"]
    assert pdf.render_pdf(template, context, stylesheet=stylesheet, language=language).startswith(b"%PDF")
    assert seen[0][0] > before[0]  # fewer collections while the document is built
    assert gc.get_threshold() == before

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pdf, "render_document", broken)
    with pytest.raises(OSError, match="disk full"):
        pdf.render_pdf(template, context, stylesheet=stylesheet, language=language)
    assert gc.get_threshold() == before


def test_qr_code_is_an_8_bit_grey_png_that_reads_back_as_the_url():
    import base64
    import io

    import zxingcpp
    from PIL import Image

    url = "https://www.macnss.ma/paiement/verifier-un-recu/?reference=RA20260000123&date=22/11/2026"
    header, data = pdf.qr_code_data_uri(url).split(",", 1)
    assert header == "data:image/png;base64"
    image = Image.open(io.BytesIO(base64.b64decode(data)))
    # 8-bit grey: WeasyPrint embeds it as it is (a 1-bit PNG it converts to RGB and encodes twice).
    assert image.mode == "L"
    assert set(image.tobytes()) == {0, 255}
    read = zxingcpp.read_barcode(image)
    assert read.format == zxingcpp.BarcodeFormat.QRCode
    assert read.text == url
    assert read.ec_level == "M"


def test_overlapping_pdf_builds_put_the_garbage_collector_setting_back_once_both_are_done():
    import gc

    before = gc.get_threshold()
    first, second = pdf._fewer_garbage_collections(), pdf._fewer_garbage_collections()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first build ends while the second still runs
    assert gc.get_threshold()[0] > before[0]
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before


@pytest.mark.parametrize("name", ["asvi-fr", "taawidaty-control-mining"])
def test_receipts_embed_the_cut_down_fonts_only(name, tmp_path):
    import subprocess

    template, context, stylesheet, language = RECEIPTS[name]
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf.render_pdf(template, context, stylesheet=stylesheet, language=language))
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    embedded = {line.split()[0].split("+", 1)[1] for line in listing.splitlines()[2:]}
    assert embedded == {"Receipt-Sans", "Receipt-Sans-Bold", "Receipt-Arabic"}


def test_a_cut_down_font_is_made_once_and_then_reused(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf.tempfile, "gettempdir", lambda: str(tmp_path))
    made = pdf._cut_down_font("DejaVuSans.ttf", pdf._LATIN)
    assert made.parent == tmp_path / "macnss-pdf-fonts"
    assert made.stat().st_size < pdf._system_font("DejaVuSans.ttf").stat().st_size / 5
    from fontTools import subset

    def no_second_subset(*args, **kwargs):
        raise AssertionError("subset again")

    monkeypatch.setattr(subset.Subsetter, "subset", no_second_subset)
    assert pdf._cut_down_font("DejaVuSans.ttf", pdf._LATIN) == made


def test_without_the_system_font_receipts_fall_back_to_it_by_name(monkeypatch):
    monkeypatch.setattr(pdf, "_system_font", lambda file_name: None)
    assert pdf._cut_down_font("Amiri-Regular.ttf", pdf._ARABIC) is None
    for path in ("pdf/asvi_receipt.css", "pdf/taawidaty_receipt.css"):
        css = Path(settings.BASE_DIR, "static", path).read_text()
        assert re.search(r'"Receipt Sans", ("Receipt Arabic", )?"DejaVu Sans"', css)
        assert '"Receipt Arabic", "Amiri"' in css


def test_a_font_that_cannot_be_cut_down_leaves_the_system_font(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf.tempfile, "gettempdir", lambda: str(tmp_path))
    broken = tmp_path / "Broken.ttf"
    broken.write_bytes(b"not a font")
    monkeypatch.setattr(pdf, "_system_font", lambda file_name: broken)
    assert pdf._cut_down_font("Broken.ttf", pdf._LATIN) is None
    assert not list((tmp_path / "macnss-pdf-fonts").glob("*.ttf"))


def test_a_worker_that_built_receipts_exits_cleanly_and_leaves_no_font_copies(tmp_path):
    import os
    import subprocess
    import sys

    script = (
        "import django; django.setup()\n"
        "from bench.sample_receipts import taawidaty_receipt\n"
        "from macnss.core.pdf import render_pdf\n"
        "r = taawidaty_receipt()\n"
        "render_pdf(r.template, r.context, stylesheet=r.stylesheet, language=r.language)\n"
    )
    environment = {**os.environ, "TMPDIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "macnss.settings.base"}
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert "Exception ignored" not in run.stderr
    assert not list(tmp_path.glob("weasyprint-*"))  # WeasyPrint's copies of the fonts, removed at exit
    assert list((tmp_path / "macnss-pdf-fonts").glob("*.ttf"))  # the cut-down fonts stay, for next time


def test_a_prefork_worker_child_releases_the_fonts_as_it_leaves(monkeypatch):
    # Celery's prefork children leave through os._exit, which skips atexit.
    from celery.signals import worker_process_shutdown

    import macnss.celery  # noqa: F401 - connects the handler

    released = []
    monkeypatch.setattr(pdf, "release_fonts", lambda: released.append(True))
    worker_process_shutdown.send(sender=None, pid=1, exitcode=0)
    assert released == [True]
