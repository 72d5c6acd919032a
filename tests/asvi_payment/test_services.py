"""Dues, orders and the callback — the source of truth — against the database."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.models import Regime
from asvi_payment import cmi, selectors, services
from asvi_payment.models import AsviDue, CallbackRecord, DueStatus, OrderStatus, PaymentOrder
from macnss.core.models import OutboundEmail, StatusChange
from tests.concurrency import run_at_once
from tests.factories import InsuredPersonFactory

from .conftest import callback_fields, make_due


def test_processing_fee_of_the_guide():
    fee = selectors.processing_fee(Decimal("1451.10"))
    assert fee == Decimal("15.96")
    assert Decimal("1451.10") + fee == Decimal("1467.06")


def test_fee_rate_is_a_setting(settings):
    settings.ASVI_PROCESSING_FEE_RATE = 0.02
    assert selectors.processing_fee(Decimal("100.00")) == Decimal("2.00")


def test_quarter_amount_caps_pension_and_truncates(rate):
    assert selectors.quarter_amount(Decimal("2778.29"), rate) == Decimal("1451.10")
    # 10 000 DH: pension on 6 000 only (3 × 6000 × 12.89 % = 2320.20), AMO on all (3 × 10000 × 4.52 % = 1356.00)
    assert selectors.quarter_amount(Decimal("10000"), rate) == Decimal("3676.20")
    # 3 × 2828.71 × 17.41 % = 1477.4352… → truncated, not rounded
    assert selectors.quarter_amount(Decimal("2828.71"), rate) == Decimal("1477.43")


def test_generate_quarterly_dues_is_idempotent_and_only_for_asvi_members(rate, member):
    InsuredPersonFactory(regime=Regime.EMPLOYEE, asvi_reference_salary=Decimal("3000"))
    InsuredPersonFactory(regime=Regime.ASVI, asvi_reference_salary=None)
    assert services.generate_quarterly_dues(year=2026, quarter=2) == 1
    assert services.generate_quarterly_dues(year=2026, quarter=2) == 0
    due = AsviDue.objects.get()
    assert (due.insured, due.amount, due.status) == (member, Decimal("1451.10"), DueStatus.UNPAID)


def test_generate_without_a_rate_creates_nothing(member):
    assert services.generate_quarterly_dues(year=2026, quarter=2) == 0
    assert not AsviDue.objects.exists()


def test_order_has_quarter_and_fee_lines(order, due_2020_t1):
    assert order.amount == Decimal("1467.06")
    assert order.status == OrderStatus.PENDING
    lines = list(order.lines.all())
    assert [(line.code, line.amount, line.due_id) for line in lines] == [
        ("202001", Decimal("1451.10"), due_2020_t1.pk),
        ("202005", Decimal("15.96"), None),
    ]


def test_same_page_submitted_twice_makes_one_order(member, due_2020_t1):
    kwargs = dict(person=member, due_ids=[due_2020_t1.pk], card_type="LOC", idempotency_key="same-page")
    first = services.create_payment_order(**kwargs)
    second = services.create_payment_order(**kwargs)
    assert first.pk == second.pk
    assert PaymentOrder.objects.count() == 1


def test_new_attempt_for_the_same_selection_replaces_the_pending_order(member, due_2020_t1):
    first = services.create_payment_order(person=member, due_ids=[due_2020_t1.pk], card_type="LOC", idempotency_key="a")
    second = services.create_payment_order(
        person=member, due_ids=[due_2020_t1.pk], card_type="LOC", idempotency_key="b"
    )
    first.refresh_from_db()
    assert first.oid != second.oid
    assert first.status == OrderStatus.ABANDONED
    assert PaymentOrder.objects.filter(status=OrderStatus.PENDING).count() == 1


def test_order_refuses_someone_elses_or_paid_dues(member, due_2020_t1):
    other = InsuredPersonFactory(regime=Regime.ASVI)
    their_due = make_due(other, 2021, 1)
    with pytest.raises(services.DuesChanged):
        services.create_payment_order(person=member, due_ids=[their_due.pk], card_type="LOC", idempotency_key="x")
    AsviDue.objects.filter(pk=due_2020_t1.pk).update(status=DueStatus.PAID)
    with pytest.raises(services.DuesChanged):
        services.create_payment_order(person=member, due_ids=[due_2020_t1.pk], card_type="LOC", idempotency_key="y")


def test_approved_callback_pays_order_and_quarters_and_mails_the_pdf(
    order, due_2020_t1, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.handle_callback(fields=callback_fields(order))
    assert outcome.reply == "ACTION=POSTAUTH"
    order.refresh_from_db()
    due_2020_t1.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.trans_id == "26327ABCDEF"
    assert order.receipt_number.startswith("RA")
    assert due_2020_t1.status == DueStatus.PAID
    assert due_2020_t1.paid_by_order == order
    assert StatusChange.objects.filter(to_status="paid").count() == 2
    record = CallbackRecord.objects.get()
    assert (record.hash_valid, record.reply, record.order) == (True, "ACTION=POSTAUTH", order)
    email = OutboundEmail.objects.get(purpose="asvi_payment_receipt")
    assert email.to == "membre@example.ma"
    assert email.attachment_name == f"recu-{order.receipt_number}.pdf"
    assert email.attachment.read().startswith(b"%PDF")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].attachments[0][2] == "application/pdf"
    assert "1467.06" in mail.outbox[0].body


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_receipt_email_lines_run_right_to_left_in_arabic_only(
    language, member, due_2020_t1, django_capture_on_commit_callbacks
):
    order = services.create_payment_order(
        person=member, due_ids=[due_2020_t1.pk], card_type="LOC", idempotency_key="k", language=language
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.handle_callback(fields=callback_fields(order))
    lines = [line for line in mail.outbox[0].body.split("\n") if line.strip()]
    # A client gives each line the direction of its first letter; "- 202001 : …" starts with a number.
    assert any(line.lstrip("\u200f").startswith("- 202001") for line in lines)
    starting_right_to_left = [line.startswith("\u200f") for line in lines]
    assert all(starting_right_to_left) if language == "ar" else not any(starting_right_to_left)


def test_confirmation_mode_approved(settings, order):
    settings.CMI_CONFIRMATION_MODE = "APPROVED"
    assert services.handle_callback(fields=callback_fields(order)).reply == "APPROVED"
    order.refresh_from_db()
    assert order.is_paid


def test_tampered_hash_is_refused_and_pays_nothing(order, due_2020_t1):
    fields = callback_fields(order)
    fields["HASH"] = fields["HASH"][:-4] + "AAA="
    assert services.handle_callback(fields=fields).reply == "FAILURE"
    order.refresh_from_db()
    due_2020_t1.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert due_2020_t1.status == DueStatus.UNPAID
    assert CallbackRecord.objects.get().hash_valid is False


def test_field_changed_after_signing_is_refused(order):
    fields = callback_fields(order)
    fields["ProcReturnCode"] = "00"
    fields["amount"] = "1.00"  # changed without re-signing
    assert services.handle_callback(fields=fields).reply == "FAILURE"
    order.refresh_from_db()
    assert not order.is_paid


def test_wrong_amount_even_correctly_signed_is_refused(order, due_2020_t1):
    assert services.handle_callback(fields=callback_fields(order, amount="1451.10")).reply == "FAILURE"
    order.refresh_from_db()
    due_2020_t1.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert due_2020_t1.status == DueStatus.UNPAID


def test_unknown_oid_is_refused(order):
    outcome = services.handle_callback(fields=callback_fields(order, oid="ASVI-INCONNU"))
    assert outcome.reply == "FAILURE"
    assert CallbackRecord.objects.get().order is None
    assert not PaymentOrder.objects.filter(status=OrderStatus.PAID).exists()


def test_declined_callback_is_acknowledged_and_changes_nothing(order, due_2020_t1):
    assert services.handle_callback(fields=callback_fields(order, code="51")).reply == "APPROVED"
    order.refresh_from_db()
    due_2020_t1.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert order.last_return_code == "51"
    assert due_2020_t1.status == DueStatus.UNPAID
    assert selectors.last_decline(order).proc_return_code == "51"


def test_same_approved_callback_twenty_times_pays_once(order, django_capture_on_commit_callbacks):
    fields = callback_fields(order)
    with django_capture_on_commit_callbacks(execute=True):
        replies = [services.handle_callback(fields=dict(fields)).reply for _ in range(20)]
    assert replies == ["ACTION=POSTAUTH"] * 20
    assert PaymentOrder.objects.filter(status=OrderStatus.PAID).count() == 1
    assert StatusChange.objects.filter(to_status="paid", content_type__model="paymentorder").count() == 1
    assert OutboundEmail.objects.filter(purpose="asvi_payment_receipt").count() == 1
    assert CallbackRecord.objects.count() == 20


def test_failure_callback_after_success_changes_nothing(order, due_2020_t1):
    services.handle_callback(fields=callback_fields(order))
    order.refresh_from_db()
    paid_at = order.paid_at
    assert services.handle_callback(fields=callback_fields(order, code="05")).reply == "APPROVED"
    order.refresh_from_db()
    due_2020_t1.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.paid_at == paid_at
    assert order.last_return_code == "00"
    assert due_2020_t1.status == DueStatus.PAID


def test_late_approval_of_an_expired_order_still_pays(order):
    PaymentOrder.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert services.expire_stale_orders(older_than=timedelta(minutes=60)) == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    assert services.handle_callback(fields=callback_fields(order)).reply == "ACTION=POSTAUTH"
    order.refresh_from_db()
    assert order.is_paid


def test_approval_of_an_old_order_whose_quarters_were_paid_since_is_refused(member, due_2020_t1):
    old = services.create_payment_order(person=member, due_ids=[due_2020_t1.pk], card_type="LOC", idempotency_key="a")
    new = services.create_payment_order(person=member, due_ids=[due_2020_t1.pk], card_type="LOC", idempotency_key="b")
    assert services.handle_callback(fields=callback_fields(new)).reply == "ACTION=POSTAUTH"
    assert services.handle_callback(fields=callback_fields(old)).reply == "FAILURE"
    old.refresh_from_db()
    assert old.status == OrderStatus.ABANDONED


def test_reconciliation_leaves_recent_orders_alone(order):
    assert services.expire_stale_orders(older_than=timedelta(minutes=60)) == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_receipt_is_sent_once(order, django_capture_on_commit_callbacks):
    services.handle_callback(fields=callback_fields(order))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_receipt(order_id=order.pk) is True
        assert services.send_receipt(order_id=order.pk) is False
    assert OutboundEmail.objects.filter(purpose="asvi_payment_receipt").count() == 1


def test_missing_receipts_are_requeued(order, django_capture_on_commit_callbacks):
    services.handle_callback(fields=callback_fields(order))  # on-commit tasks never ran: "broker down"
    PaymentOrder.objects.filter(pk=order.pk).update(paid_at=timezone.now() - timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue_missing_receipts() == 1
    order.refresh_from_db()
    assert order.receipt_emailed_at is not None
    assert OutboundEmail.objects.filter(purpose="asvi_payment_receipt").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_callbacks_pay_once_on_postgresql(member):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    due = make_due(member, 2020, 1)
    order = services.create_payment_order(person=member, due_ids=[due.pk], card_type="LOC", idempotency_key="pg")
    fields = callback_fields(order)
    results = run_at_once(*[lambda: services.handle_callback(fields=dict(fields))] * 20)
    replies = [getattr(result, "reply", result) for result in results]  # an exception shows as itself
    assert replies == ["ACTION=POSTAUTH"] * 20
    assert StatusChange.objects.filter(to_status="paid", content_type__model="paymentorder").count() == 1
    assert AsviDue.objects.get(pk=due.pk).status == DueStatus.PAID
    assert CallbackRecord.objects.count() == 20
    assert cmi.verify(fields, "TEST1234")


def test_dues_page_reads_dues_and_pending_count_in_one_query(member, django_assert_num_queries):
    first, second = make_due(member, 2020, 2), make_due(member, 2020, 1)
    make_due(InsuredPersonFactory(regime=Regime.ASVI), 2020, 1)  # someone else's
    for key in ("a", "b"):
        services.create_payment_order(person=member, due_ids=[first.pk], card_type="LOC", idempotency_key=key)
    with django_assert_num_queries(1):
        dues, pending = selectors.dues_page(member.pk)
    assert [(d.year, d.quarter) for d in dues] == [(2020, 1), (2020, 2)]
    assert pending == PaymentOrder.objects.filter(insured=member, status=OrderStatus.PENDING).count() == 1
    assert second.pk == dues[0].pk


def test_dues_page_without_dues_still_counts_pending_payments(member):
    due = make_due(member, 2021, 3)
    services.create_payment_order(person=member, due_ids=[due.pk], card_type="LOC", idempotency_key="k")
    AsviDue.objects.filter(pk=due.pk).update(status=DueStatus.PAID)
    assert selectors.dues_page(member.pk) == ([], 1)


def test_dues_page_is_read_once_then_served_from_the_cache(member, django_assert_num_queries):
    make_due(member, 2020, 1)
    first = selectors.dues_page(member.pk)
    with django_assert_num_queries(0):
        assert selectors.dues_page(member.pk) == first


def test_a_paid_quarter_leaves_the_cached_dues_page_at_once(member, order, due_2020_t1):
    make_due(member, 2020, 2)
    dues, pending = selectors.dues_page(member.pk)
    assert ([(d.year, d.quarter) for d in dues], pending) == ([(2020, 1), (2020, 2)], 1)
    services.handle_callback(fields=callback_fields(order))
    dues, pending = selectors.dues_page(member.pk)
    assert ([(d.year, d.quarter) for d in dues], pending) == ([(2020, 2)], 0)


def test_a_new_quarter_and_a_new_order_show_on_the_cached_dues_page(rate, member):
    assert selectors.dues_page(member.pk) == ([], 0)
    services.generate_quarterly_dues(year=2026, quarter=2)
    dues, pending = selectors.dues_page(member.pk)
    assert [(d.year, d.quarter, d.amount) for d in dues] == [(2026, 2, Decimal("1451.10"))]
    services.create_payment_order(person=member, due_ids=[dues[0].pk], card_type="LOC", idempotency_key="k")
    assert selectors.dues_page(member.pk)[1] == 1


def test_an_agents_deletion_drops_the_cached_dues_page(member):
    due = make_due(member, 2020, 3)
    assert len(selectors.dues_page(member.pk)[0]) == 1
    due.delete()
    assert selectors.dues_page(member.pk) == ([], 0)


def test_a_cached_dues_page_is_only_its_owners(member):
    make_due(member, 2020, 1)
    other = InsuredPersonFactory(regime=Regime.ASVI)
    selectors.dues_page(member.pk)
    assert selectors.dues_page(other.pk) == ([], 0)


def test_migration_renumbers_sequential_receipts_and_keeps_the_old_number_for_agents(order):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("asvi_payment.migrations.0002_order_channel_random_receipt_numbers")
    services.handle_callback(fields=callback_fields(order))
    PaymentOrder.objects.filter(pk=order.pk).update(receipt_number="RA20260000042", receipt_pdf="asvi_receipts/x.pdf")
    migration.renumber_sequential_receipts(apps, None)
    order.refresh_from_db()
    assert order.receipt_number.startswith("RA-") and len(order.receipt_number) == 17
    assert "RA20260000042" in order.reconciliation_note
    assert not order.receipt_pdf  # it printed the old number: the reconciliation beat builds it again
    assert order.pk in list(
        PaymentOrder.objects.filter(status=OrderStatus.PAID, receipt_pdf="").values_list("pk", flat=True)
    )


def test_reconciliation_rebuilds_a_missing_pdf_without_mailing_twice(order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.handle_callback(fields=callback_fields(order))
    PaymentOrder.objects.filter(pk=order.pk).update(receipt_pdf="", paid_at=timezone.now() - timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        services.requeue_missing_receipts()
    order.refresh_from_db()
    assert order.receipt_pdf
    assert OutboundEmail.objects.filter(purpose="asvi_payment_receipt").count() == 1
