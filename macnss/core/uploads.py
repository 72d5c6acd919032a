"""Every uploaded document is checked here, by content only (ASVS 12.2.1): the name and the browser's type are
ignored. A form calls `check_upload(uploaded)` in its clean_<field> (or uses `DocumentField`); an upload view is
wrapped in `limit_uploads` so that an oversized body is refused while it arrives, in memory, never spooled.

Order of the checks: size, type by content, structure (a PDF parsed with qpdf and walked object by object; an
image decoded), the antivirus on the raw bytes, then images re-encoded (metadata and trailing payloads dropped).
"""

import hashlib
import io
import re
from dataclasses import dataclass, field
from functools import wraps

import filetype
import pikepdf
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from PIL import Image, ImageOps

from macnss.core import antivirus

ALLOWED_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
ACCEPT_ATTRIBUTE = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}

# Markers of a web page or a script: a scan never holds them; a polyglot does.
_ACTIVE_MARKERS = re.compile(
    rb"<\s*(script|html|svg|iframe|object|embed|body)\b|<!doctype\s+html|javascript:",
    re.IGNORECASE,
)
# PDF names that make a document act (scripts, launching, embedded files, links out, forms sent out, XFA).
# qpdf has already undone #xx escapes and opened object streams when these are compared.
FORBIDDEN_PDF_NAMES = frozenset(
    "/" + name
    for name in (
        "JavaScript",
        "JS",
        "Launch",
        "EmbeddedFile",
        "EmbeddedFiles",
        "EF",
        "FileAttachment",
        "URI",
        "SubmitForm",
        "GoToR",
        "GoToE",
        "ImportData",
        "XFA",
        "RichMedia",
        "RichMediaExecute",
    )
)
# The same long names in the raw bytes: catches a dictionary left outside any object, which qpdf ignores but a
# lenient reader may repair into the document. Short names (/JS, /URI, /XFA) would match random compressed bytes.
_FORBIDDEN_RAW_PDF_NAMES = re.compile(rb"/(JavaScript|Launch|EmbeddedFiles?|SubmitForm|GoToR|RichMedia)\b")
MAX_PDF_OBJECTS = 200_000


def max_upload_bytes() -> int:
    return settings.UPLOAD_MAX_BYTES


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


MESSAGES = {
    "empty": _("Le fichier est vide. Choisissez le document scanné."),
    "too_big": _(
        "Le fichier dépasse %(size)s Mo. Scannez le document en résolution plus faible (150 ppp) ou en noir et "
        "blanc, puis déposez-le à nouveau."
    ),
    "request_too_big": _(
        "L'envoi dépasse %(size)s Mo au total et n'a pas été reçu. Déposez les documents en plusieurs fois."
    ),
    "type": _("Ce fichier n'est pas un PDF, un JPEG ou un PNG. Déposez le document scanné dans l'un de ces formats."),
    "active": _(
        "Ce fichier contient du contenu actif (script, lien, pièce jointe, formulaire) et ne peut pas être accepté. "
        "Déposez une simple copie scannée en PDF, JPEG ou PNG."
    ),
    "damaged": _("Ce fichier est endommagé ou illisible. Scannez le document à nouveau."),
    "too_many_pixels": _(
        "L'image est trop grande (plus de %(megapixels)s millions de pixels). Scannez le document en 300 ppp au plus."
    ),
    "antivirus_unavailable": _(
        "L'analyse antivirus est momentanément indisponible : ce fichier n'a pas été enregistré. "
        "Réessayez dans quelques minutes."
    ),
    "infected": _("Ce fichier contient un virus et a été refusé. Scannez le document à nouveau sur un appareil sain."),
}


@dataclass(frozen=True)
class CheckedFile:
    """A document that passed every check: `data` is what may be stored (images re-encoded, PDFs as sent)."""

    data: bytes
    content_type: str
    extension: str
    size: int
    sha256: str
    original_name: str = ""
    verdict: antivirus.Verdict = field(default_factory=lambda: antivirus.Verdict(clean=False))


