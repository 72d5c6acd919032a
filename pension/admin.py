import csv

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed

from accounts.models import RibVerification
from backoffice.audit import PersonalDataAdminMixin

from . import selectors, services
from .models import PensionRequest, PensionRequestStatus

CSV_HEADER = [
    "reference",
    "numero_immatriculation",
    "nom",
    "montant_mensuel",
    "rib",
    "date_debut_prelevement",
    "mandat_accepte_le",
]


def _csv_safe(value) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: neutralise them."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_mandates_csv(rows, out) -> None:
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(
            [
                _csv_safe(row.reference),
                row.insured.immatriculation_number,
                _csv_safe(row.insured.full_name),
                f"{row.monthly_amount:.2f}",
                row.rib,
                f"{row.debit_start_date:%d/%m/%Y}",
                f"{timezone.localtime(row.mandate.consented_at):%d/%m/%Y %H:%M}",
            ]
        )


def mandates_csv_response(rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="mandats-pension-facultative-{timezone.localdate():%Y%m%d}.csv"'
    )
    response.write("\ufeff")  # so that spreadsheet software reads UTF-8 names correctly
    write_mandates_csv(rows, response)
    return response


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du rejet (envoyé par SMS à l'assuré)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Indiquez le motif du rejet.")},
    )


class CategoryFilter(admin.SimpleListFilter):
    title = _("catégorie professionnelle")
    parameter_name = "categorie"

    def lookups(self, request, model_admin):
        from accounts.models import ProfessionalCategory

        return [(c.pk, c.name) for c in ProfessionalCategory.objects.all()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(subcategory__category_id=self.value())
        return queryset


@admin.register(PensionRequest)
class PensionRequestAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    personal_data_kind = _("demande de pension facultative")
    reference_field = "reference"
    list_display = (
        "reference",
        "insured_number",
        "insured_name",
        "subcategory",
        "monthly_amount",
        "age_band",
        "debit_start_date",
        "status",
        "submitted_at",
    )
    list_filter = ("status", CategoryFilter, "age_band", "ajournement", "droit_supplementaire")
    search_fields = ("reference", "insured__immatriculation_number", "insured__last_name", "insured__first_name")
    date_hierarchy = "submitted_at"
    list_select_related = ("insured", "subcategory__category")
    actions = ["validate_selected", "activate_selected", "reject_selected", "export_mandates"]
    readonly_fields = [f.name for f in PensionRequest._meta.fields if f.name != "id"]
    change_list_template = "admin/pension/pensionrequest/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("numéro d'immatriculation"), ordering="insured__immatriculation_number")
    def insured_number(self, obj):
        return obj.insured.immatriculation_number

    @admin.display(description=_("assuré"), ordering="insured__last_name")
    def insured_name(self, obj):
        return obj.insured.full_name

    def get_urls(self):
        return [
            path(
                "export-mandats/",
                self.admin_site.admin_view(self.export_all_view),
                name="pension_pensionrequest_export",
            ),
            *super().get_urls(),
        ]

    def export_all_view(self, request):
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        rows = selectors.active_mandates()
        self.log_export(request, rows, what=_("export des mandats"))
        return mandates_csv_response(rows)

    def _apply(self, request, queryset, service, done_message, **kwargs):
        done, refused = 0, 0
        for pension_request in queryset.select_related("insured"):
            try:
                service(pension_request=pension_request, by=request.user, **kwargs)
                done += 1
            except TransitionNotAllowed:
                refused += 1
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                _("%(count)d demande(s) ignorée(s) : ce changement de statut n'est pas possible depuis leur statut.")
                % {"count": refused},
                messages.WARNING,
            )

    @admin.action(description=_("Valider les demandes reçues"), permissions=["change"])
    def validate_selected(self, request, queryset):
        self._apply(request, queryset, services.validate_request, _("%(count)d demande(s) validée(s)."))

    @admin.action(description=_("Activer les demandes validées"), permissions=["change"])
    def activate_selected(self, request, queryset):
        self._apply(request, queryset, services.activate_request, _("%(count)d demande(s) activée(s)."))

    @admin.action(description=_("Rejeter les demandes (avec un motif)"), permissions=["change"])
    def reject_selected(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._apply(
                request,
                queryset,
                services.reject_request,
                _("%(count)d demande(s) rejetée(s) ; l'assuré est prévenu par SMS."),
                reason=form.cleaned_data["reason"],
            )
            return None
        return render(
            request,
            "admin/pension/pensionrequest/reject.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Rejeter des demandes de pension facultative"),
                "form": form,
                "queryset": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Exporter les mandats de prélèvement actifs (CSV)"))
    def export_mandates(self, request, queryset):
        rows = (
            queryset.filter(status=PensionRequestStatus.ACTIVE, mandate__revoked_at__isnull=True)
            .exclude(insured__bank_details__status=RibVerification.PENDING)
            .select_related("insured", "mandate")
        )
        return mandates_csv_response(rows.order_by("debit_start_date", "reference"))
