"""«Mes données» as a PDF: requested in the page, built by the worker after commit, one per person."""

import re
import secrets
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from macnss.core import personal_data
from macnss.core.tasks_queue import enqueue_on_commit

from .models import DataExport

BUILD_EXPORT = "privacy.tasks.build_data_export"


@transaction.atomic
def request_pdf(*, person, language: str) -> DataExport:
    """A new export replaces the person's earlier ones (their files go after commit)."""
    for old in DataExport.objects.filter(insured=person):
        if old.pdf:
            transaction.on_commit(lambda storage=old.pdf.storage, name=old.pdf.name: storage.delete(name))
        old.delete()
    export = DataExport.objects.create(insured=person, language=language)
    enqueue_on_commit(BUILD_EXPORT, export.pk)
    return export


_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")


def has_arabic(value: str) -> bool:
    """In the Arabic PDF, a value without an Arabic letter (a phone number, a date) is set left to right:
    WeasyPrint does not guess a direction from the text as browsers do with dir="auto"."""
    return bool(_ARABIC_LETTER.search(value or ""))


def render_export(export: DataExport) -> bytes:
    from macnss.core.pdf import render_pdf

    person = export.insured
    context = {
        "person": person,
        "sections": personal_data.sections_for(person),
        "correction": personal_data.correction_text(),
        "generated_at": timezone.localtime(),
        "rtl": export.language == "ar",
        "has_arabic": has_arabic,
    }
    return render_pdf("privacy/my_data_pdf.html", context, stylesheet="pdf/my_data.css", language=export.language)


def build_pdf(export_id: int) -> bool:
    """Build and store the PDF once; False when there is nothing to do (gone, or already built)."""
    from django.utils import translation

    with transaction.atomic():
        export = DataExport.objects.select_for_update().select_related("insured").filter(pk=export_id).first()
        if export is None or export.built_at:
            return False
        with translation.override(export.language):
            pdf = render_export(export)
        export.pdf.save(f"{secrets.token_urlsafe(24)}.pdf", ContentFile(pdf), save=False)
        export.built_at = timezone.now()
        export.save(update_fields=["pdf", "built_at"])
    return True


def requeue_unbuilt() -> int:
    """Exports left waiting while the broker was down."""
    waiting = list(
        DataExport.objects.filter(
            built_at__isnull=True, requested_at__lt=timezone.now() - timedelta(minutes=2)
        ).values_list("pk", flat=True)
    )
    for export_id in waiting:
        enqueue_on_commit(BUILD_EXPORT, export_id)
    return len(waiting)
