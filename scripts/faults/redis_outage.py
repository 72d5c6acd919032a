#!/usr/bin/env python
# ruff: noqa: T201, S603, S607, S608, S105, S108 - operator scripts: they print, run fixed local commands
"""Fault 1 — Redis stopped for 60 seconds while people submit onboarding codes, claims and payments.

Starts the portal as in production (gunicorn, a Celery worker, Celery beat; PostgreSQL database
`macnss_faults`, Redis DB 11), migrates and seeds it, walks each journey once with Redis up (sanity),
then stops Redis and, during the outage, drives real HTTP journeys:
  - TNS onboarding, outcome b: identity form → SMS code → password chosen (account opened, SMS without secret);
  - TAAWIDATY: login → «Créer une demande» → documents → «Valider» (SMS + receipt PDF);
  - ASVI: lookup → dues → transaction → order, then CMI's signed approved callback (receipt PDF + e-mail).
Redis comes back after the outage; the script waits (bounded) until every SMS, e-mail and PDF created
during the outage exists, and checks that none was made or sent twice.

PASS/FAIL lines on stdout; exit status 1 on any FAIL. Redis is always started again (also on Ctrl-C).
"""

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

import fault_run  # noqa: E402
import harness  # noqa: E402
import journeys  # noqa: E402
from fault_run import Report, log  # noqa: E402
from harness import Portal  # noqa: E402


def options(parser):
    parser.add_argument("--outage", type=float, default=60, help="seconds Redis stays down (default 60)")
    parser.add_argument("--users", type=int, default=3, help="people per journey during the outage (default 3)")
    parser.add_argument("--wait", type=float, default=300, help="max seconds to wait for delivery (default 300)")
    parser.add_argument(
        "--assume-fix",
        action="store_true",
        help="no longer needed: RATELIMIT_FAIL_OPEN is now set in the shared settings (kept for old invocations)",
    )


def run_journeys(run: Portal, people: dict, indexes, pdf: bytes, errors: list, clients: list) -> dict:
    """Every journey for the given people, concurrently. Returns what was created."""
    from django.conf import settings
    from django.db import connection

    created = {"claims": [], "orders": [], "tns": []}
    lock = threading.Lock()

    def guarded(kind, index, fn):
        client = journeys.Client(run.base_url, f"{kind}-{index}")
        with lock:
            clients.append(client)
        try:
            value = fn(client)
            with lock:
                created[kind].append(value)
        except Exception as exc:  # noqa: BLE001 - reported as a failure
            with lock:
                errors.append(f"{kind} #{index}: {exc}")
        finally:
            connection.close()

    jobs = []
    for i in indexes:
        tns = people["tns"][i]
        jobs.append(
            (
                "tns",
                i,
                lambda c, p=tns: (
                    journeys.tns_onboarding(c, p, phone_local="0" + p.phone[4:]) or p.immatriculation_number
                ),
            )
        )
        claimant = people["claimants"][i]
        jobs.append(("claims", i, lambda c, p=claimant: journeys.taawidaty_claim(c, p.immatriculation_number, pdf)))
        member = people["asvi"][i]
        jobs.append(
            (
                "orders",
                i,
                lambda c, p=member: journeys.asvi_payment(
                    c, p.immatriculation_number, store_key=settings.CMI_STORE_KEY
                ),
            )
        )
    with ThreadPoolExecutor(max_workers=6) as pool:
        for kind, index, fn in jobs:
            pool.submit(guarded, kind, index, fn)
    return created


def pending(since_sms: int, since_email: int, claims: list, orders: list) -> dict:
    """What is still undelivered among the messages/PDFs created after the marks."""
    from asvi_payment.models import PaymentOrder
    from macnss.core.models import OutboundEmail, OutboundSms, OutboxStatus
    from taawidaty.models import RefundClaim

    return {
        "sms": OutboundSms.objects.filter(pk__gt=since_sms).exclude(status=OutboxStatus.SENT).count(),
        "emails": OutboundEmail.objects.filter(pk__gt=since_email).exclude(status=OutboxStatus.SENT).count(),
        "receipts": RefundClaim.objects.filter(public_id__in=claims, receipt_built_at__isnull=True).count(),
        "asvi_receipts": PaymentOrder.objects.filter(oid__in=orders, receipt_emailed_at__isnull=True).count(),
    }


