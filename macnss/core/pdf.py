"""Bilingual PDF documents from Django templates (WeasyPrint), and QR codes for authenticity pages."""

import io
from functools import cache

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def qr_code_data_uri(url: str) -> str:
    # A PNG lays out faster in WeasyPrint than the equivalent SVG. 2 pixels a module: the PDF scales it
    # without smoothing (`image-rendering: pixelated` in the receipts), so the modules stay sharp, and
    # the smaller image halves WeasyPrint's re-encoding time.
    return segno.make(url, error="m").png_data_uri(scale=2, border=1)


@cache
def _font_config():
    """One font configuration per worker process: fontconfig's font scan is paid once, not per PDF."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


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


def render_document(template_name: str, context: dict, *, stylesheet: str, language: str = "fr"):
    """The laid-out WeasyPrint document of a template and its stylesheet (a path under static/, such
    as pdf/asvi_receipt.css)."""
    from weasyprint import HTML  # imported lazily: it loads Pango, which the web process rarely needs

    with translation.override(language):
        html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=[_stylesheet(stylesheet)], font_config=_font_config(), cache=_IMAGES
    )


def render_pdf(template_name: str, context: dict, *, stylesheet: str, language: str = "fr") -> bytes:
    buffer = io.BytesIO()
    render_document(template_name, context, stylesheet=stylesheet, language=language).write_pdf(buffer)
    return buffer.getvalue()
