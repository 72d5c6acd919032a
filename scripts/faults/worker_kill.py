#!/usr/bin/env python
# ruff: noqa: T201 - an operator script prints its results
"""Fault 2 — the Celery worker killed with SIGKILL while it builds a TAAWIDATY receipt PDF.

Starts gunicorn, one Celery worker (one pool process) and beat against the database `macnss_faults`
(Redis DB 11). A claimant submits a claim over HTTP; the script watches PostgreSQL and, the moment the
receipt task holds the claim's row lock (it renders the PDF inside that transaction), sends SIGKILL:

  A. to the pool process only (the OOM killer's usual victim): Celery sees the worker lost and, with
     `acks_late` + `reject_on_worker_lost`, puts the task back at once;
  B. to the whole worker (main process and pool, like a lost machine): the task message stays
     unacknowledged in Redis; the worker is restarted and either the beat's re-queue of claims missing a
     receipt or Redis' visibility timeout brings the task back.

Each case is retried with a new claim (up to --tries) until the kill lands during the build. Then it
checks: the PDF exists exactly once (one file at the claim's fixed path, `receipt_built_at` set once and
not changed later) and the claim's SMS was sent exactly once. PASS/FAIL lines; exit status 1 on FAIL.
"""

import os
import signal
import sys
import threading
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

import fault_run  # noqa: E402
import harness  # noqa: E402
import journeys  # noqa: E402
from fault_run import Report, log  # noqa: E402
from harness import Portal  # noqa: E402


def options(parser):
    parser.add_argument("--tries", type=int, default=6, help="claims tried per case to hit the window (default 6)")
    parser.add_argument("--wait", type=float, default=240, help="max seconds to wait for the PDF (default 240)")
    parser.add_argument(
        "--visibility-timeout",
        type=int,
        default=60,
        help="Redis visibility timeout for this run, so case B's unacked message also returns (default 60 s)",
    )


def watch_and_kill(person_pk: int, kill, stop: threading.Event, outcome: dict) -> None:
    """Poll the claim's row lock (NOWAIT); when the receipt task holds it, kill."""
    from django.db import OperationalError, connection, transaction

    from taawidaty.models import RefundClaim

    try:
        # «Valider» itself holds the row lock while it files the claim: wait until that transaction has
        # committed (a plain read sees the claim filed), so that a lock seen next is the worker's.
        while not stop.is_set():
            if RefundClaim.objects.filter(insured_id=person_pk).exclude(status="draft").exists():
                break
            time.sleep(0.002)
        while not stop.is_set():
            try:
                with transaction.atomic():
                    row = (
                        RefundClaim.objects.select_for_update(nowait=True)
                        .filter(insured_id=person_pk)
                        .exclude(status="draft")
                        .values_list("pk", "receipt_built_at")
                        .first()
                    )
            except OperationalError:  # the lock is held: the worker is building the PDF right now
                kill()
                outcome["killed_at"] = time.monotonic()
                return
            if row is not None and row[1] is not None:
                outcome["missed"] = True  # built before we could see it
                return
            time.sleep(0.002)
    finally:
        connection.close()


def claim_state(person_pk: int):
    from taawidaty.models import RefundClaim

    return RefundClaim.objects.filter(insured_id=person_pk).exclude(status="draft").first()


