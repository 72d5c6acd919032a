"""Bilingual PDF documents from Django templates (WeasyPrint), and QR codes for authenticity pages."""

import atexit
import base64
import gc
import hashlib
import io
import logging
import os
import tempfile
import threading
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def qr_code_data_uri(url: str) -> str:
    """The QR code of `url` (error correction M) as a data: URL of an 8-bit grey PNG, 2 pixels a module.

    zxing-cpp encodes it in C++ in 0.3 ms (segno, in Python, took 5 ms, most of it choosing the mask).
    A PNG lays out faster in WeasyPrint than the equivalent SVG, and the receipts scale it without
    smoothing (`image-rendering: pixelated`), so the modules stay sharp. 8-bit grey: WeasyPrint embeds
    such a PNG's pixels as they are, but turns a 1-bit one into RGB and encodes it twice."""
    import zxingcpp
    from PIL import Image  # WeasyPrint's dependency; both imported lazily, like WeasyPrint

    barcode = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    pixels = memoryview(barcode.to_image(scale=2))  # one byte a pixel: 0 dark, 255 light
    height, width = pixels.shape
    buffer = io.BytesIO()
    Image.frombytes("L", (width, height), pixels.tobytes()).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@cache
def _font_config():
    """One font configuration per worker process: fontconfig's font scan is paid once, not per PDF."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


# The receipts' fonts, cut down to the characters they print. WeasyPrint reads, subsets and compresses
# every font a PDF uses, keeping each glyph's number: with the 6,000-glyph system files that was about
# 8 % of a receipt's time. The cut-down files are made once per machine (fontTools, WeasyPrint's own
# dependency) from the system fonts, kept in the temporary directory, and named "Receipt Sans" and
# "Receipt Arabic" in the receipts' stylesheets, which fall back to the system fonts if they are missing.
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
_RECEIPT_FONTS = (
    # family in the receipts' stylesheets, CSS weight, system font file, characters kept
    ("Receipt Sans", "normal", "DejaVuSans.ttf", _LATIN),
    ("Receipt Sans", "bold", "DejaVuSans-Bold.ttf", _LATIN),
    ("Receipt Arabic", "normal", "Amiri-Regular.ttf", _ARABIC),
)
_FONT_DIRECTORIES = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts", "/Library/Fonts")


def _system_font(file_name: str) -> Path | None:
    for directory in _FONT_DIRECTORIES:
        found = next(Path(directory).expanduser().rglob(file_name), None)
        if found:
            return found
    return None


def _cut_down_font(file_name: str, ranges) -> Path | None:
    """The system font `file_name` with only the characters in `ranges` (and what shaping them needs),
    made on first use and then reused by every process; None if the font or a writable place is missing."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    source = _system_font(file_name)
    if source is None:
        return None
    stat = source.stat()
    key = hashlib.sha256(f"{source}|{stat.st_size}|{stat.st_mtime_ns}|{ranges}".encode()).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / "macnss-pdf-fonts" / f"{source.stem}-{key}.ttf"
    if target.exists():
        return target
    try:
        options = subset.Options()
        options.layout_features = ["*"]  # every OpenType feature: Arabic shaping needs them
        options.name_IDs = ["*"]
        options.notdef_outline = True
        options.hinting = False  # WeasyPrint drops hinting from what it embeds anyway
        font = TTFont(source)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[code for start, end in ranges for code in range(start, end + 1)])
        subsetter.subset(font)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.part")
        font.save(partial)
        os.replace(partial, target)  # atomic: another process never reads a half-written file
    except Exception:  # a read-only disk or a font fontTools cannot read: the system font still works
        logger.warning("Receipt font %s not cut down; the PDFs use the system font", file_name, exc_info=True)
        return None
    return target


@cache
def _font_faces():
    """The @font-face rules of the receipts' cut-down fonts (a stylesheet, made once per process)."""
    from weasyprint import CSS

    rules = []
    for family, weight, file_name, ranges in _RECEIPT_FONTS:
        if path := _cut_down_font(file_name, ranges):
            rules.append(
                f'@font-face {{ font-family: "{family}"; font-weight: {weight}; src: url("{path.as_uri()}"); }}'
            )
    return CSS(string="\n".join(rules), font_config=_font_config())


@cache
def _stylesheet(path: str):
    """A document's stylesheet (static/<path>), parsed once per worker process rather than per PDF."""
    from weasyprint import CSS

    return CSS(filename=str(settings.BASE_DIR / "static" / path), font_config=_font_config())


