"""Agents' work queue for TAAWIDATY claims: filters, documents, explicit logged decisions."""

import csv
from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpResponse
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
from .forms import AmountForm, ReasonForm
from .models import ClaimDocument, PhysicalControlRule, RefundClaim, RequiredDocument


def _csv_safe(value) -> str:
    """No spreadsheet formula injection through a name typed by someone."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@admin.register(RequiredDocument)
class RequiredDocumentAdmin(admin.ModelAdmin):
    list_display = ("name", "for_ordinary", "for_mining", "display_order", "is_active")
    list_editable = ("for_ordinary", "for_mining", "display_order", "is_active")
    list_filter = ("for_ordinary", "for_mining", "is_active")
    search_fields = ("name", "name_ar")


@admin.register(PhysicalControlRule)
class PhysicalControlRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "always_for_mining", "min_declared_days", "rate_percent", "updated_at")
    list_filter = ("is_active",)
    readonly_fields = ("updated_at",)


class ClaimAgeFilter(admin.SimpleListFilter):
    title = _("ancienneté de la demande")
    parameter_name = "anciennete"

    def lookups(self, request, model_admin):
        return [
            ("7", _("moins de 7 jours")),
            ("30", _("7 à 30 jours")),
            ("90", _("30 à 90 jours")),
            ("old", _("plus de 90 jours")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        bounds = {"7": (0, 7), "30": (7, 30), "90": (30, 90), "old": (90, None)}
        if self.value() not in bounds:
            return queryset
        low, high = bounds[self.value()]
        queryset = queryset.filter(submitted_at__lte=now - timedelta(days=low))
        if high is not None:
            queryset = queryset.filter(submitted_at__gt=now - timedelta(days=high))
        return queryset


class ClaimDocumentInline(admin.TabularInline):
    model = ClaimDocument
    extra = 0
    can_delete = False
    fields = ("required_document", "download", "content_type", "size", "sha256", "antivirus_verdict", "uploaded_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("fichier"))
    def download(self, obj):
        url = reverse("admin:taawidaty_refundclaim_document", args=[obj.claim_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Télécharger"))


@admin.register(RefundClaim)
class RefundClaimAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    personal_data_kind = _("demande TAAWIDATY")
    reference_field = "reference"
    list_display = (
        "reference",
        "insured",
        "status",
        "mining",
        "physical_control",
        "submitted_at",
        "age_days",
        "amount",
        "receipt_ready_flag",
    )
    list_filter = ("status", "mining", "physical_control", ClaimAgeFilter)
    search_fields = ("=reference", "=insured__immatriculation_number", "insured__last_name", "insured__first_name")
    list_select_related = ("insured",)
    date_hierarchy = "submitted_at"
    ordering = ("submitted_at",)  # oldest first: a work queue
    inlines = [ClaimDocumentInline]
    actions = [
        "action_start_review",
        "action_record_physical_control",
        "action_accept",
        "action_reject",
        "action_mark_paid",
        "export_csv",
    ]
    fields = (
        "reference",
        "insured",
        "status",
        "mining",
        "cessation_date",
        "declared_days",
        "mining_days",
        "physical_control",
        "physical_control_rule",
        "amount",
        "rejection_reason",
        "receipt_link",
        "receipt_built_at",
        "created_at",
        "submitted_at",
        "decided_at",
        "paid_at",
        "history",
    )
    readonly_fields = fields
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # Drafts are the insured's unfinished work: agents see claims once they are filed.
        return super().get_queryset(request).exclude(status="brouillon")

    @admin.display(description=_("ancienneté (jours)"))
    def age_days(self, obj):
        return obj.age_in_days

    @admin.display(description=_("accusé"), boolean=True)
    def receipt_ready_flag(self, obj):
        return obj.receipt_ready

    @admin.display(description=_("accusé de dépôt"))
    def receipt_link(self, obj):
        if not obj.receipt_ready:
            return _("en cours de préparation")
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:taawidaty_refundclaim_receipt", args=[obj.pk]), _("Télécharger")
        )

    @admin.display(description=_("historique des statuts"))
    def history(self, obj):
        changes = StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(RefundClaim), object_id=str(obj.pk)
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

    # --- Staff-only downloads ------------------------------------------------------------------

    def get_urls(self):
        extra = [
            path(
                "<int:claim_id>/pieces/<int:document_id>/",
                self.admin_site.admin_view(self.document_view),
                name="taawidaty_refundclaim_document",
            ),
            path(
                "<int:claim_id>/accuse/",
                self.admin_site.admin_view(self.receipt_view),
                name="taawidaty_refundclaim_receipt",
            ),
        ]
        return extra + super().get_urls()

    def document_view(self, request, claim_id, document_id):
        if not self.has_view_permission(request):
            raise Http404
        doc = get_object_or_404(ClaimDocument.objects.select_related("claim"), pk=document_id, claim_id=claim_id)
        self.log_download(request, doc.claim, what=_("pièce justificative"))
        return attachment_response(doc.file, filename=doc.download_name, content_type=doc.content_type)

    def receipt_view(self, request, claim_id):
        if not self.has_view_permission(request):
            raise Http404
        claim = get_object_or_404(RefundClaim, pk=claim_id)
        if not claim.receipt_ready:
            raise Http404
        self.log_download(request, claim, what=_("accusé de dépôt"))
        return attachment_response(
            claim.receipt, filename=f"accuse-depot-{claim.reference}.pdf", content_type="application/pdf"
        )

    # --- Decisions ------------------------------------------------------------------------------

    def _apply(self, request, queryset, transition: str, **kwargs):
        done, refused = 0, []
        note = kwargs.pop("note", "")
        for claim in queryset.select_related("insured"):
            try:
                services.change_status(claim=claim, transition=transition, by=request.user, note=note, **kwargs)
            except TransitionNotAllowed:
                refused.append(claim.reference)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                _("%(count)d demande(s) mise(s) à jour ; l'assuré est prévenu par SMS.") % {"count": done},
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

    @admin.action(description=_("Marquer « contrôle physique effectué »"), permissions=["change"])
    def action_record_physical_control(self, request, queryset):
        self._apply(request, queryset, "record_physical_control")

    @admin.action(description=_("Marquer « payée »"), permissions=["change"])
    def action_mark_paid(self, request, queryset):
        self._apply(request, queryset, "mark_paid")

    def _with_form(self, request, queryset, form_class, title, action_name, apply):
        form = form_class(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            apply(form.cleaned_data)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "claims": queryset,
            "action_name": action_name,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "taawidaty/admin/decision.html", context)

    @admin.action(description=_("Accepter (avec le montant)"), permissions=["change"])
    def action_accept(self, request, queryset):
        return self._with_form(
            request,
            queryset,
            AmountForm,
            _("Accepter les demandes"),
            "action_accept",
            lambda data: self._apply(request, queryset, "accept", amount=data["amount"], note=data["note"]),
        )

    @admin.action(description=_("Rejeter (avec le motif)"), permissions=["change"])
    def action_reject(self, request, queryset):
        return self._with_form(
            request,
            queryset,
            ReasonForm,
            _("Rejeter les demandes"),
            "action_reject",
            lambda data: self._apply(request, queryset, "reject", reason=data["reason"], note=data["reason"]),
        )

    @admin.action(description=_("Exporter en CSV"))
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="taawidaty-demandes.csv"'
        writer = csv.writer(response)
        writer.writerow(
            ["reference", "immatriculation", "nom", "statut", "minier", "controle_physique", "depot", "montant"]
        )
        for claim in queryset.select_related("insured"):
            writer.writerow(
                _csv_safe(value)
                for value in [
                    claim.reference,
                    claim.insured.immatriculation_number,
                    claim.insured.full_name,
                    claim.status,
                    int(claim.mining),
                    int(claim.physical_control),
                    timezone.localtime(claim.submitted_at).strftime("%d/%m/%Y") if claim.submitted_at else "",
                    claim.amount if claim.amount is not None else "",
                ]
            )
        return response
