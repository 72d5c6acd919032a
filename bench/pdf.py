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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "macnss.settings.base")

import django  # noqa: E402

django.setup()

from bench.sample_receipts import asvi_receipt, taawidaty_receipt  # noqa: E402
from macnss.core.pdf import render_document, render_pdf  # noqa: E402

GOAL_MS = 60.0


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
    receipt = build()
    return render_pdf(receipt.template, receipt.context, stylesheet=receipt.stylesheet, language=receipt.language)


def measure(name: str, build, runs: int) -> tuple[dict, bytes]:
    """The receipt's timings, and the PDF of its first (cold) run."""
    receipt = build()
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
        "template": receipt.template,
        "pages": len(
            render_document(
                receipt.template, receipt.context, stylesheet=receipt.stylesheet, language=receipt.language
            ).pages
        ),
        "bytes": len(pdf),
        "cold_ms": round(cold, 1),
        "warm_median_ms": round(median, 1),
        "warm_p90_ms": round(warm[int(0.9 * (len(warm) - 1))], 1),
        "runs": runs,
        "passed": median <= GOAL_MS,
    }, pdf


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
    measured = {
        "asvi": measure("ASVI payment receipt", asvi_receipt, args.runs),
        "taawidaty": measure("TAAWIDATY accusé de dépôt", taawidaty_receipt, args.runs),
    }
    rows = [row for row, _pdf in measured.values()]
    if args.save:
        out = Path(args.save)
        out.mkdir(parents=True, exist_ok=True)
        for name, (_row, pdf) in measured.items():
            (out / f"{name}.pdf").write_bytes(pdf)
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
