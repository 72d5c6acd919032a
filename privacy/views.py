"""The privacy notice (public) and «Mes données» (the logged-in insured person's own data only)."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import insured_for_user
from macnss.core import personal_data
from macnss.core.downloads import attachment_response

from . import services
from .models import DataExport


def duration(days: int) -> str:
    """365 → «1 an», 1825 → «5 ans», 30 → «30 jours»."""
    if days >= 365 and days % 365 == 0:
        years = days // 365
        return ngettext("%(count)d an", "%(count)d ans", years) % {"count": years}
    return ngettext("%(count)d jour", "%(count)d jours", days) % {"count": days}


@require_GET
def notice(request):
    periods = {
        "onboarding": duration(settings.RETENTION_ONBOARDING_ATTEMPTS_DAYS),
        "otp": duration(settings.RETENTION_OTP_DAYS),
        "outbox": duration(settings.RETENTION_OUTBOX_DAYS),
        "refused_documents": duration(settings.RETENTION_REFUSED_REQUEST_DOCUMENTS_DAYS),
        "access_journal": duration(settings.RETENTION_ACCESS_JOURNAL_DAYS),
    }
    return render(request, "privacy/notice.html", {"periods": periods})


def _person(request):
    person = insured_for_user(request.user)
    if person is None:  # staff without an insured record: nothing of theirs here
        raise Http404
    return person


@login_required
@never_cache
@require_GET
def my_data(request):
    person = _person(request)
    return render(
        request,
        "privacy/my_data.html",
        {
            "sections": personal_data.sections_for(person),
            "correction": personal_data.correction_text(),
            "export": DataExport.objects.filter(insured=person).first(),
        },
    )


@login_required
@never_cache
@require_GET
def my_data_download(request):
    person = _person(request)
    document = personal_data.export(person, language=get_language())
    content = json.dumps(document, ensure_ascii=False, indent=2).encode()
    return attachment_response(
        ContentFile(content),
        filename=f"mes-donnees-cnss-{person.immatriculation_number}.json",
        content_type="application/json; charset=utf-8",
    )


@login_required
@require_POST
def my_data_pdf(request):
    """«Préparer le PDF»: the worker builds it; the page then offers it (at once when tasks run eagerly)."""
    services.request_pdf(person=_person(request), language=get_language())
    return redirect("privacy:my_data")


@login_required
@never_cache
@require_GET
def my_data_pdf_download(request, export_id):
    person = _person(request)
    export = get_object_or_404(DataExport, pk=export_id, insured=person, built_at__isnull=False)
    return attachment_response(
        export.pdf, filename=f"mes-donnees-cnss-{person.immatriculation_number}.pdf", content_type="application/pdf"
    )
