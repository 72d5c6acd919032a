"""«Qui a consulté mes données»: the admin hook every ModelAdmin showing personal data uses.

    class RefundClaimAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
        insured_accessor = "insured"          # path to the InsuredPerson ("" for the person itself)
        personal_data_kind = _("demande TAAWIDATY")
        reference_field = "reference"

- a change page (opened or saved), an action or an export writes one AccessRecord per record; a list or
  a search writes nothing, and lists show phones and identity numbers masked;
- a record outside the agent's queues opens only after he gives a reason (an intermediate page);
- `?file=<queue>` on a list shows that work queue, oldest first, with who took each item;
- staff downloads call `log_download(request, obj)`.
"""

import time

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from . import selectors, services
from .models import AccessAction, Assignment
from .queues import QUEUE_PARAM, get_queue

REASONS_SESSION_KEY = "backoffice_reasons"

_kinds: dict[str, object] = {}


def kind_label(content_type) -> str:
    """How the insured's journal names a kind of record («votre demande TAAWIDATY»)."""
    label = _kinds.get(f"{content_type.app_label}.{content_type.model}")
    if label is None:
        model = content_type.model_class()
        label = model._meta.verbose_name if model else content_type.model
    return str(label)


def mask_phone(value: str) -> str:
    value = value or ""
    return "•" * max(0, len(value) - 2) + value[-2:] if value else ""


def mask_identity(value: str) -> str:
    value = value or ""
    if len(value) <= 3:
        return "•" * len(value)
    return value[:1] + "•" * (len(value) - 3) + value[-2:]


_MASKS = {"phone": mask_phone, "to": mask_phone, "id_document_number": mask_identity}


def _masked_column(name, verbose_name):
    mask = _MASKS[name]

    @admin.display(description=verbose_name, ordering=name)
    def column(obj):
        return mask(getattr(obj, name, ""))

    column.__name__ = f"masked_{name}"
    return column


def _reasons(request) -> dict:
    return request.session.get(REASONS_SESSION_KEY, {})


def reason_given(request, obj) -> str | None:
    entry = _reasons(request).get(f"{ContentType.objects.get_for_model(obj).pk}:{obj.pk}")
    if entry and entry["until"] > time.time():
        return entry["reason"]
    return None


def remember_reason(request, content_type_id: int, object_id: str, reason: str) -> None:
    reasons = {k: v for k, v in _reasons(request).items() if v["until"] > time.time()}
    reasons[f"{content_type_id}:{object_id}"] = {
        "reason": reason,
        "until": time.time() + settings.BACKOFFICE_REASON_VALIDITY.total_seconds(),
    }
    request.session[REASONS_SESSION_KEY] = reasons