class _StaticImageCache(dict):
    """WeasyPrint's image cache, kept for the life of the worker process, for the project's own files
    only (the logo, an SVG parsed once instead of for every receipt): a QR code (a data: URL) differs on
    every receipt and is not kept, so the cache stays as small as the static images."""

    def __setitem__(self, url, image):
        if not str(url).startswith("data:"):
            super().__setitem__(url, image)


_IMAGES = _StaticImageCache()


def _xhtml_root(html: str):
    """The document's element tree, read by the standard library's XML parser (expat, in C), or None if
    the document is not a well-formed XHTML page.

    WeasyPrint reads HTML with tinyhtml5, an HTML5 parser written in Python: 6-9 % of a receipt. The
    receipt templates are written as XHTML (every element closed, <tbody> written out), for which both
    parsers build the same tree (tests/core/test_pdf.py compares them for every receipt). Whatever expat
    refuses (an HTML entity such as &nbsp;, an unclosed <br>, a control character in the data) goes to
    tinyhtml5, as before. defusedxml refuses entity declarations, so no document can expand into an XML
    bomb (autoescaping already keeps data from adding markup)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(html)
    except (ParseError, DefusedXmlException):
        return None
    return root if root.tag == "html" else None


@cache
def _document_html_class():
    """WeasyPrint's HTML with the portal's own user-agent stylesheet (static/pdf/user_agent.css: why, and
    how it is kept equal to WeasyPrint's for the receipts), read by expat when it can (`_xhtml_root`).
    `_ua_stylesheets` is WeasyPrint's hook for the stylesheet; the attributes set in `__init__` are those
    HTML's own sets. tests/core/test_pdf.py fails if a new WeasyPrint stops calling the hook or sets
    other attributes."""
    import cssselect2
    from weasyprint import HTML, _find_base_url  # lazily: WeasyPrint loads Pango, which web requests rarely need
    from weasyprint.urls import URLFetcher, ensure_url

    user_agent = _stylesheet("pdf/user_agent.css")

    class DocumentHTML(HTML):
        def __init__(self, string: str, base_url: str | None = None):
            root = _xhtml_root(string)
            if root is None:
                super().__init__(string=string, base_url=base_url)
                return
            self.base_url = _find_base_url(root, ensure_url(base_url) if base_url is not None else None)
            self.url_fetcher = URLFetcher()
            self.media_type = "print"
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
            self.etree_element = self.wrapper_element.etree_element

        def _ua_stylesheets(self, forms=False):
            return [user_agent]

    return DocumentHTML


@atexit.register
def release_fonts():
    """WeasyPrint deletes a font configuration's copies of the @font-face files when it is collected; at
    interpreter exit that came too late (its module already gone): an error on stderr and the copies left
    in the temporary directory, for every worker process. Dropped here, while everything still works: at
    exit, and from macnss.celery when a prefork child leaves (it skips atexit)."""
    _IMAGES.clear()  # the logo keeps the layout context it was drawn in, and so the font configuration
    for cached in (_document_html_class, _stylesheet, _font_faces, _font_config):
        cached.cache_clear()
    gc.collect()


def render_document(template_name: str, context: dict, *, stylesheet: str, language: str = "fr"):
    """The laid-out WeasyPrint document of a template and its stylesheet (a path under static/, such
    as pdf/asvi_receipt.css)."""
    with translation.override(language):
        html = render_to_string(template_name, context)
    return _document_html_class()(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=[_font_faces(), _stylesheet(stylesheet)], font_config=_font_config(), cache=_IMAGES
    )


_building = threading.Lock()  # guards the two below: PDFs can be built in threads (eager tasks, runserver)
_documents_being_built = 0
_threshold_before = gc.get_threshold()


@contextmanager
def _fewer_garbage_collections(threshold: int = 20_000):
    """Let the cyclic garbage collector run every `threshold` new objects instead of every 700 while
    documents are built: WeasyPrint allocates about half a million objects a receipt, and the hundreds
    of collections they triggered were 4-5 % of its time. The cycles left are collected at the first
    collection after it, as before. The process's setting is put back when the last document being built
    is done, even on error."""
    global _documents_being_built, _threshold_before
    with _building:
        if _documents_being_built == 0:
            _threshold_before = gc.get_threshold()
            gc.set_threshold(max(threshold, _threshold_before[0]), *_threshold_before[1:])
        _documents_being_built += 1
    try:
        yield
    finally:
        with _building:
            _documents_being_built -= 1
            if _documents_being_built == 0:
                gc.set_threshold(*_threshold_before)


def render_pdf(template_name: str, context: dict, *, stylesheet: str, language: str = "fr") -> bytes:
    buffer = io.BytesIO()
    with _fewer_garbage_collections():
        render_document(template_name, context, stylesheet=stylesheet, language=language).write_pdf(buffer)
    return buffer.getvalue()