def run_case(report: Report, run: Portal, case: str, worker_box: dict, people, args) -> None:
    from macnss.core.models import OutboundSms

    pdf = journeys.tiny_pdf()
    for attempt in range(1, args.tries + 1):
        person = people.pop(0)
        worker = worker_box["proc"]

        def kill(worker=worker):
            if case == "A":
                for child in harness.children(worker.pid):
                    os.kill(child, signal.SIGKILL)
            else:
                worker.kill(signal.SIGKILL)  # the whole process group: main process and pool

        stop, outcome = threading.Event(), {}
        watcher = threading.Thread(target=watch_and_kill, args=(person.pk, kill, stop, outcome))
        watcher.start()
        client = journeys.Client(run.base_url, f"{case}-{attempt}")
        try:
            journeys.taawidaty_claim(client, person.immatriculation_number, pdf)
        finally:
            watcher.join(30)
            stop.set()
            watcher.join()
        claim = claim_state(person.pk)
        if "killed_at" not in outcome or claim.receipt_built_at is not None:
            log(f"case {case}, try {attempt}: the kill missed the build window; trying again")
            if case == "B" and not worker.alive():
                worker.stop()
                worker_box["proc"] = run.start_worker(f"worker-{case}{attempt}", concurrency=1)
                harness.wait_for_log(worker_box["proc"], "ready.", 60)
            continue
        log(f"case {case}, try {attempt}: SIGKILL sent while the receipt of {claim.reference} was being built")
        report.check(True, f"case {case}: SIGKILL landed during the PDF build", f"try {attempt}, {claim.reference}")
        if case == "B":
            time.sleep(1)
            report.check(not worker.alive(), "case B: the whole worker is dead")
            worker.stop()
            log("restarting the worker")
            worker_box["proc"] = run.start_worker(f"worker-{case}-restarted", concurrency=1)
            harness.wait_for_log(worker_box["proc"], "ready.", 60)
        started = time.monotonic()
        built = harness.wait_until(lambda p=person.pk: claim_state(p).receipt_built_at is not None, args.wait, 0.5)
        claim = claim_state(person.pk)
        report.check(
            built,
            f"case {case}: the receipt was built after the kill",
            f"in {time.monotonic() - started:.0f} s" if built else f"not within {args.wait:.0f} s",
        )
        if not built:
            return
        first_built_at = claim.receipt_built_at
        # Give every other path (requeued message, beat re-queue, visibility timeout) the time to run too.
        settle = args.visibility_timeout + 20 if case == "B" else 20
        log(f"letting redeliveries and the re-queue beat run for {settle} s")
        time.sleep(settle)
        claim = claim_state(person.pk)
        files = sorted((run.media / "taawidaty" / "accuses").glob(f"{claim.public_id}*"))
        report.check(
            len(files) == 1
            and files[0].name == f"{claim.public_id}.pdf"
            and files[0].read_bytes().startswith(b"%PDF-"),
            f"case {case}: exactly one receipt PDF file for the claim",
            ", ".join(f.name for f in files) or "none",
        )
        report.check(
            claim.receipt_built_at == first_built_at and claim.receipt.name.endswith(f"{claim.public_id}.pdf"),
            f"case {case}: receipt_built_at set once and never rewritten",
            f"{first_built_at:%H:%M:%S.%f} → {claim.receipt_built_at:%H:%M:%S.%f}",
        )
        sms = list(OutboundSms.objects.filter(to=person.phone).values_list("purpose", "status", "attempts"))
        report.check(
            len(sms) == 1 and sms[0][0].startswith("taawidaty_") and sms[0][1:] == ("sent", 1),
            f"case {case}: the claim's SMS was sent exactly once",
            str(sms),
        )
        logs = "\n".join(p.log_path.read_text(errors="replace") for p in run.procs if p.name.startswith("worker"))
        if case == "A":
            report.check(
                "WorkerLostError" in logs or "exited prematurely" in logs,
                "case A: Celery saw the lost worker and re-queued the task (reject_on_worker_lost)",
            )
        return
    report.fail(f"case {case}: SIGKILL never landed during the PDF build", f"{args.tries} tries")


def scenario(run: Portal, report: Report, args) -> None:
    from accounts.demo import seed_reference_data
    from taawidaty.defaults import load_defaults
    from taawidaty.models import PhysicalControlRule

    seed_reference_data()
    load_defaults()
    PhysicalControlRule.objects.update(is_active=False)
    people = [journeys.make_claimant(i) for i in range(2 * args.tries)]
    run.start_gunicorn(threads=2)
    worker_box = {"proc": run.start_worker("worker", concurrency=1)}
    run.start_beat()
    if not harness.wait_for_log(worker_box["proc"], "ready.", 60):
        raise RuntimeError(f"the worker did not start:\n{worker_box['proc'].tail()}")
    # Warm the pool process (fonts, templates) so the build is steady.
    journeys.taawidaty_claim(
        journeys.Client(run.base_url, "warm-up"), people.pop(0).immatriculation_number, journeys.tiny_pdf()
    )
    for case in ("A", "B"):
        run_case(report, run, case, worker_box, people, args)


if __name__ == "__main__":
    sys.exit(
        fault_run.main(
            scenario,
            title="worker_kill",
            doc=__doc__,
            port=8702,
            options=options,
            env=lambda args: {"FAULTS_RECEIPTS_BEAT_SECONDS": 10, "FAULTS_VISIBILITY_TIMEOUT": args.visibility_timeout},
        )
    )
