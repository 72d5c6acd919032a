"""The agents' home (work queues), the reason page, «Je prends ce dossier», the unusual-reading list,
and the insured's «Qui a consulté mes données»."""

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts import selectors as account_selectors

from . import selectors, services
from .audit import kind_label, remember_reason
from .forms import AccessReasonForm
from .models import AccessAction
from .roles import ADMINISTRATORS, SUPERVISORS, group_names


def _admin_context(request, title):
    return {**admin.site.each_context(request), "title": title}


def work_home(request):
    """The admin home is a work list: the user's queues, then the items he took."""
    names = group_names(request.user)
    assignments = selectors.my_assignments(request.user)
    items = []
    for assignment in assignments:
        ct = assignment.content_type
        items.append(
            {
                "label": f"{kind_label(ct)} {assignment.object_id}",
                "url": reverse(f"admin:{ct.app_label}_{ct.model}_change", args=[assignment.object_id]),
                "since": assignment.assigned_at,
            }
        )
    context = {
        **_admin_context(request, _("Mes files de travail")),
        "rows": selectors.queue_rows(request.user),
        "my_items": items,
        "show_models_link": request.user.is_superuser or bool(names & {SUPERVISORS, ADMINISTRATORS}),
        "show_unusual_link": request.user.has_perm("backoffice.view_accessrecord"),
        "is_administrator": ADMINISTRATORS in names,
        "can_search_people": request.user.has_perm("accounts.view_insuredperson"),
    }
    return TemplateResponse(request, "admin/backoffice/work_home.html", context)


def models_index(request):
    """The stock admin index (every model the user may see), for supervisors and administrators."""
    names = group_names(request.user)
    if not (request.user.is_superuser or names & {SUPERVISORS, ADMINISTRATORS}):
        raise PermissionDenied
    return admin.site.index(request, extra_context={"title": _("Toutes les données")})


def access_reason(request):
    """Opening a record outside one's queues: a reason first, written with the consultation."""
    content_type = get_object_or_404(ContentType, pk=request.GET.get("ct") or 0)
    object_id = request.GET.get("id", "")
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}) or not next_url.startswith(
        "/"
    ):
        raise Http404
    model = content_type.model_class()
    if model is None or not request.user.has_perm(f"{content_type.app_label}.view_{content_type.model}"):
        raise PermissionDenied
    obj = get_object_or_404(model, pk=object_id)
    form = AccessReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        remember_reason(request, content_type.pk, str(obj.pk), form.reason_text())
        return redirect(next_url)
    context = {
        **_admin_context(request, _("Motif de la consultation")),
        "form": form,
        "kind": kind_label(content_type),
        "object_id": obj.pk,
        "cancel_url": reverse("admin:index"),
    }
    return TemplateResponse(request, "admin/backoffice/access_reason.html", context)


@require_POST
def take(request):
    """«Je prends ce dossier»."""
    content_type = get_object_or_404(ContentType, pk=request.POST.get("ct") or 0)
    model = content_type.model_class()
    if (
        model is None
        or not request.user.has_perm("backoffice.add_assignment")
        or not request.user.has_perm(f"{content_type.app_label}.view_{content_type.model}")
    ):
        raise PermissionDenied
    obj = get_object_or_404(model, pk=request.POST.get("id"))
    current = selectors.assignment_of(obj)
    change_url = reverse(f"admin:{content_type.app_label}_{content_type.model}_change", args=[obj.pk])
    if "release" in request.POST:
        services.release_item(obj=obj, by=request.user)
        messages.success(request, _("Vous avez rendu ce dossier."))
        return redirect(change_url)
    if (
        current
        and current.assigned_to_id != request.user.pk
        and not request.user.has_perm("backoffice.change_assignment")
    ):
        messages.error(request, _("Ce dossier est déjà pris par %(name)s.") % {"name": current.assigned_to})
        return redirect(change_url)
    services.take_item(obj=obj, by=request.user)
    messages.success(request, _("Ce dossier est à vous : il apparaît dans « Mes dossiers »."))
    return redirect(change_url)


def unusual_reading(request):
    if not request.user.has_perm("backoffice.view_accessrecord"):
        raise PermissionDenied
    busy, outside, threshold = selectors.unusual_reading()
    context = {
        **_admin_context(request, _("Lectures inhabituelles")),
        "busy": busy,
        "outside": outside,
        "threshold": threshold,
    }
    return TemplateResponse(request, "admin/backoffice/unusual_reading.html", context)


@login_required
def access_journal(request):
    """«Qui a consulté mes données», in the insured's private space."""
    person = account_selectors.insured_for_user(request.user)
    if person is None:
        raise Http404
    return render(request, "backoffice/access_journal.html", {"lines": journal_lines(person)})


_SENTENCES = {
    AccessAction.VIEW: _("%(date)s — un agent de la CNSS a consulté votre %(kind)s %(reference)s"),
    AccessAction.CHANGE: _("%(date)s — un agent de la CNSS a modifié votre %(kind)s %(reference)s"),
    AccessAction.DOWNLOAD: _("%(date)s — un agent de la CNSS a téléchargé un document de votre %(kind)s %(reference)s"),
    AccessAction.EXPORT: _("%(date)s — un agent de la CNSS a exporté votre %(kind)s %(reference)s"),
    AccessAction.ACTION: _("%(date)s — un agent de la CNSS a traité votre %(kind)s %(reference)s"),
}


def journal_lines(person) -> list[str]:
    """The insured's journal in his language: when, what, never the agent's name."""
    lines = []
    for record in selectors.journal_for(person):
        sentence = _SENTENCES.get(record.action, _SENTENCES[AccessAction.VIEW])
        lines.append(
            str(sentence)
            % {
                "date": timezone.localtime(record.at).strftime("%d/%m/%Y %H:%M"),
                "kind": kind_label(record.content_type),
                "reference": record.object_reference,
            }
        )
    return lines
