"""macnss.core.pdf: documents through WeasyPrint's public API, set in the cut-down fonts that
`build_receipt_fonts` makes (or in the system fonts when they were not built); QR codes that read back."""

import ast
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from bench.sample_receipts import asvi_receipt, taawidaty_receipt
from macnss.core import pdf

RECEIPTS = {
    "asvi-fr": asvi_receipt(arabic_name=True, language="fr"),
    "asvi-ar-latin-name-only": asvi_receipt(arabic_name=False, language="ar"),
    "taawidaty": taawidaty_receipt(arabic_name=True, physical_control=False, mining=False),
    "taawidaty-control-mining": taawidaty_receipt(arabic_name=False, physical_control=True, mining=True),
}
CUT_DOWN = {"Receipt-Sans", "Receipt-Sans-Bold", "Receipt-Arabic"}


@pytest.fixture(scope="session")
def built_fonts(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("pdf-fonts")
    assert len(pdf.build_receipt_fonts(directory)) == len(pdf.RECEIPT_FONTS)
    return directory


def _use_fonts_dir(settings, directory):
    settings.PDF_FONTS_DIR = directory
    pdf.release_fonts()  # the @font-face rules are read once per process: read them from `directory`


@pytest.fixture
def receipt_fonts(built_fonts, settings):
    _use_fonts_dir(settings, built_fonts)
    yield built_fonts
    pdf.release_fonts()


@pytest.fixture
def no_receipt_fonts(tmp_path, settings):
    _use_fonts_dir(settings, tmp_path / "not-built")
    yield
    pdf.release_fonts()


def write(document_pdf: bytes, tmp_path: Path) -> Path:
    path = tmp_path / "document.pdf"
    path.write_bytes(document_pdf)
    return path


def embedded_fonts(path: Path) -> set[str]:
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    return {line.split()[0].split("+", 1)[1] for line in listing.splitlines()[2:]}


def text_of(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def render(receipt) -> bytes:
    return pdf.render_pdf(receipt.template, receipt.context, stylesheet=receipt.stylesheet, language=receipt.language)


@pytest.mark.parametrize("name", RECEIPTS)
def test_each_receipt_is_one_page_in_the_cut_down_fonts_only(name, receipt_fonts, tmp_path):
    path = write(render(RECEIPTS[name]), tmp_path)
    assert page_count(path) == 1
    assert embedded_fonts(path) == CUT_DOWN


def test_arabic_is_printed_with_its_letters(receipt_fonts, tmp_path):
    # A letter missing from the cut-down Amiri would come out as .notdef, which pdftotext cannot read back.
    text = text_of(write(render(asvi_receipt(language="ar")), tmp_path))
    assert "الصندوق الوطني للضمان الاجتماعي" in text
    assert "التحقق من صحة الوصل" in text


def test_without_the_built_fonts_documents_use_the_system_fonts(no_receipt_fonts, tmp_path, caplog):
    path = write(render(RECEIPTS["taawidaty"]), tmp_path)
    assert page_count(path) == 1
    assert embedded_fonts(path) == {"DejaVu-Sans", "DejaVu-Sans-Bold", "Amiri"}
    assert "build_receipt_fonts" in caplog.text


def test_data_with_markup_characters_is_printed_as_typed(tmp_path):
    receipt = asvi_receipt()
    # The ASVI receipt prints the member's initials only (audit H4): the order id carries the markup here.
    receipt.context["order"].oid = 'O\'NEIL <b>&amp; "Co"'
    assert 'O\'NEIL <b>&amp; "Co"' in text_of(write(render(receipt), tmp_path))


def test_the_module_uses_weasyprints_public_names_only():
    source = Path(pdf.__file__).read_text()
    imported = re.findall(r"from weasyprint[\w.]* import ([\w, ]+)", source)
    assert imported, "the pattern no longer finds the imports"
    names = [name.strip() for group in imported for name in group.split(",")]
    assert not [name for name in names if name.startswith("_")]
    # Nor a private attribute of anything (WeasyPrint's hooks and internals), nor the collector's settings.
    tree = ast.parse(source)
    private = [node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr.startswith("_")]
    assert not [name for name in private if not name.startswith("__")]
    assert "set_threshold" not in source


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


def test_cut_down_fonts_are_small_and_keep_arabic_shaping(built_fonts):
    from fontTools.ttLib import TTFont

    # DejaVu Sans loses most of its glyphs; Amiri keeps nearly all of them, reached by its shaping rules.
    for file_name, _family, _weight, source_name, _ranges in pdf.RECEIPT_FONTS[:2]:
        made, source = TTFont(built_fonts / file_name), TTFont(pdf.system_font(source_name))
        assert len(made.getGlyphOrder()) < len(source.getGlyphOrder()) / 5
    arabic = TTFont(built_fonts / "ReceiptArabic.ttf")
    features = {record.FeatureTag for record in arabic["GSUB"].table.FeatureList.FeatureRecord}
    assert {"init", "medi", "fina"} <= features  # the joined forms of Arabic letters
    assert ord("ب") in arabic.getBestCmap()


def test_the_command_builds_the_fonts_where_it_is_told(tmp_path):
    call_command("build_receipt_fonts", directory=str(tmp_path / "fonts"), verbosity=0)
    assert sorted(path.name for path in (tmp_path / "fonts").iterdir()) == sorted(
        file_name for file_name, *_ in pdf.RECEIPT_FONTS
    )


def test_a_missing_system_font_is_skipped(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "system_font", lambda file_name: None)
    assert pdf.build_receipt_fonts(tmp_path) == []
    assert not list(tmp_path.iterdir())


def test_the_stylesheets_fall_back_to_the_system_fonts_by_name():
    for path in ("pdf/asvi_receipt.css", "pdf/taawidaty_receipt.css", "pdf/attestation.css"):
        css = Path(settings.BASE_DIR, "static", path).read_text()
        assert re.search(r'"Receipt Sans", ("Receipt Arabic", )?"DejaVu Sans"', css)
        assert '"Receipt Arabic", "Amiri"' in css


def test_a_worker_that_built_receipts_exits_cleanly_and_leaves_nothing_in_the_temporary_directory(
    built_fonts, tmp_path
):
    import os
    import sys

    script = (
        "import django; django.setup()\n"
        "from bench.sample_receipts import taawidaty_receipt\n"
        "from macnss.core.pdf import render_pdf\n"
        "r = taawidaty_receipt()\n"
        "render_pdf(r.template, r.context, stylesheet=r.stylesheet, language=r.language)\n"
    )
    environment = {
        **os.environ,
        "TMPDIR": str(tmp_path),
        "PDF_FONTS_DIR": str(built_fonts),
        "DJANGO_SETTINGS_MODULE": "macnss.settings.base",
    }
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert "Exception ignored" not in run.stderr
    assert "build_receipt_fonts" not in run.stderr  # the built fonts were found
    # WeasyPrint's own copies of the @font-face files are removed at exit; nothing else is written there.
    assert not list(tmp_path.iterdir())


def test_a_prefork_worker_child_releases_the_fonts_as_it_leaves(monkeypatch):
    # Celery's prefork children leave through os._exit, which skips atexit.
    from celery.signals import worker_process_shutdown

    import macnss.celery  # noqa: F401 - connects the handler

    released = []
    monkeypatch.setattr(pdf, "release_fonts", lambda: released.append(True))
    worker_process_shutdown.send(sender=None, pid=1, exitcode=0)
    assert released == [True]