def check_once(report: Report, run: Portal, since_sms: int, since_email: int, claims: list, orders: list) -> None:
    from django.db.models import Count

    from asvi_payment.models import CallbackRecord, PaymentOrder
    from macnss.core.models import OutboundEmail, OutboundSms
    from taawidaty.models import RefundClaim

    sms = OutboundSms.objects.filter(pk__gt=since_sms)
    retried = list(sms.exclude(attempts=1).values_list("pk", "purpose", "attempts"))
    report.check(not retried, "every SMS was handed to the provider exactly once", f"{sms.count()} SMS; {retried}")
    dup = list(sms.values("to", "purpose").annotate(n=Count("pk")).filter(n__gt=1))
    report.check(not dup, "no SMS was queued twice for the same person and purpose", str(dup) if dup else "")

    emails = OutboundEmail.objects.filter(pk__gt=since_email)
    retried = list(emails.exclude(attempts=1).values_list("pk", "attempts"))
    report.check(not retried, "every e-mail was handed to the mail server exactly once", f"{emails.count()} e-mails")
    per_order = []
    mail_text = "\n".join(p.read_text(errors="replace") for p in (run.workdir / "mail").glob("*.log"))
    for order in PaymentOrder.objects.filter(oid__in=orders).select_related("insured"):
        rows = OutboundEmail.objects.filter(to=order.insured.email, purpose="asvi_payment_receipt").count()
        delivered = mail_text.count(f"To: {order.insured.email}")
        callbacks = CallbackRecord.objects.filter(oid=order.oid).count()
        if (rows, delivered, callbacks) != (1, 1, 1) or order.status != "paid":
            per_order.append((order.oid, order.status, rows, delivered, callbacks))
    report.check(
        not per_order,
        "one receipt e-mail per paid ASVI order (outbox row and delivered message)",
        f"{len(orders)} orders" + (f"; wrong: {per_order}" if per_order else ""),
    )
    files = sorted((run.media / "taawidaty" / "accuses").glob("*"))
    expected = {f"{c.public_id}.pdf" for c in RefundClaim.objects.filter(public_id__in=claims)}
    names = {f.name for f in files}
    report.check(
        expected <= names and len(files) == len(set(names)) == RefundClaim.objects.exclude(status="draft").count(),
        "one receipt PDF file per TAAWIDATY claim, at its fixed path",
        f"{len(files)} files for {RefundClaim.objects.exclude(status='draft').count()} claims",
    )
    bad_pdf = [f.name for f in files if not f.read_bytes().startswith(b"%PDF-")]
    report.check(not bad_pdf, "every receipt file is a PDF", str(bad_pdf) if bad_pdf else "")