def _refuse(code: str):
    """Raise the message of `code`, with the limits it quotes taken from the settings."""
    params = None
    if code == "too_big":
        params = {"size": _megabytes(max_upload_bytes())}
    elif code == "request_too_big":
        params = {"size": _megabytes(settings.UPLOAD_MAX_REQUEST_BYTES)}
    elif code == "too_many_pixels":
        params = {"megapixels": f"{settings.UPLOAD_MAX_IMAGE_PIXELS // 1_000_000}"}
    raise ValidationError(MESSAGES[code], code=code, params=params)


def safe_display_name(name: str) -> str:
    """Only for display: the name typed by the user never becomes a path."""
    base = re.split(r"[\\/]", name or "")[-1]
    return re.sub(r"[^\w .()\-]", "_", base)[:120] or "document"


# ---------------------------------------------------------------- the checks a form calls


def check_upload(uploaded) -> CheckedFile:
    """Check one uploaded file and return what may be stored; raise ValidationError (with a message for the
    person, next to the field) otherwise. The antivirus sees the raw bytes; an unavailable antivirus refuses."""
    if isinstance(uploaded, RefusedUpload):
        _refuse(uploaded.reason)
    data = read_limited(uploaded)
    inspected = inspect_content(data)
    try:
        verdict = antivirus.scan(data)
    except antivirus.ScannerUnavailable as exc:
        raise ValidationError(MESSAGES["antivirus_unavailable"], code="antivirus_unavailable") from exc
    if not verdict.clean:
        _refuse("infected")
    stored = _decoded(_reencode_image, data, inspected) if inspected != "application/pdf" else data
    return _checked(stored, inspected, original_name=safe_display_name(uploaded.name), verdict=verdict)


def check_content(data: bytes) -> CheckedFile:
    """The content checks without the antivirus (and images re-encoded): for tests and for files the portal made."""
    content_type = inspect_content(data)
    stored = _decoded(_reencode_image, data, content_type) if content_type != "application/pdf" else data
    return _checked(stored, content_type)


def _checked(data: bytes, content_type: str, **extra) -> CheckedFile:
    return CheckedFile(
        data=data,
        content_type=content_type,
        extension=ALLOWED_TYPES[content_type],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        **extra,
    )


def read_limited(uploaded) -> bytes:
    """Read at most the limit + 1 byte, so an oversized file is refused without holding it in memory."""
    limit = max_upload_bytes()
    if getattr(uploaded, "size", 0) and uploaded.size > limit:
        _refuse("too_big")
    uploaded.seek(0)
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        _refuse("too_big")
    return data


def inspect_content(data: bytes) -> str:
    """The file's type, found from its content, once its structure is checked; refuse anything else."""
    if not data:
        _refuse("empty")
    if len(data) > max_upload_bytes():
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
        _decoded(_check_image, data, content_type)
    return content_type


def _check_pdf(data: bytes) -> None:
    if not data.startswith(b"%PDF-"):
        _refuse("type")
    if _FORBIDDEN_RAW_PDF_NAMES.search(data):
        _refuse("active")
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if len(pdf.objects) > MAX_PDF_OBJECTS:
                _refuse("damaged")
            active = any(_is_active(obj) for obj in pdf.objects)
            # qpdf repairs a broken file (a rebuilt cross-reference table, a truncated object) with a warning:
            # what it had to guess, another reader may read otherwise.
            damaged = bool(pdf.get_warnings())
    except (pikepdf.PdfError, pikepdf.PasswordError, RecursionError, ValueError, TypeError, RuntimeError):
        _refuse("damaged")
    if active:
        _refuse("active")
    if damaged:
        _refuse("damaged")


def _is_active(root) -> bool:
    """Walk one object (its direct sub-objects, not the indirect ones: pdf.objects lists those)."""
    pending = [root]
    while pending:
        obj = pending.pop()
        if isinstance(obj, pikepdf.Name):
            if str(obj) in FORBIDDEN_PDF_NAMES:
                return True
        elif isinstance(obj, pikepdf.Array):
            pending.extend(item for item in obj if _is_direct(item))
        elif isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            mapping = obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj
            for key, value in mapping.items():  # items(): a key that is not UTF-8 cannot be looked up again
                if key in FORBIDDEN_PDF_NAMES:
                    return True
                if _is_direct(value):
                    pending.append(value)
    return False


def _is_direct(value) -> bool:
    # pikepdf hands numbers and booleans back as Python values: nothing to walk in them.
    return isinstance(value, pikepdf.Object) and not value.is_indirect


