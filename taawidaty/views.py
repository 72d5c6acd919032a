"""TAAWIDATY pages (seed 002). Thin views: a form validates, one service acts, a selector reads."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.selectors import insured_for_user
from macnss.core.downloads import attachment_response
from macnss.core.journey_state import JourneyState
from macnss.core.storage import StorageUnavailable
from macnss.core.uploads import limit_uploads
from macnss.core.views import too_many_attempts

from . import selectors, services
from .forms import ClaimForm, DocumentsForm, VerifyReceiptForm
from .models import ClaimStatus

# The claim just submitted: its page then says that it was received.
SUBMITTED = JourneyState("taawidaty_submitted")


def _person(request):
    person = insured_for_user(request.user)
    if person is None:
        raise Http404
    return person


@login_required
def home(request):
    """«TAAWIDATY»: choose the benefit."""
    _person(request)
    return render(request, "taawidaty/home.html")


@login_required
def benefit(request):
    """«Remboursement des Cotisations Salariales»: the person's claims and «Créer une demande»."""
    person = _person(request)
    claims = list(selectors.claims_for(person))
    return render(
        request,
        "taawidaty/benefit.html",
        {"claims": claims, "draft": next((c for c in claims if c.is_draft), None)},
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def create(request):
    """«Créer une demande»: eligibility first, explained; then the form."""
    person = _person(request)
    draft = selectors.draft_for(person)
    result = selectors.eligibility_for(person, exclude_claim=draft)
    if not result.eligible:
        return render(request, "taawidaty/not_eligible.html", {"eligibility": result, "person": person})
    initial = {"mining": "oui" if draft.mining else "non", "cessation_date": draft.cessation_date} if draft else None
    form = ClaimForm(request.POST or None, initial=initial, person=person, eligibility_result=result)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.save_draft(
                person=person,
                mining=form.cleaned_data["mining"],
                cessation_date=form.cleaned_data["cessation_date"],
                claim=draft,
            )
        except services.ClaimNotAllowed as refusal:
            return render(request, "taawidaty/not_eligible.html", {"eligibility": refusal, "person": person})
        if request.GET.get("retour") == "verification":
            return redirect("taawidaty:check", public_id=claim.public_id)
        return redirect("taawidaty:documents", public_id=claim.public_id)
    return render(request, "taawidaty/claim_form.html", {"form": form, "eligibility": result, "draft": draft})


def _draft_or_redirect(request, public_id):
    person = _person(request)
    claim = selectors.claim_for_owner(person, public_id)
    if not claim.is_draft:
        return claim, redirect("taawidaty:detail", public_id=claim.public_id)
    return claim, None


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@limit_uploads
def documents(request, public_id):
    claim, leave = _draft_or_redirect(request, public_id)
    if leave:
        return leave
    required = list(selectors.required_documents(mining=claim.mining))
    uploaded = {doc.required_document_id: doc for doc in selectors.documents_of(claim)}
    form_kwargs = {"required_documents": required, "uploaded": uploaded}
    if request.method == "POST":
        form = DocumentsForm(request.POST, request.FILES, **form_kwargs)
        form.is_valid()
        accepted = form.accepted_uploads()
        if accepted:
            try:
                services.attach_documents(claim=claim, uploads=accepted)
            except StorageUnavailable as exc:
                form.add_error(None, exc.message)
            uploaded = {doc.required_document_id: doc for doc in selectors.documents_of(claim)}
        if not form.errors:
            missing = [doc for doc in required if doc.pk not in uploaded]
            if not missing:
                return redirect("taawidaty:check", public_id=claim.public_id)
            form.add_missing(missing)
        # Re-display with the files kept so far listed (a browser cannot re-fill a file input).
        form.show_uploaded(uploaded)
    else:
        form = DocumentsForm(**form_kwargs)
    return render(
        request,
        "taawidaty/documents.html",
        {"claim": claim, "form": form, "uploaded": [uploaded[d.pk] for d in required if d.pk in uploaded]},
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def check(request, public_id):
    claim, leave = _draft_or_redirect(request, public_id)
    if leave:
        return leave
    docs = list(selectors.documents_of(claim))
    problems = []
    if request.method == "POST":
        try:
            claim = services.submit_claim(claim=claim, by=request.user)
        except services.ClaimNotAllowed as refusal:
            problems = refusal.reasons
        else:
            SUBMITTED.set(request, {"claim": str(claim.public_id)})
            return redirect("taawidaty:detail", public_id=claim.public_id)
    missing = selectors.missing_documents(claim)
    return render(
        request,
        "taawidaty/check.html",
        {"claim": claim, "documents": docs, "missing": missing, "problems": problems, "person": claim.insured},
        status=400 if problems else 200,
    )


@login_required
@never_cache
def detail(request, public_id):
    person = _person(request)
    claim = selectors.claim_for_owner(person, public_id)
    if claim.is_draft:
        return redirect("taawidaty:check", public_id=claim.public_id)
    just_submitted = SUBMITTED.get(request).get("claim") == str(claim.public_id)
    return render(
        request,
        "taawidaty/detail.html",
        {
            "claim": claim,
            "documents": selectors.documents_of(claim),
            "just_submitted": just_submitted,
            "person": person,
            "statuses": ClaimStatus,
        },
    )


@login_required
def receipt(request, public_id):
    person = _person(request)
    claim = selectors.claim_for_owner(person, public_id)
    if not claim.receipt_ready:
        raise Http404
    return attachment_response(
        claim.receipt, filename=f"accuse-depot-{claim.reference}.pdf", content_type="application/pdf"
    )


@login_required
def document(request, public_id, document_id):
    person = _person(request)
    doc = selectors.document_for_owner(person, public_id, document_id)
    return attachment_response(doc.file, filename=doc.download_name, content_type=doc.content_type)


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    """Public: is this receipt genuine? Reference + date; only initials are shown."""
    result = None
    if request.method == "POST":
        form = VerifyReceiptForm(request.POST)
        if too_many_attempts(request, "taawidaty_verify", "30/h"):
            form.is_valid()
            form.add_error(None, _("Trop de vérifications depuis votre connexion. Réessayez dans une heure."))
        elif form.is_valid():
            claim = selectors.find_receipt(
                reference=form.cleaned_data["reference"], day=form.cleaned_data["submitted_on"]
            )
            result = {"found": claim is not None, "claim": claim}
    else:
        form = VerifyReceiptForm(initial={"reference": request.GET.get("reference", "")[:30]})
    return render(request, "taawidaty/verify.html", {"form": form, "result": result, "today": timezone.localdate()})