class PersonalDataAdminMixin:
    insured_accessor = "insured"
    personal_data_kind = None
    reference_field = None
    masked_fields = ("phone", "id_document_number")
    change_form_template = "admin/backoffice/change_form.html"

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        _kinds[model._meta.label_lower] = self.personal_data_kind or model._meta.verbose_name

    # --- Who the record belongs to ---------------------------------------------------------------

    def insured_id_of(self, obj):
        if not self.insured_accessor:
            return obj.pk
        *path, last = self.insured_accessor.split("__")
        target = obj
        for part in path:
            target = getattr(target, part, None)
            if target is None:
                return None
        return getattr(target, f"{last}_id", None)

    def reference_of(self, obj) -> str:
        return str(getattr(obj, self.reference_field) if self.reference_field else obj.pk)

    def _insured_path(self) -> str:
        return f"{self.insured_accessor}_id" if self.insured_accessor else "pk"

    # --- Change page: reason first outside one's queues, then one journal row ---------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            return super().change_view(request, object_id, form_url, extra_context)
        insured_id = self.insured_id_of(obj)
        reason = selectors.queue_reason(request.user, obj, insured_id) if insured_id is not None else ""
        outside = reason is None
        if outside:
            reason = reason_given(request, obj)
            if reason is None:
                if request.method == "POST":
                    raise PermissionDenied
                query = urlencode(
                    {
                        "ct": ContentType.objects.get_for_model(obj).pk,
                        "id": obj.pk,
                        "next": request.get_full_path(),
                    }
                )
                return HttpResponseRedirect(f"{reverse('backoffice_admin:access_reason')}?{query}")
        assignment = selectors.assignment_of(obj)
        extra_context = {
            **(extra_context or {}),
            "bo_assignment": assignment,
            "bo_take_url": reverse("backoffice_admin:take"),
            "bo_content_type_id": ContentType.objects.get_for_model(obj).pk,
            "bo_can_take": request.user.has_perm("backoffice.add_assignment")
            and (
                assignment is None
                or (
                    assignment.assigned_to_id != request.user.pk
                    and request.user.has_perm("backoffice.change_assignment")
                )
            ),
        }
        response = super().change_view(request, object_id, form_url, extra_context)
        saved = request.method == "POST" and response.status_code in (301, 302)
        if insured_id is not None and (request.method == "GET" and response.status_code == 200 or saved):
            services.record_access(
                staff=request.user,
                insured_id=insured_id,
                obj=obj,
                action=AccessAction.CHANGE if saved else AccessAction.VIEW,
                reason=reason,
                outside_queues=outside,
                reference=self.reference_of(obj),
            )
        return response

    # --- Lists: queues, masked columns, who took each item ----------------------------------------

    def changelist_view(self, request, extra_context=None):
        key = request.GET.get(QUEUE_PARAM)
        queue = get_queue(key) if key else None
        if key is not None:
            request.GET = request.GET.copy()
            del request.GET[QUEUE_PARAM]
        if queue is not None and queue.model == self.model._meta.label:
            request.backoffice_queue = queue
            extra_context = {**(extra_context or {}), "title": f"{queue.journey} — {queue.label}"}
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        queue = getattr(request, "backoffice_queue", None)
        if queue is not None:
            queryset = queryset.filter(**queue.filters)
        if getattr(request, "resolver_match", None) and request.resolver_match.url_name.endswith("_changelist"):
            assignee = Assignment.objects.filter(
                content_type=ContentType.objects.get_for_model(self.model),
                object_id=Cast(OuterRef("pk"), CharField()),
            ).values("assigned_to__username")[:1]
            queryset = queryset.annotate(taken_by=Subquery(assignee))
        return queryset

    def get_ordering(self, request):
        queue = getattr(request, "backoffice_queue", None)
        if queue is not None:
            return (queue.age_field, "pk")  # a work queue: oldest first
        return super().get_ordering(request)

    def get_list_display(self, request):
        columns = []
        for name in super().get_list_display(request):
            if isinstance(name, str) and name in self.masked_fields and name in _MASKS:
                columns.append(_masked_column(name, self.model._meta.get_field(name).verbose_name))
            else:
                columns.append(name)
        return [*columns, self.taken_by_column]

    def action_checkbox(self, obj):
        """Django labels each row's checkbox with str(obj), which may hold an identity number: the
        record's reference instead."""
        from django import forms
        from django.contrib.admin import helpers
        from django.utils.html import format_html
        from django.utils.translation import gettext

        label = format_html(gettext("Select this object for an action - {}"), self.reference_of(obj))
        checkbox = forms.CheckboxInput({"class": "action-select", "aria-label": label}, lambda value: False)
        return checkbox.render(helpers.ACTION_CHECKBOX_NAME, str(obj.pk))

    @admin.display(description=_("pris par"))
    def taken_by_column(self, obj):
        return getattr(obj, "taken_by", None) or "—"

    # --- Actions and exports: one row per record --------------------------------------------------

    def get_actions(self, request):
        actions = super().get_actions(request)
        return {
            name: (self._journaled(func, name, description), name, description)
            for name, (func, name, description) in actions.items()
        }

    def _journaled(self, func, name, description):
        def action(modeladmin, request, queryset):
            rows = list(queryset.values_list("pk", self._insured_path(), self.reference_field or "pk"))
            response = func(modeladmin, request, queryset)
            disposition = response.get("Content-Disposition", "") if response is not None else ""
            is_export = disposition.startswith("attachment")
            intermediate = response is not None and not is_export and response.status_code == 200
            if not intermediate:
                services.record_bulk_access(
                    staff=request.user,
                    model=self.model,
                    rows=rows,
                    action=AccessAction.EXPORT if is_export else AccessAction.ACTION,
                    reason=str(description),
                )
            return response

        action.__name__ = name
        for attribute in ("allowed_permissions", "short_description"):
            if hasattr(func, attribute):
                setattr(action, attribute, getattr(func, attribute))
        return action

    # --- Staff downloads ---------------------------------------------------------------------------

    def log_download(self, request, obj, *, what=None) -> None:
        services.record_access(
            staff=request.user,
            insured_id=self.insured_id_of(obj),
            obj=obj,
            action=AccessAction.DOWNLOAD,
            reason=str(what or _("téléchargement")),
            reference=self.reference_of(obj),
        )

    def log_export(self, request, queryset, *, what) -> None:
        rows = queryset.values_list("pk", self._insured_path(), self.reference_field or "pk")
        services.record_bulk_access(
            staff=request.user, model=self.model, rows=rows, action=AccessAction.EXPORT, reason=str(what)
        )
