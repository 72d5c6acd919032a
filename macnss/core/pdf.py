"""Bilingual PDF documents from Django templates (WeasyPrint), and QR codes for authenticity pages."""

import io

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def qr_code_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=3, border=1)


def render_pdf(template_name: str, context: dict, *, language: str = "fr") -> bytes:
    from weasyprint import HTML  # imported lazily: it loads Pango, which the web process rarely needs

    with translation.override(language):
        html = render_to_string(template_name, context)
    buffer = io.BytesIO()
    HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(buffer)
    return buffer.getvalue()
