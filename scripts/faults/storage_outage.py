#!/usr/bin/env python
# ruff: noqa: T201, S603, S607 - an operator script prints its results and runs fixed local commands
"""Fault 5 — the object storage (S3, SeaweedFS on loopback) goes away and comes back (issue 20 §1).

gunicorn and one Celery worker store the private files in a bucket (database `macnss_faults`, Redis DB 11).

  A. Storage down while a claimant uploads his documents: the page says so next to the form, no document
     row is left and nothing is half-stored; once the storage is back, the same upload goes through.
  B. Storage down when he presses «Valider»: the claim is filed (the database holds it), the worker's
     receipt build fails and is retried; once the storage is back the receipt is built and downloads.

PASS/FAIL lines; exit status 1 on FAIL.
"""

import contextlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

import fault_run  # noqa: E402
import harness  # noqa: E402
import journeys  # noqa: E402
from fault_run import Report, log  # noqa: E402
from harness import Portal  # noqa: E402

SEAWEEDFS = harness.ROOT / "scripts" / "services" / "seaweedfs.sh"
BUCKET = "macnss-faults"


def storage(action: str) -> None:
    subprocess.run([str(SEAWEEDFS), action], check=True, env={**os.environ, "SEAWEEDFS_BUCKET": BUCKET})


def s3_settings() -> dict:
    out = subprocess.run(
        [str(SEAWEEDFS), "env"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "SEAWEEDFS_BUCKET": BUCKET},
    ).stdout
    return dict(line.split("=", 1) for line in out.split())


def options(parser):
    parser.add_argument("--wait", type=float, default=120, help="max seconds for the receipt after the storage is back")


def portal_env(args) -> dict:
    storage("start")
    return {**s3_settings(), "FAULTS_RECEIPTS_BEAT_SECONDS": 10}


def start_claim(client: journeys.Client, number: str) -> tuple[str, list[str], dict]:
    journeys.login(client, number)
    create = "/taawidaty/remboursement-cotisations-salariales/nouvelle-demande/"
    _, hidden = client.form(create)
    response = client.post(create, {**hidden, "mining": "non", "cessation_date": "31/12/2020"})
    journeys.expect(response, 302, "claim form", location="/pieces/")
    documents = response.headers["Location"]
    page, _hidden = client.form(documents)
    return documents, sorted(set(re.findall(r'name="(piece_\d+)"', page.text))), _hidden


def upload(client, documents, names, pdf):
    _, hidden = client.form(documents)
    files = {name: (f"{name}.pdf", pdf, "application/pdf") for name in names}
    return client.post(documents, hidden, files=files)


def scenario(run: Portal, report: Report, args) -> None:
    try:
        run.manage("ensure_storage")
        from accounts.demo import seed_reference_data
        from taawidaty.defaults import load_defaults
        from taawidaty.models import ClaimDocument, PhysicalControlRule, RefundClaim

        seed_reference_data()
        load_defaults()
        PhysicalControlRule.objects.update(is_active=False)
        person = journeys.make_claimant(1)
        run.start_gunicorn(threads=2)
        run.start_worker("worker", concurrency=1)
        run.start_beat()
        client = journeys.Client(run.base_url, "claimant")
        documents, names, _ = start_claim(client, person.immatriculation_number)
        pdf = journeys.tiny_pdf()

        # A. Upload while the storage is down.
        log("stopping the object storage before the upload")
        storage("stop")
        started = time.monotonic()
        refused = upload(client, documents, names, pdf)
        seconds = time.monotonic() - started
        report.check(
            refused.status_code == 200 and "momentanément indisponible" in refused.text,
            "A: the upload is refused with a message next to the form",
            f"HTTP {refused.status_code} after {seconds:.1f} s",
        )
        report.check(seconds < 15, "A: the refusal comes within seconds", f"{seconds:.1f} s")
        report.check(not ClaimDocument.objects.exists(), "A: no document row is left")
        storage("start")
        accepted = upload(client, documents, names, pdf)
        report.check(
            accepted.status_code == 302 and "/verification/" in accepted.headers.get("Location", ""),
            "A: with the storage back, the same upload goes through",
        )
        report.check(
            ClaimDocument.objects.count() == len(names),
            "A: every document is stored once",
            f"{ClaimDocument.objects.count()} of {len(names)}",
        )

        # B. «Valider» while the storage is down: the receipt waits, then is built.
        check = accepted.headers["Location"]
        _, hidden = client.form(check)
        log("stopping the object storage before «Valider»")
        storage("stop")
        valider = client.post(check, hidden)
        report.check(
            valider.status_code == 302,
            "B: «Valider» files the claim with the storage down",
            f"HTTP {valider.status_code}",
        )
        claim = RefundClaim.objects.get(insured=person)
        time.sleep(5)  # the worker tries, fails and schedules a retry
        claim.refresh_from_db()
        report.check(not claim.receipt_ready, "B: no receipt while the storage is down")
        storage("start")
        built = harness.wait_until(lambda: RefundClaim.objects.get(pk=claim.pk).receipt_ready, args.wait, 1.0)
        report.check(built, "B: the receipt is built once the storage is back (retried)")
        receipt = client.get(f"/taawidaty/demandes/{claim.public_id}/accuse/")
        report.check(receipt.status_code == 200 and receipt.content.startswith(b"%PDF-"), "B: the receipt downloads")
        failures = [h for h in client.hits if h.status is None or h.status >= 500]
        report.check(not failures, "no request failed with a server error", f"{failures[:3]}")
    finally:
        with contextlib.suppress(Exception):
            storage("start")


if __name__ == "__main__":
    sys.exit(fault_run.main(scenario, title="storage_outage", doc=__doc__, port=8706, options=options, env=portal_env))
