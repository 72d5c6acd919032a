from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Q

from macnss.core.translation import gettext_lazy as _
from macnss.core.validators import format_rib, normalize_digits, normalize_identity_number, parse_moroccan_mobile

from . import services
from .models import (
    BankDetails,
    DirectDebitMandate,
    InsuredPerson,
    OneTimeCode,
    ProfessionalCategory,
    ProfessionalSubCategory,
    RibVerification,
    SmigValue,
    User,
)


class BankDetailsInline(admin.StackedInline):
    model = BankDetails
    extra = 0
    readonly_fields = ("status", "updated_at")


@admin.register(BankDetails)
class BankDetailsAdmin(admin.ModelAdmin):
    """The agents' queue «RIB à vérifier» (filter by vérification): a RIB given after a phone proven only
    online (issue 16 §2) starts no direct debit until an agent confirms it against the person's file."""

    list_display = ("insured", "rib_display", "status", "updated_at")
    list_filter = ("status",)
    search_fields = ("=insured__immatriculation_number", "=insured__id_document_number")
    list_select_related = ("insured",)
    readonly_fields = ("insured", "rib", "status", "updated_at")
    actions = ["confirm_selected"]

    @admin.display(description=_("RIB"))
    def rib_display(self, obj):
        return format_rib(obj.rib)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Confirmer le RIB (vérifié sur le dossier de l'assuré)"), permissions=["change"])
    def confirm_selected(self, request, queryset):
        done = 0
        for bank_details in queryset.filter(status=RibVerification.PENDING):
            services.confirm_bank_details(bank_details=bank_details, by=request.user)
            done += 1
        self.message_user(request, _("%(count)d RIB confirmé(s) ; l'assuré est prévenu par SMS.") % {"count": done})


@admin.register(InsuredPerson)
class InsuredPersonAdmin(admin.ModelAdmin):
    list_display = (
        "immatriculation_number",
        "last_name",
        "first_name",
        "id_document_number",
        "phone",
        "regime",
        "has_account",
    )
    list_filter = ("regime", "id_document_type", "pays_contributions_directly", "tns_subcategory__category")
    search_fields = (
        "=immatriculation_number",
        "=id_document_number",
        "phone",
        "last_name",
        "first_name",
        "last_name_ar",
    )
    readonly_fields = ("first_rib_needs_check", "created_at", "updated_at")
    list_select_related = ("account",)
    autocomplete_fields = ("tns_subcategory",)
    inlines = [BankDetailsInline]
    show_full_result_count = False

    @admin.display(boolean=True, description=_("compte Ma CNSS"))
    def has_account(self, obj):
        return hasattr(obj, "account")

    def get_search_results(self, request, queryset, search_term):
        """One indexed lookup chosen by what the agent typed, so a search stays fast on millions of
        persons: a CNSS number, a phone number, an identity document number, or the start of a name."""
        term = search_term.strip()
        if not term:
            return queryset, False
        digits = normalize_digits(term)
        if digits.isdigit() and len(digits) == 9 and not term.startswith(("0", "+")):
            return queryset.filter(immatriculation_number=digits), False
        try:
            return queryset.filter(phone=parse_moroccan_mobile(term)), False
        except ValidationError:
            pass
        document = normalize_identity_number(term)
        if any(ch.isdigit() for ch in document):
            return queryset.filter(id_document_number=document), False
        return queryset.filter(Q(last_name__istartswith=term) | Q(last_name_ar__startswith=term)), False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "insured", "is_staff", "last_login")
    list_filter = ("is_staff", "is_active", "groups")
    search_fields = ("username", "insured__last_name", "insured__id_document_number", "insured__phone")
    raw_id_fields = ("insured",)
    readonly_fields = ("last_login", "date_joined")
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Assuré"), {"fields": ("insured",)}),)


class SubCategoryInline(admin.TabularInline):
    model = ProfessionalSubCategory
    extra = 0


@admin.register(ProfessionalCategory)
class ProfessionalCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "liaison_body", "is_open", "display_order")
    list_editable = ("is_open", "display_order")
    search_fields = ("name", "name_ar", "code")
    inlines = [SubCategoryInline]


@admin.register(ProfessionalSubCategory)
class ProfessionalSubCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "base_smig_multiple", "amo_rate", "pension_rate")
    list_filter = ("category",)
    search_fields = ("name", "code", "category__name")


@admin.register(SmigValue)
class SmigValueAdmin(admin.ModelAdmin):
    list_display = ("valid_from", "monthly_amount", "source")


@admin.register(DirectDebitMandate)
class DirectDebitMandateAdmin(admin.ModelAdmin):
    list_display = ("insured", "rib_display", "consent_text_version", "consented_at", "ip_address", "revoked_at")
    list_filter = ("consent_text_version", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("=insured__immatriculation_number", "rib")
    list_select_related = ("insured",)
    readonly_fields = (
        "insured",
        "rib",
        "consent_text",
        "consent_text_version",
        "consented_at",
        "ip_address",
        "revoked_at",
    )

    @admin.display(description=_("RIB"))
    def rib_display(self, obj):
        return format_rib(obj.rib)

    def has_add_permission(self, request):
        return False


@admin.register(OneTimeCode)
class OneTimeCodeAdmin(admin.ModelAdmin):
    """Codes are hashed: agents see when and how often, never the code."""

    list_display = ("purpose", "phone", "created_at", "expires_at", "attempts", "consumed_at", "superseded_at")
    list_filter = ("purpose",)
    search_fields = ("phone",)
    exclude = ("code_hash", "salt")
    readonly_fields = (
        "purpose",
        "phone",
        "subject",
        "created_at",
        "expires_at",
        "attempts",
        "consumed_at",
        "superseded_at",
        "identity_key",
        "notice",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
