"""What ASVI payment holds about a person («Mes données»)."""

from django.utils.translation import gettext as _

from macnss.core.personal_data import DataSection, records, register_personal_data_provider

from .models import AsviDue, PaymentOrder


def sections(person) -> list[DataSection]:
    dues = AsviDue.objects.filter(insured=person).select_related("paid_by_order").order_by("year", "quarter")
    orders = PaymentOrder.objects.filter(insured=person).order_by("created_at")
    return [
        DataSection(
            "asvi_payment.dues",
            _("Cotisations ASVI"),
            records(dues, exclude=["insured"]),
            _("Calculer et encaisser vos cotisations."),
        ),
        DataSection(
            "asvi_payment.orders",
            _("Paiements ASVI par carte"),
            records(orders, exclude=["insured", "idempotency_key", "selection_key", "reconciliation_note"]),
            _("Encaisser vos paiements et vous remettre un reçu."),
        ),
    ]


def register() -> None:
    register_personal_data_provider(sections)
