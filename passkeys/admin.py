from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from backoffice.audit import PersonalDataAdminMixin

from . import services
from .models import Passkey, PasskeyUserHandle


@admin.register(Passkey)
class PasskeyAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    insured_accessor = "user__insured"
    personal_data_kind = _("clé d'accès")

    """Agents see a person's passkeys and can revoke one (a lost phone reported at the agency); they
    cannot add or change one: only the person, from his private space, adds a passkey."""

    list_display = ("name", "user", "created_at", "last_used_at", "backed_up")
    list_filter = ("backed_up", "created_at", "last_used_at")
    search_fields = ("=user__username", "name")
    list_select_related = ("user",)
    readonly_fields = (
        "user",
        "name",
        "credential_id",
        "sign_count",
        "transports",
        "aaguid",
        "backed_up",
        "created_at",
        "last_used_at",
    )
    exclude = ("public_key",)
    actions = ["revoke"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting goes through «Révoquer», which also ends the person's sessions and tells his phone.
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("passkeys.delete_passkey"):
            actions.pop("revoke", None)
        return actions

    @admin.action(description=_("Révoquer les clés d'accès sélectionnées (ferme les sessions du titulaire)"))
    def revoke(self, request, queryset):
        passkeys = list(queryset.select_related("user__insured"))
        self.log_deletions(request, queryset)  # the agents' audit trail (admin LogEntry), before deleting
        for passkey in passkeys:
            services.revoke_passkey(passkey=passkey, keep_session_key=None)
        count = len(passkeys)
        self.message_user(request, _("%(count)d clé(s) d'accès révoquée(s).") % {"count": count}, messages.SUCCESS)


@admin.register(PasskeyUserHandle)
class PasskeyUserHandleAdmin(admin.ModelAdmin):
    list_display = ("user", "handle")
    search_fields = ("=user__username",)
    readonly_fields = ("user", "handle")
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
