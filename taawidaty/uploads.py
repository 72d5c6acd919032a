"""Checks on a scanned document, by content only (ASVS 12.2.1): the name and the browser's type are ignored."""

import hashlib
import io
import re
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError

from macnss.core.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
ALLOWED_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}

# Markers of a web page, a script or an active PDF: a scan never holds them; a polyglot does.
_ACTIVE_MARKERS = re.compile(
    rb"<\s*(script|html|svg|iframe|object|embed|body)\b|<!doctype\s+html|javascript:",
    re.IGNORECASE,
)
_ACTIVE_PDF_KEYS = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")

MESSAGES = {
    "empty": _("Le fichier est vide. Choisissez le document scanné."),
    "too_big": _(
        "Le fichier dépasse 5 Mo. Scannez le document en résolution plus faible (150 ppp) ou en noir et blanc, "
        "puis déposez-le à nouveau."
    ),
    "type": _("Ce fichier n'est pas un PDF, un JPEG ou un PNG. Déposez le document scanné dans l'un de ces formats."),
    "active": _(
        "Ce fichier contient du contenu actif (page web, script) et ne peut pas être accepté. "
        "Déposez une simple copie scannée en PDF, JPEG ou PNG."
    ),
    "damaged": _("Ce fichier est endommagé ou illisible. Scannez le document à nouveau."),
}


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    content_type: str
    extension: str
    size: int
    sha256: str


def _refuse(code: str):
    raise ValidationError(MESSAGES[code], code=code)


def read_limited(uploaded) -> bytes:
    """Read at most 5 MB + 1 byte, so an oversized upload is refused without holding it in memory."""
    if getattr(uploaded, "size", 0) and uploaded.size > MAX_UPLOAD_BYTES:
        _refuse("too_big")
    uploaded.seek(0)
    data = uploaded.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        _refuse("too_big")
    return data


def check_content(data: bytes) -> CheckedFile:
    if not data:
        _refuse("empty")
    if len(data) > MAX_UPLOAD_BYTES:
        _refuse("too_big")
    kind = filetype.guess(data[:8192])
    content_type = kind.mime if kind else ""
    if content_type not in ALLOWED_TYPES:
        _refuse("type")
    if _ACTIVE_MARKERS.search(data):
        _refuse("active")
    if content_type == "application/pdf":
        _check_pdf(data)
    else:
        _check_image(data, content_type)
    return CheckedFile(
        data=data,
        content_type=content_type,
        extension=ALLOWED_TYPES[content_type],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _check_pdf(data: bytes) -> None:
    if not data.startswith(b"%PDF-"):
        _refuse("type")
    if _ACTIVE_PDF_KEYS.search(data):
        _refuse("active")
    if b"%%EOF" not in data[-2048:]:
        _refuse("damaged")


def _check_image(data: bytes, content_type: str) -> None:
    if b"%PDF-" in data[:1024]:  # an image that is also a PDF
        _refuse("active")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            expected = {"image/jpeg": "JPEG", "image/png": "PNG"}[content_type]
            if image.format != expected:
                _refuse("type")
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        _refuse("damaged")
