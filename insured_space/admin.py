import base64

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backoffice.audit import PersonalDataAdminMixin

from . import imports
from .models import Attestation, DeclarationImport, RegimePeriod, SalaryDeclaration

IMPORT_SESSION_KEY = "insured_space_declarations_import"
SAMPLE_CSV = (
    "numero_immatriculation;numero_affiliation;mois;jours;salaire;minier\n"
    "600000310;1234567;01/2026;26;5200.00;non\n"
    "600000310;7654321;02/2026;12;2100,50;oui\n"
)


class DeclarationsCsvUploadForm(forms.Form):
    csv_file = forms.FileField(
        label=_("Fichier CSV"),
        help_text=_("Encodage UTF-8, séparateur point-virgule ou virgule, 5 Mo au plus."),
        error_messages={"required": _("Choisissez le fichier CSV à importer."), "empty": _("Ce fichier est vide.")},
    )

    MAX_SIZE = 5 * 1024 * 1024

    def clean_csv_file(self):
        upload = self.cleaned_data["csv_file"]
        if upload.size > self.MAX_SIZE:
            raise ValidationError(_("Le fichier dépasse 5 Mo : découpez-le en plusieurs fichiers."), code="too_big")
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                _("Le fichier n'est pas encodé en UTF-8. Enregistrez-le en « CSV UTF-8 » et réessayez."),
                code="encoding",
            ) from exc
        return {"name": upload.name, "raw": raw, "text": text}


@admin.register(RegimePeriod)
class RegimePeriodAdmin(admin.ModelAdmin):
    list_display = ("insured", "regime", "started_on", "ended_on")
    list_filter = ("regime",)
    search_fields = ("insured__immatriculation_number", "insured__last_name")
    raw_id_fields = ("insured",)
    list_select_related = ("insured",)


@admin.register(SalaryDeclaration)
class SalaryDeclarationAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    insured_accessor = "insured"
    personal_data_kind = _("déclaration de salaire")

    """Read-only rows: declarations arrive by import, which keeps the persons' totals right."""

    list_display = ("insured", "employer_number", "month", "days", "salary", "mining", "import_batch")
    list_filter = ("mining",)
    search_fields = ("=insured__immatriculation_number", "=employer_number")
    date_hierarchy = "month"
    list_select_related = ("insured", "import_batch")
    raw_id_fields = ("insured",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def may_import(self, request) -> bool:
        return request.user.has_perm("insured_space.add_declarationimport")

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_import": self.may_import(request)}
        return super().changelist_view(request, extra_context=extra_context)

    def get_urls(self):
        return [
            path(
                "importer/",
                self.admin_site.admin_view(self.import_view),
                name="insured_space_salarydeclaration_import",
            ),
            path(
                "importer/exemple.csv",
                self.admin_site.admin_view(self.sample_csv_view),
                name="insured_space_salarydeclaration_sample",
            ),
            *super().get_urls(),
        ]

    def sample_csv_view(self, request):
        if not self.may_import(request):
            raise PermissionDenied
        response = HttpResponse(SAMPLE_CSV.encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="declarations-exemple.csv"'
        return response

    def import_view(self, request):
        """Step 1: upload → preview (nothing saved). Step 2: «Confirmer l'import» → all rows or none."""
        if not self.may_import(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Importer des déclarations de salaire (CSV)"),
            "columns": _column_docs(),
        }
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm_import(request, context)
        form = DeclarationsCsvUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["csv_file"]
            parsed = imports.parse_declarations_csv(raw=upload["raw"], text=upload["text"])
            if parsed.is_valid and parsed.already_imported is None:
                request.session[IMPORT_SESSION_KEY] = {
                    "checksum": parsed.checksum,
                    "name": upload["name"],
                    "raw": base64.b64encode(upload["raw"]).decode("ascii"),
                }
            context.update(parsed=parsed, file_name=upload["name"], preview_rows=parsed.rows[:500])
        context["form"] = form
        return TemplateResponse(request, "admin/insured_space/declarations_import.html", context)

    def _confirm_import(self, request, context):
        pending = request.session.get(IMPORT_SESSION_KEY) or {}
        if not pending or pending.get("checksum") != request.POST.get("checksum"):
            self.message_user(request, _("Aucun fichier en attente : chargez à nouveau le fichier."), messages.ERROR)
            return redirect(reverse("admin:insured_space_salarydeclaration_import"))
        raw = base64.b64decode(pending["raw"])
        try:
            batch, created = imports.apply_declarations_import(
                raw=raw, text=raw.decode("utf-8-sig"), file_name=pending["name"], by=request.user
            )
        except imports.ImportRejected as exc:
            context.update(
                parsed=exc.parsed,
                file_name=pending["name"],
                preview_rows=exc.parsed.rows[:500],
                form=DeclarationsCsvUploadForm(),
            )
            return TemplateResponse(request, "admin/insured_space/declarations_import.html", context)
        finally:
            request.session.pop(IMPORT_SESSION_KEY, None)
        if created:
            self.message_user(
                request,
                _("Import enregistré : %(created)d créées, %(updated)d mises à jour, %(unchanged)d inchangées.")
                % {"created": batch.rows_created, "updated": batch.rows_updated, "unchanged": batch.rows_unchanged},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                _("Ce fichier a déjà été importé le %(date)s : rien n'a changé.")
                % {"date": batch.imported_at.strftime("%d/%m/%Y %H:%M")},
                messages.WARNING,
            )
        return redirect(reverse("admin:insured_space_salarydeclaration_changelist"))


def _column_docs():
    return [
        ("numero_immatriculation", True, gettext("numéro d'immatriculation de l'assuré (9 chiffres)")),
        ("numero_affiliation", True, gettext("numéro d'affiliation de l'employeur (7 à 10 chiffres)")),
        ("mois", True, gettext("mm/aaaa")),
        ("jours", True, gettext("jours déclarés dans le mois, de 0 à 26")),
        ("salaire", True, gettext("salaire déclaré en dirhams, par exemple 4500.00")),
        ("minier", False, gettext("oui si ces jours sont du travail minier (non par défaut)")),
    ]


@admin.register(DeclarationImport)
class DeclarationImportAdmin(admin.ModelAdmin):
    list_display = ("file_name", "imported_at", "imported_by", "rows_total", "rows_created", "rows_updated")
    readonly_fields = [f.name for f in DeclarationImport._meta.fields]
    list_select_related = ("imported_by",)
    date_hierarchy = "imported_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Attestation)
class AttestationAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    insured_accessor = "insured"
    personal_data_kind = _("attestation")
    reference_field = "reference"

    list_display = ("reference", "kind", "insured", "issued_on", "amount", "pdf_built_at")
    list_filter = ("kind", "issued_on")
    search_fields = ("=reference", "=insured__immatriculation_number")
    list_select_related = ("insured",)
    readonly_fields = [f.name for f in Attestation._meta.fields if f.name != "id"]
    exclude = ("pdf",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
