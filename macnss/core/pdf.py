"""Bilingual PDF documents from Django templates (WeasyPrint), and QR codes for authenticity pages."""

import io
from functools import cache

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def qr_code_data_uri(url: str) -> str:
    # A PNG lays out faster in WeasyPrint than the equivalent SVG. 4 pixels a module: the PDF scales it
    # without smoothing (`image-rendering: pixelated` in the receipts), so the modules stay sharp, and
    # the smaller image halves WeasyPrint's re-encoding time.
    return segno.make(url, error="m").png_data_uri(scale=4, border=1)


@cache
def _font_config():
    """One font configuration per worker process: fontconfig's font scan is paid once, not per PDF."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_pdf(template_name: str, context: dict, *, language: str = "fr") -> bytes:
    from weasyprint import HTML  # imported lazily: it loads Pango, which the web process rarely needs

    with translation.override(language):
        html = render_to_string(template_name, context)
    buffer = io.BytesIO()
    HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(buffer, font_config=_font_config())
    return buffer.getvalue()
