from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from macnss.core.validators import mask_phone

from . import services
from .models import OutboundEmail, OutboundSms, OutboxStatus, StatusChange


class OutboxAdmin(admin.ModelAdmin):
    list_filter = ("status", "purpose", "backend")
    date_hierarchy = "created_at"
    actions = ["retry_failed"]
    readonly_fields = [f.name for f in OutboundSms._meta.fields if f.name not in ("id",)]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Renvoyer les messages en échec"))
    def retry_failed(self, request, queryset):
        count = 0
        for message in queryset.filter(status=OutboxStatus.FAILED):
            count += services.retry_failed_message(message)
        self.message_user(
            request, _("%(count)d message(s) remis en file d'attente.") % {"count": count}, messages.SUCCESS
        )


@admin.register(OutboundSms)
class OutboundSmsAdmin(OutboxAdmin):
    # Lists show the phone masked (a list is not a consultation); the message's page shows it whole.
    list_display = ("created_at", "masked_to", "purpose", "status", "attempts", "backend", "last_error")
    search_fields = ("to", "provider_message_id")
    # The stored body is never shown: a sensitive one is encrypted, then wiped (M3).
    exclude = ["body"]
    readonly_fields = [f.name for f in OutboundSms._meta.fields if f.name not in ("id", "body")] + ["text"]

    @admin.display(description=_("texte"))
    def text(self, obj):
        if obj.sensitive:
            return _("Contenu sensible : illisible ici (chiffré, puis effacé après l'envoi).")
        return obj.body

    @admin.display(description=_("destinataire"), ordering="to")
    def masked_to(self, obj):
        return mask_phone(obj.to)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(OutboxAdmin):
    list_display = ("created_at", "to", "subject", "purpose", "status", "attempts", "last_error")
    search_fields = ("to", "subject")
    readonly_fields = [f.name for f in OutboundEmail._meta.fields if f.name != "id"]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ("changed_at", "content_type", "object_id", "from_status", "to_status", "changed_by", "note")
    list_filter = ("content_type", "to_status")
    search_fields = ("object_id", "note", "changed_by__username")
    date_hierarchy = "changed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
