"""Bilingual PDF documents from Django templates through WeasyPrint's public API, and QR codes for
authenticity pages. Documents are built in the Celery worker; docs/PERFORMANCE.md «Receipt PDF» has the figures."""

import atexit
import base64
import gc
import io
import logging
import os
from functools import cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def qr_code_data_uri(url: str) -> str:
    """The QR code of `url` (error correction M) as a data: URL of an 8-bit grey PNG, 2 pixels a module.

    The stylesheets scale it with `image-rendering: pixelated`, so the modules stay sharp; 8-bit grey
    because WeasyPrint embeds such a PNG as it is (a 1-bit one it converts to RGB first)."""
    import zxingcpp
    from PIL import Image  # WeasyPrint's dependency; both imported lazily, like WeasyPrint

    barcode = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    pixels = memoryview(barcode.to_image(scale=2))  # one byte a pixel: 0 dark, 255 light
    height, width = pixels.shape
    buffer = io.BytesIO()
    Image.frombytes("L", (width, height), pixels.tobytes()).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# The documents' fonts cut down to the characters they print ("Receipt Sans", "Receipt Arabic" in the
# stylesheets), so that WeasyPrint subsets a small font rather than a full one for every PDF.
# `manage.py build_receipt_fonts` makes them into settings.PDF_FONTS_DIR (at image build); workers only
# read them, and the stylesheets fall back to the system fonts when they are missing.
_LATIN = ((0x20, 0x7E), (0xA0, 0x17F), (0x2000, 0x206F), (0x20AC, 0x20AC), (0x2122, 0x2122))
_ARABIC = (
    (0x20, 0x7E),
    (0xA0, 0xFF),
    (0x600, 0x6FF),
    (0x750, 0x77F),
    (0x2000, 0x206F),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)
RECEIPT_FONTS = (
    # file in PDF_FONTS_DIR, family in the stylesheets, CSS weight, system font it is cut from, characters kept
    ("ReceiptSans.ttf", "Receipt Sans", "normal", "DejaVuSans.ttf", _LATIN),
    ("ReceiptSans-Bold.ttf", "Receipt Sans", "bold", "DejaVuSans-Bold.ttf", _LATIN),
    ("ReceiptArabic.ttf", "Receipt Arabic", "normal", "Amiri-Regular.ttf", _ARABIC),
)
_FONT_DIRECTORIES = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts", "/Library/Fonts")


def system_font(file_name: str) -> Path | None:
    for directory in _FONT_DIRECTORIES:
        found = next(Path(directory).expanduser().rglob(file_name), None)
        if found:
            return found
    return None


def build_receipt_fonts(directory: Path) -> list[Path]:
    """Cut the system fonts down into `directory` (fontTools, WeasyPrint's own dependency); returns the
    files written. A system font that is missing is skipped: its documents use the system fallback."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, _family, _weight, source_name, ranges in RECEIPT_FONTS:
        source = system_font(source_name)
        if source is None:
            logger.warning("System font %s not found: %s not built", source_name, file_name)
            continue
        options = subset.Options()
        options.layout_features = ["*"]  # every OpenType feature: Arabic shaping needs them
        options.name_IDs = ["*"]
        options.notdef_outline = True
        options.hinting = False  # WeasyPrint drops hinting from what it embeds anyway
        font = TTFont(source)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[code for start, end in ranges for code in range(start, end + 1)])
        subsetter.subset(font)
        target = directory / file_name
        partial = target.with_name(f"{file_name}.{os.getpid()}.part")
        font.save(partial)
        os.replace(partial, target)  # a running worker never reads a half-written file
        written.append(target)
    return written


@cache
def _font_config():
    """One font configuration per worker process: fontconfig's font scan is paid once, not per PDF."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@cache
def _font_faces():
    """The @font-face rules of the cut-down fonts found in PDF_FONTS_DIR, made once per process."""
    from weasyprint import CSS

    directory = Path(settings.PDF_FONTS_DIR)
    rules = [
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; src: url("{path.as_uri()}"); }}'
        for file_name, family, weight, _source, _ranges in RECEIPT_FONTS
        if (path := directory / file_name).is_file()
    ]
    if len(rules) < len(RECEIPT_FONTS):
        logger.warning("Receipt fonts missing in %s (run manage.py build_receipt_fonts): system fonts used", directory)
    return CSS(string="\n".join(rules), font_config=_font_config())


@cache
def _stylesheet(path: str):
    """A document's stylesheet (static/<path>), parsed once per worker process rather than per PDF."""
    from weasyprint import CSS

    return CSS(filename=str(settings.BASE_DIR / "static" / path), font_config=_font_config())


@atexit.register
def release_fonts():
    """Drop the cached font configuration while the interpreter still works: WeasyPrint removes its
    temporary copies of the @font-face files when the configuration is collected, which at interpreter
    exit came too late (an error on stderr, the copies left behind). Called at exit, and by
    macnss.celery when a prefork child leaves (os._exit skips atexit)."""
    for cached in (_stylesheet, _font_faces, _font_config):
        cached.cache_clear()
    gc.collect()


def render_document(template_name: str, context: dict, *, stylesheet: str, language: str = "fr"):
    """The laid-out WeasyPrint document of a template and its stylesheet (a path under static/, such
    as pdf/asvi_receipt.css). Relative URLs (the logo) resolve against the project directory."""
    from weasyprint import HTML  # lazily: WeasyPrint loads Pango, which web requests rarely need

    with translation.override(language):
        html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=[_font_faces(), _stylesheet(stylesheet)], font_config=_font_config()
    )


def render_pdf(template_name: str, context: dict, *, stylesheet: str, language: str = "fr") -> bytes:
    return render_document(template_name, context, stylesheet=stylesheet, language=language).write_pdf()
