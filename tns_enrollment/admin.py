import base64
from pathlib import Path

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
from macnss.core.validators import normalize_identity_number, parse_moroccan_mobile

from . import imports, services
from .forms import LiaisonCsvUploadForm
from .models import (
    IDENTITY_FIELDS,
    LiaisonImport,
    LiaisonListEntry,
    LiaisonStatus,
    OnboardingAttempt,
    ProximityPoint,
)

IMPORT_SESSION_KEY = "tns_liaison_import"
SAMPLE_CSV = Path(__file__).resolve().parent / "fixtures" / "liste-liaison-exemple.csv"


class RegisteredFilter(admin.SimpleListFilter):
    title = _("immatriculé")
    parameter_name = "immatricule"

    def lookups(self, request, model_admin):
        return (("oui", _("Oui")), ("non", _("Non")))

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.filter(insured__isnull=False)
        if self.value() == "non":
            return queryset.filter(insured__isnull=True)
        return queryset


class LiaisonListEntryForm(forms.ModelForm):
    class Meta:
        model = LiaisonListEntry
        fields = ["organism", "category", "subcategory", *IDENTITY_FIELDS, "is_eligible", "non_eligibility_reason"]

    def clean(self):
        cleaned = super().clean()
        if (
            "is_eligible" in self.fields
            and not cleaned.get("is_eligible")
            and not cleaned.get("non_eligibility_reason")
        ):
            self.add_error("non_eligibility_reason", _("Indiquez le motif de non-éligibilité."))
        if cleaned.get("is_eligible") and cleaned.get("non_eligibility_reason"):
            self.add_error("non_eligibility_reason", _("Une personne éligible n'a pas de motif de non-éligibilité."))
        sub, category = cleaned.get("subcategory"), cleaned.get("category")
        if sub and category and sub.category_id != category.pk:
            self.add_error("subcategory", _("Cette sous-catégorie n'appartient pas à la catégorie choisie."))
        if cleaned.get("phone"):
            try:
                cleaned["phone"] = parse_moroccan_mobile(cleaned["phone"])
            except ValidationError as exc:
                self.add_error("phone", exc)
        if cleaned.get("id_document_number"):
            cleaned["id_document_number"] = normalize_identity_number(cleaned["id_document_number"])
        return cleaned


