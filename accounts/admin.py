from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from backoffice import services as backoffice_services
from backoffice.audit import PersonalDataAdminMixin
from macnss.core.validators import (
    mask_phone,
    normalize_digits,
    normalize_identity_number,
    parse_moroccan_mobile,
)

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
    """Read-only: a RIB changes through a proposal approved by a supervisor (mandate, SMS)."""

    model = BankDetails
    extra = 0
    can_delete = False
    readonly_fields = ("rib", "status", "updated_at")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BankDetails)
class BankDetailsAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    """The agents' queue «RIB à vérifier» (filter by vérification): a RIB given after a phone proven only
    online (issue 16 §2) starts no direct debit until an agent confirms it against the person's file."""

    insured_accessor = "insured"
    personal_data_kind = _("RIB")
    list_display = ("insured", "rib_display", "status", "updated_at")
    list_filter = ("status",)
    search_fields = ("=insured__immatriculation_number", "=insured__id_document_number")
    list_select_related = ("insured",)
    readonly_fields = ("insured", "rib", "status", "updated_at")
    actions = ["confirm_selected"]

    @admin.display(description=_("RIB"))
    def rib_display(self, obj):
        # A list shows no full RIB (the change page shows it, and is journaled as a consultation).
        return f"•••• {obj.rib[-4:]}" if obj.rib else ""

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
class InsuredPersonAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    insured_accessor = ""
    personal_data_kind = _("dossier d'assuré")
    reference_field = "immatriculation_number"
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
    # Phone, e-mail and RIB change only through a proposal approved by another person (four-eyes).
    readonly_fields = ("phone", "email", "first_rib_needs_check", "created_at", "updated_at")
    list_select_related = ("account",)
    inlines = [BankDetailsInline]
    show_full_result_count = False

    @admin.display(boolean=True, description=_("compte Ma CNSS"))
    def has_account(self, obj):
        return hasattr(obj, "account")

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        links = []
        if request.user.has_perm("backoffice.add_contactchangeproposal") and str(object_id).isdigit():
            url = reverse("admin:backoffice_contactchangeproposal_propose", args=[object_id])
            links.append((url, _("Proposer un changement de téléphone, RIB ou e-mail")))
        extra_context = {**(extra_context or {}), "bo_links": links}
        return super().change_view(request, object_id, form_url, extra_context)

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
class AccountAdmin(PersonalDataAdminMixin, DjangoUserAdmin):
    """Staff accounts and insured accounts (administrators only).

    An insured account is never edited here and its password never set (nobody, administrators
    included): it can only be disabled or sent an SMS pointing to «Mot de passe oublié». Nobody becomes
    superuser here; nobody changes his own roles; nobody is deleted (leaving staff are disabled)."""

    insured_accessor = "insured"
    personal_data_kind = _("compte Ma CNSS")
    reference_field = "username"
    list_display = ("username", "insured", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_active", "groups")
    search_fields = ("username", "insured__last_name", "=insured__id_document_number", "=insured__phone")
    raw_id_fields = ("insured",)
    actions = ["disable_accounts", "send_password_recovery_sms", "reset_totp"]
    staff_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name", "email")}),
        (_("Rôle"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    insured_fieldsets = (
        (None, {"fields": ("username", "insured", "is_active")}),
        (
            _("Suivi"),
            {"fields": ("last_login", "date_joined")},
        ),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        return self.insured_fieldsets if obj.insured_id else self.staff_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.insured_id:
            return [field for _name, options in self.insured_fieldsets for field in options["fields"]]
        fields = ["last_login", "date_joined"]
        if not request.user.is_superuser:
            fields.append("is_superuser")
        if obj.pk == request.user.pk:
            fields += ["is_active", "is_staff", "groups"]  # nobody widens or narrows his own roles
        return fields

    def has_delete_permission(self, request, obj=None):
        return False

    def user_change_password(self, request, id, form_url=""):
        target = self.get_object(request, id)
        if target is None or target.insured_id is not None:
            raise PermissionDenied  # an insured person sets his password himself, online
        return super().user_change_password(request, id, form_url)

    @admin.action(description=_("Désactiver les comptes sélectionnés"), permissions=["change"])
    def disable_accounts(self, request, queryset):
        count = backoffice_services.disable_accounts(users=list(queryset), by=request.user)
        for user in queryset.filter(is_active=False):
            self.log_change(request, user, "Compte désactivé")
        self.message_user(request, _("%(count)d compte(s) désactivé(s).") % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Envoyer le SMS « Mot de passe oublié » (assurés)"), permissions=["change"])
    def send_password_recovery_sms(self, request, queryset):
        sent = 0
        for user in queryset.filter(insured__isnull=False).select_related("insured"):
            if backoffice_services.send_password_recovery_sms(user=user):
                self.log_change(request, user, "SMS « Mot de passe oublié » envoyé")
                sent += 1
        self.message_user(request, _("%(count)d SMS envoyé(s).") % {"count": sent}, messages.SUCCESS)

    @admin.action(description=_("Réinitialiser l'application d'authentification (personnel)"), permissions=["change"])
    def reset_totp(self, request, queryset):
        done = 0
        for user in queryset.filter(insured__isnull=True, is_staff=True):
            removed = backoffice_services.reset_staff_totp(staff=user, by=request.user)
            self.log_change(request, user, f"Appareils TOTP réinitialisés ({removed} supprimé(s))")
            done += 1
        self.message_user(
            request,
            _("%(count)d compte(s) : l'agent doit enregistrer une nouvelle application d'authentification.")
            % {"count": done},
            messages.SUCCESS,
        )


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
class DirectDebitMandateAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    personal_data_kind = _("mandat de prélèvement")
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
        # A list shows no full RIB (the change page shows it, and is journaled as a consultation).
        return f"•••• {obj.rib[-4:]}" if obj.rib else ""

    def has_add_permission(self, request):
        return False


@admin.register(OneTimeCode)
class OneTimeCodeAdmin(admin.ModelAdmin):
    """Codes are hashed: agents see when and how often, never the code."""

    list_display = ("purpose", "masked_phone", "created_at", "expires_at", "attempts", "consumed_at", "superseded_at")
    list_filter = ("purpose",)
    search_fields = ("phone",)
    exclude = ("code_hash", "salt")

    @admin.display(description=_("téléphone"), ordering="phone")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

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
