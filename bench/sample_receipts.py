"""The two receipts, built from unsaved objects as the worker builds them (context, QR code included):
timed by bench/pdf.py, and rendered in each template variant by tests/core/test_pdf.py."""

from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

from accounts.models import InsuredPerson
from asvi_payment.models import PaymentLine, PaymentOrder
from asvi_payment.selectors import initials
from macnss.core.pdf import qr_code_data_uri
from taawidaty.models import RefundClaim


class SampleReceipt(NamedTuple):
    template: str
    context: dict
    stylesheet: str
    language: str


def person(*, arabic_name: bool = True) -> InsuredPerson:
    return InsuredPerson(
        immatriculation_number="300000101",
        last_name="TAZI",
        first_name="Nadia",
        last_name_ar="التازي" if arabic_name else "",
        first_name_ar="نادية" if arabic_name else "",
        birth_date=date(1974, 3, 2),
    )


def asvi_receipt(*, arabic_name: bool = True, language: str = "fr") -> SampleReceipt:
    """Three quarters and the processing fee."""
    order = PaymentOrder(
        oid="ASVI2026000123",
        amount=Decimal("2975.66"),
        receipt_number="RA20260000123",
        trans_id="26112212345678",
        masked_card="4000 00** **** 0010",
        paid_at=timezone.make_aware(datetime(2026, 11, 22, 10, 30)),
    )
    lines = [
        PaymentLine(due_id=1, code="202001", year=2020, quarter=1, amount=Decimal("1451.10")),
        PaymentLine(due_id=2, code="202603", year=2026, quarter=3, amount=Decimal("754.30")),
        PaymentLine(due_id=3, code="202604", year=2026, quarter=4, amount=Decimal("737.53")),
        PaymentLine(code="202605", year=2026, quarter=5, amount=Decimal("32.73")),
    ]
    url = "https://www.macnss.ma/paiement/verifier-un-recu/?reference=RA20260000123&date=22/11/2026"
    member = person(arabic_name=arabic_name)
    context = {
        "order": order,
        "person": member,
        "initials": initials(member),
        "lines": lines,
        "quarter_count": 3,
        "verify_url": url,
        "qr_code": qr_code_data_uri(url),
    }
    return SampleReceipt("asvi_payment/receipt_pdf.html", context, "pdf/asvi_receipt.css", language)


def taawidaty_receipt(
    *, arabic_name: bool = True, physical_control: bool = False, mining: bool = False
) -> SampleReceipt:
    claim = RefundClaim(reference="TW2026000042", physical_control=physical_control, mining=mining)
    url = "https://www.macnss.ma/taawidaty/verifier/?reference=TW2026000042"
    context = {
        "claim": claim,
        "person": person(arabic_name=arabic_name),
        "submitted_on": date(2026, 11, 22),
        "verification_url": url,
        "qr_code": qr_code_data_uri(url),
        "customer_service": "080 20 20 109",
    }
    return SampleReceipt("taawidaty/receipt_pdf.html", context, "pdf/taawidaty_receipt.css", "fr")