def scenario(run: Portal, report: Report, args) -> None:
    try:
        people = {
            "tns": [journeys.make_tns_person(i) for i in range(args.users + 1)],
            "claimants": [journeys.make_claimant(i) for i in range(args.users + 1)],
            "asvi": [journeys.make_asvi_member(i) for i in range(args.users + 1)],
        }
        from taawidaty.models import PhysicalControlRule

        PhysicalControlRule.objects.update(is_active=False)  # not the subject here
        pdf = journeys.tiny_pdf()
        run.start_gunicorn(threads=2)
        worker = run.start_worker()
        beat = run.start_beat()
        if not harness.wait_for_log(worker, "ready.", 60):
            raise RuntimeError(f"the worker did not start:\n{worker.tail()}")

        from macnss.core.models import OutboundEmail, OutboundSms

        # 1. Sanity: with Redis up, one of each journey is delivered quickly.
        log("sanity run with Redis up")
        errors, clients = [], []
        mark_sms = OutboundSms.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        mark_email = OutboundEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        warm = run_journeys(run, people, [0], pdf, errors, clients)
        report.check(not errors, "the journeys work with Redis up", "; ".join(errors))
        ok = harness.wait_until(
            lambda: not any(pending(mark_sms, mark_email, warm["claims"], warm["orders"]).values()), 90
        )
        report.check(
            ok,
            "with Redis up everything is delivered within 90 s",
            str(pending(mark_sms, mark_email, warm["claims"], warm["orders"])),
        )

        # 2. The outage.
        mark_sms = OutboundSms.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        mark_email = OutboundEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        errors, clients = [], []
        log(f"stopping Redis for {args.outage:.0f} s")
        fault_run.stop_redis()
        down_at = time.monotonic()
        created = run_journeys(run, people, range(1, args.users + 1), pdf, errors, clients)
        busy = time.monotonic() - down_at
        hits = [h for c in clients for h in c.hits]
        remaining = args.outage - (time.monotonic() - down_at)
        if remaining > 0:
            time.sleep(remaining)
        fault_run.start_redis()
        up_at = time.monotonic()
        log(f"Redis is back after {up_at - down_at:.1f} s")

        server_errors = [h for h in hits if h.status is None or h.status >= 500]
        limited = [e for e in errors if "Trop de" in e]
        report.check(
            not limited,
            "public forms stay usable while Redis is down (the per-IP rate limit fails open)",
            f"{len(limited)} journeys refused with «Trop de tentatives/recherches»: django-ratelimit fails closed "
            "when its cache is unreachable (RATELIMIT_FAIL_OPEN is not set)"
            if limited
            else "",
        )
        report.check(
            not errors and not server_errors and busy < args.outage,
            f"every request during the outage succeeded ({len(hits)} requests, no 5xx, no timeout)",
            "; ".join(errors[:5])
            + (f" {server_errors[:5]}" if server_errors else "")
            + f" (journeys took {busy:.1f} s of the {args.outage:.0f} s outage)",
        )
        slowest = max(hits, key=lambda h: h.seconds) if hits else None
        report.check(
            slowest is not None and slowest.seconds < 10,
            "no request hung on the missing broker (slowest < 10 s)",
            f"slowest {slowest.method} {slowest.path} {slowest.seconds:.2f} s" if slowest else "no request",
        )
        report.check(
            len(created["tns"]) == len(created["claims"]) == len(created["orders"]) == args.users,
            "all journeys completed during the outage",
            f"{len(created['tns'])} accounts, {len(created['claims'])} claims, {len(created['orders'])} payments",
        )
        still = pending(mark_sms, mark_email, created["claims"], created["orders"])
        log(f"waiting during the outage left: {still}")

        # 3. Everything delivered once Redis is back.
        def all_done():
            return not any(pending(mark_sms, mark_email, created["claims"], created["orders"]).values())

        done = harness.wait_until(all_done, args.wait, 2)
        left = pending(mark_sms, mark_email, created["claims"], created["orders"])
        report.check(
            done,
            "every SMS, e-mail and PDF created during the outage was delivered after Redis returned",
            f"in {time.monotonic() - up_at:.0f} s" if done else f"still pending after {args.wait:.0f} s: {left}",
        )
        sms_count = OutboundSms.objects.filter(pk__gt=mark_sms).count()
        email_count = OutboundEmail.objects.filter(pk__gt=mark_email).count()
        log(f"created during the outage: {sms_count} SMS, {email_count} e-mails, {len(created['claims'])} receipts")
        report.check(
            sms_count == 3 * args.users,
            "the outage produced the expected SMS (code + account opened per account, one per claim)",
            f"{sms_count} SMS for {args.users} of each journey",
        )
        # Let the re-queue beat run a few more times: nothing may go out twice afterwards.
        time.sleep(25)
        check_once(report, run, mark_sms, mark_email, created["claims"], created["orders"])
        report.check(worker.alive() and beat.alive(), "the worker and beat survived the outage")
    finally:
        if not fault_run.redis_up():
            log("starting Redis again")
            fault_run.start_redis()


if __name__ == "__main__":
    sys.exit(
        fault_run.main(
            scenario,
            title="redis_outage",
            doc=__doc__,
            port=8701,
            seed=True,
            options=options,
            env=lambda args: {"FAULTS_RATELIMIT_FAIL_OPEN": "1"} if args.assume_fix else {},
        )
    )