@admin.register(LiaisonListEntry)
class LiaisonListEntryAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    personal_data_kind = _("inscription sur une liste de liaison")
    form = LiaisonListEntryForm
    list_display = (
        "last_name",
        "first_name",
        "id_document_number",
        "birth_date",
        "phone",
        "organism",
        "category",
        "status",
        "registered_number",
    )
    list_filter = ("status", "is_eligible", RegisteredFilter, "organism", "category", "non_eligibility_reason")
    search_fields = (
        "=id_document_number",
        "last_name",
        "first_name",
        "last_name_ar",
        "phone",
        "=insured__immatriculation_number",
    )
    list_select_related = ("category", "insured")
    raw_id_fields = ("insured",)
    readonly_fields = ("status", "insured", "registered_at", "import_batch", "created_at", "updated_at")
    fieldsets = (
        (_("Liste de liaison"), {"fields": ("organism", "category", "subcategory", "import_batch")}),
        (
            _("Identité"),
            {
                "fields": (
                    "id_document_type",
                    "id_document_number",
                    "id_document_expiry",
                    "birth_date",
                    ("last_name", "first_name"),
                    ("last_name_ar", "first_name_ar"),
                    "address",
                    "phone",
                    "email",
                )
            },
        ),
        (_("Éligibilité"), {"fields": ("is_eligible", "non_eligibility_reason", "status", "insured", "registered_at")}),
        (_("Suivi"), {"fields": ("created_at", "updated_at")}),
    )
    actions = ["register_selected"]
    change_list_template = "admin/tns_enrollment/liaisonlistentry/change_list.html"
    show_full_result_count = False

    @admin.display(description=_("n° d'immatriculation"), ordering="insured__immatriculation_number")
    def registered_number(self, obj):
        return obj.insured.immatriculation_number if obj.insured else "—"

    def save_model(self, request, obj, form, change):
        if not change and not obj.is_eligible:
            obj.status = LiaisonStatus.NOT_ELIGIBLE
        super().save_model(request, obj, form, change)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # Eligibility moves only through imports or transitions, so the log stays right.
            fields += ["is_eligible", "non_eligibility_reason", "id_document_type", "id_document_number"]
        return fields

    @admin.action(description=_("Immatriculer les personnes éligibles sélectionnées"), permissions=["change"])
    def register_selected(self, request, queryset):
        done = skipped = conflicts = 0
        for entry in queryset.select_related("insured"):
            if entry.status != LiaisonStatus.PENDING:
                skipped += 1
                continue
            try:
                services.register_from_liaison_entry(entry=entry, by=request.user)
            except services.RegistrationConflict:
                conflicts += 1
                continue
            done += 1
        if done:
            self.message_user(
                request,
                gettext("Personnes immatriculées : %(n)d.") % {"n": done},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                gettext("Personnes ignorées (déjà immatriculées ou non éligibles) : %(n)d.") % {"n": skipped},
                messages.WARNING,
            )
        if conflicts:
            self.message_user(
                request,
                gettext(
                    "Personnes non immatriculées, car un assuré porte déjà leur pièce d'identité avec une autre "
                    "date de naissance : %(n)d."
                )
                % {"n": conflicts},
                messages.ERROR,
            )

    def get_urls(self):
        custom = [
            path(
                "importer/",
                self.admin_site.admin_view(self.import_view),
                name="tns_enrollment_liaisonlistentry_import",
            ),
            path(
                "importer/exemple.csv",
                self.admin_site.admin_view(self.sample_csv_view),
                name="tns_enrollment_liaisonlistentry_sample",
            ),
        ]
        return custom + super().get_urls()

    def sample_csv_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        response = HttpResponse(SAMPLE_CSV.read_bytes(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="liste-liaison-exemple.csv"'
        return response

    def import_view(self, request):
        """Step 1: upload → preview (nothing saved). Step 2: «Confirmer l'import» → all rows or none."""
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Importer une liste de liaison (CSV)"),
            "columns": _column_docs(),
            "categories": _category_codes(),
        }
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm_import(request, context)
        form = LiaisonCsvUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["csv_file"]
            parsed = imports.parse_liaison_csv(raw=upload["raw"], text=upload["text"])
            if parsed.is_valid and parsed.already_imported is None:
                request.session[IMPORT_SESSION_KEY] = {
                    "checksum": parsed.checksum,
                    "name": upload["name"],
                    "raw": base64.b64encode(upload["raw"]).decode("ascii"),
                }
            context.update(parsed=parsed, file_name=upload["name"])
        context["form"] = form
        return TemplateResponse(request, "admin/tns_enrollment/liaison_import.html", context)

    def _confirm_import(self, request, context):
        pending = request.session.get(IMPORT_SESSION_KEY) or {}
        if not pending or pending.get("checksum") != request.POST.get("checksum"):
            self.message_user(request, _("Aucun fichier en attente : chargez à nouveau le fichier."), messages.ERROR)
            return redirect(reverse("admin:tns_enrollment_liaisonlistentry_import"))
        raw = base64.b64decode(pending["raw"])
        try:
            batch, created = imports.apply_liaison_import(
                raw=raw, text=raw.decode("utf-8-sig"), file_name=pending["name"], by=request.user
            )
        except imports.ImportRejected as exc:
            context.update(parsed=exc.parsed, file_name=pending["name"], form=LiaisonCsvUploadForm())
            return TemplateResponse(request, "admin/tns_enrollment/liaison_import.html", context)
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
        return redirect(reverse("admin:tns_enrollment_liaisonlistentry_changelist"))


def _column_docs():
    return [
        ("organisme", True, gettext("organisme de liaison qui a transmis la liste")),
        ("categorie", True, gettext("code de la catégorie professionnelle (voir ci-dessous)")),
        ("sous_categorie", False, gettext("code de la sous-catégorie, qui doit appartenir à la catégorie")),
        ("type_piece", True, "cnie, carte_sejour, passeport"),
        ("numero_piece", True, gettext("numéro de la pièce (CNIE : 1 ou 2 lettres puis des chiffres)")),
        ("date_expiration", True, gettext("jj/mm/aaaa")),
        ("date_naissance", True, gettext("jj/mm/aaaa")),
        ("nom", True, gettext("en lettres latines")),
        ("prenom", True, gettext("en lettres latines")),
        ("nom_ar", False, gettext("en arabe")),
        ("prenom_ar", False, gettext("en arabe")),
        ("adresse", False, gettext("adresse postale")),
        ("telephone", False, gettext("mobile marocain, par exemple 0612345678")),
        ("email", False, gettext("adresse e-mail")),
        ("eligible", True, gettext("oui ou non")),
        (
            "motif_non_eligibilite",
            False,
            gettext("obligatoire si eligible = non : salarie, cnops, autre_amo, pensionne, activite_non_eligible"),
        ),
    ]


def _category_codes():
    from accounts.models import ProfessionalCategory

    return ProfessionalCategory.objects.prefetch_related("subcategories").order_by("display_order", "name")


@admin.register(LiaisonImport)
class LiaisonImportAdmin(admin.ModelAdmin):
    list_display = (
        "file_name",
        "imported_at",
        "imported_by",
        "rows_total",
        "rows_created",
        "rows_updated",
        "rows_unchanged",
    )
    list_select_related = ("imported_by",)
    search_fields = ("file_name", "=checksum")
    date_hierarchy = "imported_at"
    readonly_fields = [f.name for f in LiaisonImport._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OnboardingAttempt)
class OnboardingAttemptAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    personal_data_kind = _("demande d'immatriculation TNS")
    """The agents' log of the public form, read-only."""

    list_display = (
        "created_at",
        "id_document_type",
        "id_document_number",
        "birth_date",
        "phone",
        "outcome",
        "insured",
        "ip_address",
        "account_created_at",
    )
    list_filter = ("outcome", "id_document_type", "phone_operator", "language", "non_eligibility_reason")
    search_fields = ("=id_document_number", "phone", "email", "=ip_address", "=insured__immatriculation_number")
    date_hierarchy = "created_at"
    list_select_related = ("insured",)
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in OnboardingAttempt._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProximityPoint)
class ProximityPointAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "city", "address", "hours", "is_active")
    list_filter = ("kind", "city", "is_active")
    list_editable = ("is_active",)
    search_fields = ("name", "name_ar", "city", "address")
    fieldsets = (
        (None, {"fields": ("kind", "is_active")}),
        (_("En français"), {"fields": ("name", "city", "address", "hours")}),
        (_("En arabe"), {"fields": ("name_ar", "city_ar", "address_ar", "hours_ar")}),
    )
