#!/usr/bin/env python
"""Receipt PDF time (issue 8 §2): the one-page bilingual receipts through macnss.core.pdf.render_pdf.

    python bench/pdf.py [--runs 30]
    python bench/pdf.py --instructions      # the same work counted in instructions (valgrind, ~3 minutes)

Renders the ASVI payment receipt and the TAAWIDATY accusé de dépôt from in-memory objects (no database),
prints the first (cold) call and the median/p90 of the warm runs, and checks the goal: ≤ 60 ms median.
Each run builds the template's context, QR code included, and the PDF; what the worker does around it
(a SELECT, writing the file) is not included.

Times on a shared host drift by 15-30 % within an hour. `--instructions` counts, with callgrind, the
instructions of one receipt and of the calibration page, which are the same on every run of the same
code, and converts them to milliseconds on the reference box: 14 ms × receipt / calibration page.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "macnss.settings.base")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from accounts.models import InsuredPerson  # noqa: E402
from macnss.core.pdf import qr_code_data_uri, render_document, render_pdf  # noqa: E402

GOAL_MS = 60.0


def person() -> InsuredPerson:
    return InsuredPerson(
        immatriculation_number="300000101",
        last_name="TAZI",
        first_name="Nadia",
        last_name_ar="التازي",
        first_name_ar="نادية",
        birth_date=date(1974, 3, 2),
    )


def asvi_receipt() -> tuple[str, dict, str]:
    from asvi_payment.models import PaymentLine, PaymentOrder

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
    context = {
        "order": order,
        "person": person(),
        "lines": lines,
        "quarter_count": 3,
        "verify_url": url,
        "qr_code": qr_code_data_uri(url),
    }
    return "asvi_payment/receipt_pdf.html", context, "fr", "pdf/asvi_receipt.css"


def taawidaty_receipt() -> tuple[str, dict, str]:
    from taawidaty.models import RefundClaim

    claim = RefundClaim(reference="TW2026000042")
    url = "https://www.macnss.ma/taawidaty/verifier/?reference=TW2026000042"
    context = {
        "claim": claim,
        "person": person(),
        "submitted_on": date(2026, 11, 22),
        "verification_url": url,
        "qr_code": qr_code_data_uri(url),
        "customer_service": "080 20 20 109",
    }
    return "taawidaty/receipt_pdf.html", context, "fr", "pdf/taawidaty_receipt.css"


CALIBRATION_HTML = (
    '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><style>body{font-family:"DejaVu Sans"}</style>'
    "</head><body><h1>Reçu</h1><p>Un paragraphe latin, sans arabe ni tableau.</p></body></html>"
)


def calibration_ms(runs: int) -> float:
    """A minimal Latin-only page straight through WeasyPrint: how fast this machine is right now
    (14 ms median on the reference 2-core box of LIBRARIES_SECURITY_PERF.md §C3)."""
    from weasyprint import HTML

    HTML(string=CALIBRATION_HTML).write_pdf()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        HTML(string=CALIBRATION_HTML).write_pdf()
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 1)


def build_receipt(build) -> bytes:
    """What the worker does for a receipt apart from the SELECT and writing the file: the context, with
    its QR code, and the PDF."""
    template, context, language, stylesheet = build()
    return render_pdf(template, context, stylesheet=stylesheet, language=language)


def measure(name: str, build, runs: int) -> dict:
    template, context, language, stylesheet = build()
    t0 = time.perf_counter()
    pdf = build_receipt(build)
    cold = (time.perf_counter() - t0) * 1000
    warm = []
    for _ in range(runs):
        t0 = time.perf_counter()
        build_receipt(build)
        warm.append((time.perf_counter() - t0) * 1000)
    warm.sort()
    median = statistics.median(warm)
    return {
        "receipt": name,
        "template": template,
        "pages": len(render_document(template, context, stylesheet=stylesheet, language=language).pages),
        "bytes": len(pdf),
        "cold_ms": round(cold, 1),
        "warm_median_ms": round(median, 1),
        "warm_p90_ms": round(warm[int(0.9 * (len(warm) - 1))], 1),
        "runs": runs,
        "passed": median <= GOAL_MS,
    }


REFERENCE_CALIBRATION_MS = 14.0
COUNTED = {"calibration": None, "asvi": asvi_receipt, "taawidaty": taawidaty_receipt}


def render_repeatedly(target: str, repeat: int) -> None:
    """What a counted child process does: two warm-up documents, then `repeat` more."""
    from weasyprint import HTML

    build = COUNTED[target]
    for _ in range(2 + repeat):
        if build is None:
            HTML(string=CALIBRATION_HTML).write_pdf()
        else:
            build_receipt(build)


def counted_instructions(target: str, repeat: int) -> int:
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__]
    command += ["--count-child", target, "--repeat", str(repeat)]
    # A fixed hash seed: set and dict orders, and so the instruction count, are the same on every run.
    run = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    found = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode or not found:
        raise SystemExit(f"valgrind failed for {target}:\n{run.stderr[-2000:]}")
    return int(found.group(1))


def instructions_report() -> int:
    """Instructions per document: (count with 4 documents - count with 1) / 3, so that start-up and the
    warm-up documents cancel out."""
    jobs = [(target, repeat) for target in COUNTED for repeat in (1, 4)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        counts = dict(zip(jobs, pool.map(lambda job: counted_instructions(*job), jobs), strict=True))
    per_document = {target: (counts[target, 4] - counts[target, 1]) / 3 for target in COUNTED}
    calibration = per_document.pop("calibration")
    print(
        f"Calibration page: {calibration / 1e6:.1f} M instructions (= {REFERENCE_CALIBRATION_MS:.0f} ms on the reference box)"
    )
    print(f"{'receipt':<12} {'M instructions':>15} {'reference ms':>13}  goal ≤ {GOAL_MS:.0f} ms")
    rows = []
    for target, count in per_document.items():
        reference_ms = REFERENCE_CALIBRATION_MS * count / calibration
        rows.append({"receipt": target, "instructions": round(count), "reference_ms": round(reference_ms, 1)})
        print(
            f"{target:<12} {count / 1e6:>15.1f} {reference_ms:>13.1f}  {'PASS' if reference_ms <= GOAL_MS else 'FAIL'}"
        )
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "pdf-instructions-latest.json").write_text(
        json.dumps({"calibration_instructions": round(calibration), "receipts": rows}, indent=2)
    )
    return 0 if all(row["reference_ms"] <= GOAL_MS for row in rows) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--save", default="", help="also write the last PDFs to this directory (to look at them)")
    parser.add_argument("--instructions", action="store_true", help="count instructions with valgrind instead")
    parser.add_argument("--count-child", choices=COUNTED, help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.count_child:
        render_repeatedly(args.count_child, args.repeat)
        return 0
    if args.instructions:
        return instructions_report()
    t0 = time.perf_counter()
    import weasyprint  # noqa: F401 - timed apart: the worker imports it once

    import_ms = (time.perf_counter() - t0) * 1000
    calibration = calibration_ms(args.runs)
    rows = [measure("ASVI payment receipt", asvi_receipt, args.runs)]
    rows.append(measure("TAAWIDATY accusé de dépôt", taawidaty_receipt, args.runs))
    if args.save:
        out = Path(args.save)
        out.mkdir(parents=True, exist_ok=True)
        for name, build in (("asvi", asvi_receipt), ("taawidaty", taawidaty_receipt)):
            template, context, language, stylesheet = build()
            (out / f"{name}.pdf").write_bytes(render_pdf(template, context, stylesheet=stylesheet, language=language))
    print(f"WeasyPrint import: {import_ms:.0f} ms (once per worker process)  —  {platform.platform()}")
    print(f"Calibration, minimal Latin-only page: {calibration:.1f} ms median (reference box: 14 ms)")
    print(f"{'receipt':<28} {'pages':>5} {'KB':>5} {'cold ms':>8} {'median':>7} {'p90':>6}  goal ≤ {GOAL_MS:.0f} ms")
    for r in rows:
        print(
            f"{r['receipt']:<28} {r['pages']:>5} {r['bytes'] / 1024:>5.0f} {r['cold_ms']:>8.1f} "
            f"{r['warm_median_ms']:>7.1f} {r['warm_p90_ms']:>6.1f}  {'PASS' if r['passed'] else 'FAIL'}"
        )
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "pdf-latest.json").write_text(
        json.dumps({"import_ms": round(import_ms), "calibration_ms": calibration, "receipts": rows}, indent=2)
    )
    return 0 if all(r["passed"] and r["pages"] == 1 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
