"""«Mon immatriculation», its attestations, and the public page that checks any signed document."""

import re
from urllib.parse import parse_qs, urlsplit

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.selectors import insured_for_user
from macnss.core import document_signing
from macnss.core.downloads import attachment_response
from macnss.core.throttle import limit_exceeded

from . import selectors, services
from .forms import SalaryAttestationForm, VerifyDocumentForm
from .models import AttestationKind

VERIFY_RATE = "30/h"


def _person(request):
    person = insured_for_user(request.user)
    if person is None:
        raise Http404
    return person


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _page(request, person, salary_form=None):
    periods = selectors.regime_history(person)
    years = selectors.declared_by_year_and_employer(person)
    offers_salary = selectors.has_employee_period(periods)
    if salary_form is None and offers_salary:
        salary_form = SalaryAttestationForm(years=[summary.year for summary in years])
    return render(
        request,
        "insured_space/registration.html",
        {
            "person": person,
            "periods": periods,
            "registered_on": selectors.registration_date(periods),
            "years": years,
            "offers_salary": offers_salary,
            "form": salary_form,
            "attestations": selectors.recent_attestations(person),
        },
    )


@login_required
@never_cache
def registration(request):
    """«Mon immatriculation»: number, regimes with their dates, declared days and salaries, attestations."""
    return _page(request, _person(request))


@login_required
@require_POST
def request_registration_attestation(request):
    attestation = services.issue_attestation(person=_person(request), kind=AttestationKind.REGISTRATION)
    return _see_other(reverse("insured_space:attestation", kwargs={"public_id": attestation.public_id}))


@login_required
@require_POST
def request_salary_attestation(request):
    person = _person(request)
    periods = selectors.regime_history(person)
    if not selectors.has_employee_period(periods):
        raise Http404
    years = [summary.year for summary in selectors.declared_by_year_and_employer(person)]
    form = SalaryAttestationForm(request.POST, years=years)
    if not form.is_valid():
        return _page(request, person, salary_form=form)
    attestation = services.issue_attestation(person=person, kind=AttestationKind.SALARY, year=form.chosen_year())
    return _see_other(reverse("insured_space:attestation", kwargs={"public_id": attestation.public_id}))


@login_required
@never_cache
def attestation(request, public_id):
    """The attestation's page: «en préparation» until the worker has built the PDF, then the download."""
    document = selectors.attestation_of(_person(request), public_id)
    return render(request, "insured_space/attestation.html", {"attestation": document})


@login_required
def attestation_pdf(request, public_id):
    document = selectors.attestation_of(_person(request), public_id)
    if not document.is_ready:
        return redirect("insured_space:attestation", public_id=public_id)
    return attachment_response(
        document.pdf, filename=f"attestation-{document.reference}.pdf", content_type="application/pdf"
    )


# --- Public -----------------------------------------------------------------------------------------


def _reference_in_url(text: str) -> str:
    """An older receipt's QR code is a URL with ?reference=…: check that reference."""
    values = parse_qs(urlsplit(text).query).get("reference") or [""]
    return re.sub(r"\s+", "", values[0]).upper()[:40]


@never_cache
def verify(request):
    """«Vérification de l'authenticité des attestations»: a reference, a pasted code or a photo of the QR
    code; the answer shows the type, the date, the amount where there is one and the initials, nothing else.
    Limited per client; when the limit cannot be counted the check is refused (macnss.core.throttle)."""
    result, limited = None, False
    if request.method == "POST":
        # Every attempt counts, and is counted before a photo is decoded (the costly part).
        limited = limit_exceeded(request, "document_verification", VERIFY_RATE)
        form = VerifyDocumentForm(request.POST, None if limited else request.FILES)
        if limited:
            form.is_valid()
            form.add_error(None, _("Trop de vérifications depuis votre connexion. Réessayez dans une heure."))
        elif form.is_valid():
            result = _check(form.cleaned_data)
    else:
        form = VerifyDocumentForm(initial={"reference": request.GET.get("reference", "")[:40]})
    document = result["document"] if result else None
    return render(
        request,
        "insured_space/verify.html",
        {
            "form": form,
            "result": result,
            "document": document,
            "kind_label": document_signing.kind_label(document.kind) if document else "",
        },
        status=429 if limited else 200,
    )


def _check(data: dict) -> dict:
    token = data.get("code") or ""
    photo_text = data.get("photo") or ""
    if photo_text and "#" in photo_text:
        token = photo_text
    if token:
        return {"document": document_signing.check_token(token)}
    reference = data.get("reference") or (_reference_in_url(photo_text) if photo_text else "")
    return {"document": document_signing.find_document(reference) if reference else None}


def published_keys(request):
    """Every public key that ever signed a document, with its dates: anyone can check a document offline."""
    response = JsonResponse(document_signing.keys_document())
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response
