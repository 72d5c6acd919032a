"""«Mes ayants droit» and «Ajouter un membre». Thin views: a form validates, one service acts."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.selectors import insured_for_user
from macnss.core.downloads import attachment_response
from macnss.core.journey_state import JourneyState
from macnss.core.storage import StorageUnavailable
from macnss.core.uploads import limit_uploads

from . import selectors, services
from .forms import DocumentsForm, MemberForm, SchoolCertificateForm
from .models import DocumentKind, MemberStatus

# The answers of step 1 until the documents are filed; then the member just declared, for its page.
JOURNEY = JourneyState("family")
DECLARED = JourneyState("family_declared")


def _person(request):
    person = insured_for_user(request.user)
    if person is None:
        raise Http404
    return person


@login_required
def members(request):
    """«Mes ayants droit»: the declared members with their status."""
    person = _person(request)
    return render(
        request,
        "family/members.html",
        {
            "members": list(selectors.members_for(person)),
            "limits": selectors.current_limits(),
            "statuses": MemberStatus,
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def add(request):
    """«Ajouter un membre», step 1: the rules are checked here, before any document is asked for."""
    person = _person(request)
    refusal = None
    if request.method == "POST":
        form = MemberForm(request.POST)
        if form.is_valid():
            answers = form.answers()
            try:
                services.check_declarable(person=person, answers=answers)
            except services.DeclarationRefused as refused:
                refusal = refused.reasons
            else:
                JOURNEY.set(request, answers.to_session())
                return redirect("family:documents")
    else:
        saved = JOURNEY.get(request)
        form = MemberForm(initial=services.MemberAnswers.from_session(saved).__dict__ if saved else None)
    return render(
        request,
        "family/add.html",
        {"form": form, "refusal": refusal, "limits": selectors.current_limits()},
        status=400 if refusal else 200,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@limit_uploads
def documents(request):
    """Step 2: the documents the rules ask for this person; filing happens only when all are valid."""
    person = _person(request)
    saved = JOURNEY.get(request)
    if not saved:
        return redirect("family:add")
    answers = services.MemberAnswers.from_session(saved)
    try:
        decision = services.check_declarable(person=person, answers=answers)
    except services.DeclarationRefused as refused:
        return render(
            request,
            "family/add.html",
            {
                "form": MemberForm(initial=answers.__dict__),
                "refusal": refused.reasons,
                "limits": selectors.current_limits(),
            },
            status=400,
        )
    posted = request.method == "POST"
    form = DocumentsForm(request.POST if posted else None, request.FILES if posted else None, kinds=decision.documents)
    refusal = None
    if request.method == "POST" and form.is_valid():
        uploads = {kind: form.cleaned_data[kind] for kind in decision.documents}
        try:
            member = services.declare(
                person=person, answers=answers, uploads=uploads, language=get_language(), by=request.user
            )
        except services.DeclarationRefused as refused:
            refusal = refused.reasons
        except StorageUnavailable as exc:
            form.add_error(None, exc.message)
        else:
            JOURNEY.clear(request)
            DECLARED.set(request, {"member": str(member.public_id)})
            return redirect("family:detail", public_id=member.public_id)
    return render(
        request,
        "family/documents.html",
        {"form": form, "answers": answers, "refusal": refusal, "kinds": [DocumentKind(k) for k in decision.documents]},
        status=400 if refusal else 200,
    )


@login_required
@never_cache
def detail(request, public_id):
    person = _person(request)
    member = selectors.member_for_owner(person, public_id)
    return render(
        request,
        "family/detail.html",
        {
            "member": member,
            "documents": list(selectors.documents_of(member)),
            "just_declared": DECLARED.get(request).get("member") == str(member.public_id),
            "statuses": MemberStatus,
            "can_add_school_certificate": member.is_child
            and member.status == MemberStatus.VALIDATED
            and not member.married,
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@limit_uploads
def school_certificate(request, public_id):
    person = _person(request)
    member = selectors.member_for_owner(person, public_id)
    posted = request.method == "POST"
    form = SchoolCertificateForm(request.POST if posted else None, request.FILES if posted else None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            services.add_school_certificate(member=member, upload=form.cleaned_data["certificate"])
        except services.DeclarationRefused as refused:
            refusal = refused.reasons
        except StorageUnavailable as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("family:detail", public_id=member.public_id)
    return render(request, "family/school_certificate.html", {"member": member, "form": form, "refusal": refusal})


@login_required
def document(request, public_id, document_id):
    person = _person(request)
    doc = selectors.document_for_owner(person, public_id, document_id)
    return attachment_response(doc.file, filename=doc.download_name, content_type=doc.content_type)
