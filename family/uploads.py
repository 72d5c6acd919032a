"""The one place this app takes the portal's upload checks from (content sniffing, active content,
antivirus), with the API of macnss.core.uploads that branch `uploads` introduces: `check_upload(uploaded)
-> CheckedFile` (data, content_type, extension, size, sha256, original_name, verdict). Once that branch is
merged, this whole module becomes: `from macnss.core.uploads import CheckedFile, check_upload`."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from macnss.core.translation import gettext_lazy as _
from taawidaty import antivirus
from taawidaty.uploads import check_content, read_limited

__all__ = ["CheckedFile", "check_upload"]


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    content_type: str
    extension: str
    size: int
    sha256: str
    original_name: str = ""
    verdict: antivirus.Verdict = antivirus.Verdict(clean=False)


def _display_name(name: str) -> str:
    """Only for display: the name typed by the user never becomes a path."""
    base = re.split(r"[\\/]", name or "")[-1]
    return re.sub(r"[^\w .()\-]", "_", base)[:120] or "document"


def check_upload(uploaded) -> CheckedFile:
    """Check one uploaded file; raise ValidationError (a message for the person, next to the field)."""
    checked = check_content(read_limited(uploaded))
    try:
        verdict = antivirus.scan(checked.data)
    except antivirus.ScannerUnavailable as exc:
        raise ValidationError(
            _(
                "L'analyse antivirus est momentanément indisponible : ce fichier n'a pas été enregistré. "
                "Réessayez dans quelques minutes."
            ),
            code="antivirus_unavailable",
        ) from exc
    if not verdict.clean:
        raise ValidationError(
            _("Ce fichier contient un virus et a été refusé. Scannez le document à nouveau sur un appareil sain."),
            code="infected",
        )
    return CheckedFile(
        data=checked.data,
        content_type=checked.content_type,
        extension=checked.extension,
        size=checked.size,
        sha256=checked.sha256,
        original_name=_display_name(uploaded.name),
        verdict=verdict,
    )
