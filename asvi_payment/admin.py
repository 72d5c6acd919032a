import csv

from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from backoffice.audit import PersonalDataAdminMixin
from macnss.core.services import apply_transition
from macnss.core.tasks_queue import enqueue_on_commit

from . import services
from .models import AsviDue, AsviRate, CallbackRecord, MockCmiPayment, OrderStatus, PaymentLine, PaymentOrder


def csv_export(filename: str, columns: list[tuple[str, str]]):
    def action(modeladmin, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
        writer.writerow([str(label) for _attr, label in columns])
        for obj in queryset:
            row = []
            for attr in columns:
                value = obj
                for part in attr[0].split("__"):
                    value = getattr(value, part, "")
                row.append(value() if callable(value) else value)
            writer.writerow(row)
        return response

    action.short_description = _("Exporter en CSV")
    action.__name__ = f"export_{filename.split('.')[0]}"
    return action


@admin.register(AsviRate)
class AsviRateAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "pension_rate", "pension_monthly_ceiling", "amo_rate", "source"]


@admin.register(AsviDue)
class AsviDueAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    personal_data_kind = _("échéance ASVI")
    reference_field = "reference"
    list_display = ["insured", "year", "quarter", "amount", "reference", "status", "paid_at", "paid_by_order"]
    list_filter = ["status", "year", "quarter"]
    search_fields = ["insured__immatriculation_number", "insured__last_name", "reference"]
    list_select_related = ["insured", "paid_by_order"]
    readonly_fields = ["status", "paid_at", "paid_by_order", "created_at"]
    raw_id_fields = ["insured"]
    actions = [
        csv_export(
            "trimestres-asvi.csv",
            [
                ("insured__immatriculation_number", _("numéro d'immatriculation")),
                ("year", _("année")),
                ("quarter", _("trimestre")),
                ("amount", _("montant")),
                ("reference", _("référence")),
                ("status", _("statut")),
                ("paid_at", _("payé le")),
            ],
        )
    ]


class PaymentLineInline(admin.TabularInline):
    model = PaymentLine
    extra = 0
    can_delete = False
    fields = ["code", "year", "quarter", "reference", "description", "amount", "due"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CallbackInline(admin.TabularInline):
    model = CallbackRecord
    extra = 0
    can_delete = False
    fields = ["received_at", "hash_valid", "proc_return_code", "reply", "outcome", "raw_fields"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PaymentOrder)
class PaymentOrderAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    personal_data_kind = _("paiement ASVI")
    reference_field = "oid"
    list_display = [
        "oid",
        "insured",
        "amount",
        "status",
        "card_type",
        "channel",
        "created_at",
        "paid_at",
        "receipt_number",
        "receipt_emailed_at",
    ]
    list_filter = [
        "status",
        "card_type",
        "channel",
        ("paid_at", admin.DateFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["oid", "insured__immatriculation_number", "insured__last_name", "receipt_number", "trans_id"]
    list_select_related = ["insured"]
    date_hierarchy = "created_at"
    inlines = [PaymentLineInline, CallbackInline]
    readonly_fields = [
        "oid", "insured", "idempotency_key", "selection_key", "card_type", "quarters_amount", "fee_amount", "amount",
        "language", "channel", "status", "created_at", "paid_at", "trans_id", "auth_code", "masked_card", "last_return_code",
        "receipt_number", "receipt_pdf", "receipt_emailed_at",
    ]  # fmt: skip
    actions = [
        "expire_orders",
        "resend_receipt",
        csv_export(
            "ordres-asvi.csv",
            [
                ("oid", _("oid")),
                ("insured__immatriculation_number", _("numéro d'immatriculation")),
                ("amount", _("montant")),
                ("status", _("statut")),
                ("created_at", _("créé le")),
                ("paid_at", _("payé le")),
                ("trans_id", _("transaction CMI")),
                ("receipt_number", _("reçu")),
                ("reconciliation_note", _("rapprochement")),
            ],
        ),
    ]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Expirer les ordres en attente sélectionnés"))
    def expire_orders(self, request, queryset):
        count = 0
        for order in queryset.filter(status=OrderStatus.PENDING):
            apply_transition(order, "expire", by=request.user, note="Expiré par un agent.")
            count += 1
        self.message_user(request, _("%(n)s ordre(s) expiré(s).") % {"n": count}, messages.SUCCESS)

    @admin.action(description=_("Renvoyer la lettre de confirmation (si jamais envoyée)"))
    def resend_receipt(self, request, queryset):
        for order in queryset.filter(status=OrderStatus.PAID, receipt_emailed_at__isnull=True):
            enqueue_on_commit(services.SEND_RECEIPT, order.pk)
        self.message_user(request, _("Envoi programmé."), messages.SUCCESS)


@admin.register(CallbackRecord)
class CallbackRecordAdmin(admin.ModelAdmin):
    list_display = ["received_at", "oid", "hash_valid", "proc_return_code", "reply", "outcome", "remote_addr"]
    list_filter = ["hash_valid", "reply", "proc_return_code"]
    search_fields = ["oid"]
    readonly_fields = [f.name for f in CallbackRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MockCmiPayment)
class MockCmiPaymentAdmin(admin.ModelAdmin):
    list_display = ["created_at", "__str__", "result", "callback_status", "callback_reply", "callback_error"]
    list_filter = ["result"]
    readonly_fields = [f.name for f in MockCmiPayment._meta.fields]

    def has_add_permission(self, request):
        return False