def _check_image(data: bytes, content_type: str) -> None:
    if b"%PDF-" in data[:1024]:  # an image that is also a PDF
        _refuse("active")
    with Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[content_type]]) as image:
        if image.width * image.height > settings.UPLOAD_MAX_IMAGE_PIXELS:
            _refuse("too_many_pixels")
        image.load()  # decodes every pixel: a truncated or corrupt image fails here


def _reencode_image(data: bytes, content_type: str) -> bytes:
    """Draw the pixels again into a new file of the same format: EXIF (GPS, device), comments, ICC profiles and
    anything hidden after the image data are left behind. The EXIF orientation is applied first."""
    pillow_format = PILLOW_FORMATS[content_type]
    with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
        upright = ImageOps.exif_transpose(image)
        if pillow_format == "JPEG" and upright.mode not in ("L", "RGB", "CMYK"):
            upright = upright.convert("RGB")
        if pillow_format == "PNG" and upright.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
            upright = upright.convert("RGBA")
        pixels = Image.new(upright.mode, upright.size)
        pixels.paste(upright)
        if upright.mode == "P":
            pixels.putpalette(upright.getpalette())
        buffer = io.BytesIO()
        if pillow_format == "JPEG":
            pixels.save(buffer, "JPEG", quality=90, optimize=True)
        else:
            pixels.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _decoded(step, data: bytes, content_type: str):
    """Run a Pillow step on an uploaded image. A hostile file can make a decoder (or its EXIF reader) raise
    almost anything (OSError, struct.error, SyntaxError…): every such failure is a damaged file, not a 500."""
    try:
        return step(data, content_type)
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 (see the docstring)
        _refuse("damaged")


class DocumentField(forms.FileField):
    """A file field whose cleaned value is a CheckedFile (or None when no file was chosen)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        super().__init__(**kwargs)

    def to_python(self, data):
        if isinstance(data, RefusedUpload):  # before FileField looks at its name and size
            _refuse(data.reason)
        return super().to_python(data)

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if isinstance(value, UploadedFile):
            return check_upload(value)
        return None


# ---------------------------------------------------------------- the upload handler of the upload views


class RefusedUpload(UploadedFile):
    """Stands in request.FILES for a file refused while it arrived: no content, only why."""

    def __init__(self, name: str, reason: str, size: int):
        super().__init__(file=io.BytesIO(), name=name, content_type="application/octet-stream", size=size)
        self.reason = reason


class BoundedMemoryUploadHandler(FileUploadHandler):
    """Keeps each file in memory up to settings.UPLOAD_MAX_BYTES and drops the chunks beyond: nothing is written to
    disk, and a body announced larger than settings.UPLOAD_MAX_REQUEST_BYTES is not kept at all. A refused file
    reaches the form as a RefusedUpload, which DocumentField and check_upload turn into a message."""

    def __init__(self, request=None):
        super().__init__(request)
        self.max_file_bytes = settings.UPLOAD_MAX_BYTES
        self.body_too_big = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):  # noqa: N803 (Django's)
        self.body_too_big = content_length > settings.UPLOAD_MAX_REQUEST_BYTES
        return None  # Django goes on parsing; the files' chunks come to receive_data_chunk

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()
        self.received = 0
        self.refusal = "request_too_big" if self.body_too_big else ""

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.refusal:
            return None
        if self.received > self.max_file_bytes:
            self.refusal = "too_big"
            self.buffer = io.BytesIO()  # what had arrived is let go at once
            return None
        self.buffer.write(raw_data)
        return None  # no other handler gets the chunk: nothing is spooled to a temporary file

    def file_complete(self, file_size):
        if self.refusal:
            return RefusedUpload(self.file_name, self.refusal, self.received or 1)
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def limit_uploads(view):
    """Wrap a view that receives files: its uploads go through BoundedMemoryUploadHandler only. The handlers must be
    set before anything reads request.POST, and CsrfViewMiddleware reads it, so the CSRF check moves inside
    (Django's documented pattern for per-view upload handlers)."""
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.upload_handlers = [BoundedMemoryUploadHandler(request)]
        return protected(request, *args, **kwargs)

    return wrapper
