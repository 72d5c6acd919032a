"""Reads for the ASVI payment journey."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core import signing

from accounts.contributions import truncate
from accounts.models import InsuredPerson

from .models import AsviDue, AsviRate, DueStatus, OrderStatus, PaymentOrder, receipt_token_salt

CENT = Decimal("0.01")


def find_asvi_member(number: str) -> InsuredPerson | None:
    """The person behind a number, only if an ASVI member: callers answer the same way otherwise."""
    person = InsuredPerson.objects.filter(immatriculation_number=number).first()
    if person is None or not person.is_asvi_member:
        return None
    return person


def _dues_page_sql() -> str:
    due, order = AsviDue._meta.db_table, PaymentOrder._meta.db_table
    return (
        f"SELECT pending.n AS pending_orders, due.* "  # noqa: S608 (table names from the models, values as parameters)
        f"FROM (SELECT count(*) AS n FROM {order} WHERE insured_id = %s AND status = %s) AS pending "
        f"LEFT JOIN {due} AS due ON due.insured_id = %s AND due.status = %s "
        f"ORDER BY due.year, due.quarter"
    )


def dues_page(person_id: int) -> tuple[list[AsviDue], int]:
    """The unpaid quarters (oldest first) and the number of pending payments, in one round trip.

    Written in SQL: the same query through the ORM cost three times as much to build as to run
    (docs/PERFORMANCE.md). The count is a one-row table; the dues join it, so a person without dues
    still gets one row (all due columns NULL) that carries the count. Both sides use the indexes
    (insured, status, year, quarter) and (insured, status)."""
    rows = list(AsviDue.objects.raw(_dues_page_sql(), [person_id, OrderStatus.PENDING, person_id, DueStatus.UNPAID]))
    return [row for row in rows if row.pk is not None], rows[0].pending_orders


def processing_fee(quarters_total: Decimal) -> Decimal:
    """1.1 % by default (ASVI_PROCESSING_FEE_RATE): 1451.10 → 15.96 (DOMAIN §4, rounded to the centime)."""
    rate = Decimal(str(settings.ASVI_PROCESSING_FEE_RATE))
    return (Decimal(quarters_total) * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def rate_on(day) -> AsviRate | None:
    return AsviRate.objects.filter(valid_from__lte=day).order_by("-valid_from").first()


def quarter_amount(reference_salary: Decimal, rate: AsviRate) -> Decimal:
    """3 × min(ref, ceiling) × pension rate + 3 × ref × AMO rate, truncated to the centime (DOMAIN §4)."""
    ref = Decimal(reference_salary)
    pension = 3 * min(ref, rate.pension_monthly_ceiling) * rate.pension_rate
    amo = 3 * ref * rate.amo_rate
    return truncate(pension + amo)


def order_token(order: PaymentOrder) -> str:
    """An unguessable, signed handle on an order for the result and receipt pages (no session needed)."""
    return signing.dumps(order.pk, salt=receipt_token_salt())


def order_for_token(token: str) -> PaymentOrder | None:
    try:
        pk = signing.loads(token, salt=receipt_token_salt())
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return PaymentOrder.objects.select_related("insured").filter(pk=pk).first()


def order_with_lines(order_id: int) -> PaymentOrder:
    return PaymentOrder.objects.select_related("insured").prefetch_related("lines").get(pk=order_id)


def last_decline(order: PaymentOrder):
    return order.callbacks.filter(hash_valid=True).exclude(proc_return_code="00").order_by("-received_at").first()


def paid_order_by_receipt(*, reference: str, day) -> PaymentOrder | None:
    return (
        PaymentOrder.objects.select_related("insured")
        .filter(receipt_number=reference.strip().upper(), status=OrderStatus.PAID, paid_at__date=day)
        .first()
    )
