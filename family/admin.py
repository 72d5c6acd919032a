"""Agents' work queue for family-member declarations: documents, explicit logged decisions, and the
children who reach their age limit."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed

from backoffice.audit import PersonalDataAdminMixin
from macnss.core.downloads import attachment_response
from macnss.core.models import StatusChange

from . import services
from .models import CoverageReminder, CoverageRule, FamilyMember, MemberDocument, MemberStatus


@admin.register(CoverageRule)
class CoverageRuleAdmin(admin.ModelAdmin):
    list_display = ("valid_from", "child_age_limit", "student_age_limit", "disabled_without_limit", "reminder_days")
    readonly_fields = ("updated_at",)


class AgeLimitFilter(admin.SimpleListFilter):
    """Validated children whose coverage ends (computed from the stored limit date, so it stays one query)."""

    title = _("limite d'âge")
    parameter_name = "limite_age"

    def lookups(self, request, model_admin):
        return [("atteinte", _("atteinte")), ("30", _("dans les 30 jours"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "atteinte":
            return queryset.filter(status=MemberStatus.VALIDATED, coverage_ends_on__lte=today)
        if self.value() == "30":
            return queryset.filter(
                status=MemberStatus.VALIDATED,
                coverage_ends_on__gt=today,
                coverage_ends_on__lte=today + timedelta(days=30),
            )
        return queryset


class StatusFilter(admin.SimpleListFilter):
    """The statuses agents work with («nouvelle» lasts only inside the filing transaction)."""

    title = _("statut")
    parameter_name = "statut"

    def lookups(self, request, model_admin):
        return [(s.value, s.label) for s in MemberStatus if s != MemberStatus.NEW]

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class MemberDocumentInline(admin.TabularInline):
    model = MemberDocument
    extra = 0
    can_delete = False
    fields = ("kind", "download", "content_type", "size", "sha256", "antivirus_verdict", "uploaded_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("fichier"))
    def download(self, obj):
        url = reverse("admin:family_familymember_document", args=[obj.member_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Télécharger"))


class ReasonForm(forms.Form):
    """«rejetée» needs the reason, sent to the insured by SMS."""

    reason = forms.CharField(
        label=_("Motif du rejet (envoyé à l'assuré par SMS)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Saisissez le motif du rejet.")},
    )


@admin.register(FamilyMember)
class FamilyMemberAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    insured_accessor = "insured"
    personal_data_kind = _("déclaration d'ayant droit")
    reference_field = "reference"
    list_display = (
        "reference",
        "insured",
        "relationship",
        "full_name",
        "birth_date",
        "status",
        "submitted_at",
        "coverage_ends_on",
        "limit_reached",
    )
    list_filter = (StatusFilter, "relationship", AgeLimitFilter)
    search_fields = ("=reference", "=insured__immatriculation_number", "last_name", "first_name", "=cin")
    list_select_related = ("insured",)
    ordering = ("submitted_at",)  # oldest first: a work queue
    inlines = [MemberDocumentInline]
    actions = ["action_start_review", "action_validate", "action_reject"]
    fields = (
        "reference",
        "insured",
        "status",
        "relationship",
        "last_name",
        "first_name",
        "last_name_ar",
        "first_name_ar",
        "birth_date",
        "sex",
        "cin",
        "studying",
        "married",
        "disabled",
        "coverage_ends_on",
        "rejection_reason",
        "language",
        "submitted_at",
        "decided_at",
        "history",
    )
    readonly_fields = fields
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(status=MemberStatus.NEW)

    @admin.display(description=_("nom et prénom"), ordering="last_name")
    def full_name(self, obj):
        return obj.full_name

    @admin.display(description=_("limite d'âge atteinte"), boolean=True)
    def limit_reached(self, obj):
        if obj.status != MemberStatus.VALIDATED or obj.coverage_ends_on is None:
            return None
        return obj.coverage_ends_on <= timezone.localdate()

    @admin.display(description=_("historique des statuts"))
    def history(self, obj):
        changes = StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(FamilyMember), object_id=str(obj.pk)
        ).select_related("changed_by")
        return format_html_join(
            "",
            "<div>{} : {} → {} ({}) {}</div>",
            (
                (
                    timezone.localtime(c.changed_at).strftime("%d/%m/%Y %H:%M"),
                    c.from_status,
                    c.to_status,
                    c.changed_by or _("assuré"),
                    c.note,
                )
                for c in changes
            ),
        )

    def get_urls(self):
        extra = [
            path(
                "<int:member_id>/pieces/<int:document_id>/",
                self.admin_site.admin_view(self.document_view),
                name="family_familymember_document",
            )
        ]
        return extra + super().get_urls()

    def document_view(self, request, member_id, document_id):
        if not self.has_view_permission(request):
            raise Http404
        doc = get_object_or_404(MemberDocument, pk=document_id, member_id=member_id)
        return attachment_response(doc.file, filename=doc.download_name, content_type=doc.content_type)

    def _apply(self, request, queryset, transition: str, **kwargs):
        done, refused = 0, []
        note = kwargs.pop("note", "")
        for member in queryset.select_related("insured"):
            try:
                services.change_status(member=member, transition=transition, by=request.user, note=note, **kwargs)
            except TransitionNotAllowed:
                refused.append(member.reference)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                _("%(count)d déclaration(s) mise(s) à jour ; l'assuré est prévenu par SMS.") % {"count": done},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                _("Changement impossible depuis leur statut actuel pour : %(refs)s.") % {"refs": ", ".join(refused)},
                messages.WARNING,
            )

    @admin.action(description=_("Passer « en instruction »"), permissions=["change"])
    def action_start_review(self, request, queryset):
        self._apply(request, queryset, "start_review")

    @admin.action(description=_("Valider"), permissions=["change"])
    def action_validate(self, request, queryset):
        self._apply(request, queryset, "validate")

    @admin.action(description=_("Rejeter (avec le motif)"), permissions=["change"])
    def action_reject(self, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._apply(request, queryset, "reject", reason=reason, note=reason)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Rejeter les déclarations"),
            "form": form,
            "members": queryset,
            "action_name": "action_reject",
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "family/admin/reject.html", context)


@admin.register(CoverageReminder)
class CoverageReminderAdmin(admin.ModelAdmin):
    list_display = ("member", "threshold_age", "limit_date", "sent_at")
    list_select_related = ("member",)
    readonly_fields = ("member", "threshold_age", "limit_date", "sent_at")

    def has_add_permission(self, request):
        return False
