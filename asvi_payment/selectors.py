"""Reads for the ASVI payment journey."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import connection

from accounts.contributions import truncate
from accounts.models import InsuredPerson

from .models import AsviDue, AsviRate, DueStatus, OrderStatus, PaymentOrder, receipt_token_salt

CENT = Decimal("0.01")


def initials(person: InsuredPerson) -> str:
    """«B. S.»: what public pages, the receipt and the gateway show of a member (audit H4)."""
    return " ".join(f"{name.strip()[:1].upper()}." for name in (person.last_name, person.first_name) if name.strip())


def find_asvi_member(number: str) -> InsuredPerson | None:
    """The person behind a number, only if an ASVI member: callers answer the same way otherwise."""
    person = InsuredPerson.objects.filter(immatriculation_number=number).first()
    if person is None or not person.is_asvi_member:
        return None
    return person


def _dues_page_sql() -> str:
    due, order = AsviDue._meta.db_table, PaymentOrder._meta.db_table
    return (
        f"SELECT pending.n, due.id, due.year, due.quarter, due.amount, due.reference "  # noqa: S608 (table names from the models, values as parameters)
        f"FROM (SELECT count(*) AS n FROM {order} WHERE insured_id = %s AND status = %s) AS pending "
        f"LEFT JOIN {due} AS due ON due.insured_id = %s AND due.status = %s "
        f"ORDER BY due.year, due.quarter"
    )


@dataclass(frozen=True, slots=True)
class UnpaidDue:
    """What the dues page shows of an unpaid quarter: plain values, so that the page can be cached."""

    pk: int
    year: int
    quarter: int
    amount: Decimal
    reference: str


# The dues page is cached per person and dropped whenever one of the person's dues or payment orders is
# saved or deleted (dues_changed, connected in apps.py). A stale page cannot cost money: the order is
# built from the dues locked and re-checked as unpaid (services.create_payment_order).
DUES_CACHE_SECONDS = 120  # short: a drop lost during a Redis outage heals quickly


def _dues_cache_key(person_id: int) -> str:
    return f"asvi:dues-page:{person_id}"


def dues_page(person_id: int) -> tuple[list[UnpaidDue], int]:
    """The unpaid quarters (oldest first) and the number of pending payments: the dues page."""
    key = _dues_cache_key(person_id)
    page = cache.get(key)
    if page is None:
        page = read_dues_page(person_id)
        cache.set(key, page, DUES_CACHE_SECONDS)
    return page


def read_dues_page(person_id: int) -> tuple[list[UnpaidDue], int]:
    """dues_page from the database, in one round trip.

    Written in SQL because the ORM spent longer building this query than PostgreSQL spent running it
    (docs/PERFORMANCE.md). The count is a one-row table; the dues join it, so a person without dues
    still gets one row (all due columns NULL) that carries the count. Both sides use the indexes
    (insured, status, year, quarter) and (insured, status)."""
    with connection.cursor() as cursor:
        cursor.execute(_dues_page_sql(), [person_id, OrderStatus.PENDING, person_id, DueStatus.UNPAID])
        rows = cursor.fetchall()
    # Decimal(str()): SQLite's driver gives numbers, PostgreSQL's Decimals.
    dues = [
        UnpaidDue(pk, year, quarter, Decimal(str(amount)).quantize(CENT), reference)
        for _n, pk, year, quarter, amount, reference in rows
        if pk is not None
    ]
    return dues, rows[0][0]


def dues_changed(person_id: int) -> None:
    from macnss.core.caching import drop_now_and_after_commit

    drop_now_and_after_commit([_dues_cache_key(person_id)])


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


# A receipt link is a bearer token: it works for 30 days, then only for its owner, logged in (audit L7).
RECEIPT_LINK_MAX_AGE = timedelta(days=30)


class LinkExpired(Exception):
    """A genuine link to an order, older than RECEIPT_LINK_MAX_AGE, opened by someone not logged in as its owner."""


def order_token(order: PaymentOrder) -> str:
    """An unguessable, signed and dated handle on an order for the result and receipt pages."""
    return signing.dumps(order.pk, salt=receipt_token_salt())


def order_for_token(token: str, *, user=None) -> PaymentOrder | None:
    """The order behind a link: None for a forged one; LinkExpired past 30 days unless `user` owns it."""
    try:
        pk = signing.loads(token, salt=receipt_token_salt(), max_age=RECEIPT_LINK_MAX_AGE)
        expired = False
    except signing.SignatureExpired:
        pk = signing.loads(token, salt=receipt_token_salt())
        expired = True
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    order = PaymentOrder.objects.select_related("insured").filter(pk=pk).first()
    if order is not None and expired and not is_owner(user, order):
        raise LinkExpired
    return order


def is_owner(user, order: PaymentOrder) -> bool:
    return bool(user is not None and user.is_authenticated and getattr(user, "insured_id", None) == order.insured_id)


def order_with_lines(order_id: int) -> PaymentOrder:
    return PaymentOrder.objects.select_related("insured").prefetch_related("lines").get(pk=order_id)


def last_decline(order: PaymentOrder):
    """The bank's last refusal: a genuine decline we acknowledged, not a callback we refused."""
    return (
        order.callbacks.filter(hash_valid=True, reply="APPROVED")
        .exclude(proc_return_code__in=["00", ""])
        .order_by("-received_at")
        .first()
    )


def normalize_receipt_number(typed: str) -> str:
    """«ra 7k3m9qxd2p4t», «RA-7K3M-9QXD-2P4T» → «RA-7K3M-9QXD-2P4T» (dashes and spaces are optional)."""
    chars = "".join(c for c in typed.upper() if c.isalnum())
    if len(chars) == 14 and chars.startswith("RA"):
        return f"RA-{chars[2:6]}-{chars[6:10]}-{chars[10:]}"
    return typed.strip().upper()


def paid_order_by_receipt(*, reference: str, day) -> PaymentOrder | None:
    return (
        PaymentOrder.objects.select_related("insured")
        .filter(receipt_number=normalize_receipt_number(reference), status=OrderStatus.PAID, paid_at__date=day)
        .first()
    )
