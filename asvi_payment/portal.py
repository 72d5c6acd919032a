"""What the private home shows for this journey: paid ASVI orders in «Mes demandes» (one query)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from macnss.core.portal import RequestSummary

from . import selectors
from .models import OrderStatus, PaymentOrder


def asvi_payment_requests(person) -> list[RequestSummary]:
    orders = PaymentOrder.objects.filter(insured=person, status=OrderStatus.PAID).order_by("-paid_at")[:20]
    return [
        RequestSummary(
            kind=_("Paiement ASVI"),
            reference=order.receipt_number,
            status_label=_("Payé"),
            created_at=order.paid_at,
            url=reverse("asvi_payment:receipt", kwargs={"token": selectors.order_token(order)}),
        )
        for order in orders
    ]
