#!/usr/bin/env python
"""Receipt PDF time (issues 8 §2 and 19): the one-page bilingual receipts through macnss.core.pdf.render_pdf.

    python bench/pdf.py [--runs 40]
    python bench/pdf.py --instructions      # the same work counted in instructions (valgrind, ~3 minutes)

Renders the ASVI payment receipt and the TAAWIDATY accusé de dépôt from in-memory objects (no database),
as the worker builds them: each run builds the template's context, QR code included, and the PDF; what
the worker does around it (a SELECT, writing the file) is not included. The goal: ≤ 80 ms median on the
reference 2-core box of LIBRARIES_SECURITY_PERF.md §C3, where a minimal Latin-only page takes 14 ms.

A shared host's speed drifts by 15-50 % within an hour, so each run also times that minimal page (the
calibration page), interleaved with the receipts: the script prints each receipt's own median and its
time on the reference box, 14 ms × the median of (receipt ÷ calibration page) over the runs, and checks
the goal on the latter. `--instructions` counts, with callgrind, the instructions of one receipt and of
the calibration page, which are the same on every run of the same code, and converts them the same way.
"""

import argparse
import importlib
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

from django.conf import settings  # noqa: E402

from bench.sample_receipts import asvi_receipt, taawidaty_receipt  # noqa: E402
from macnss.core.pdf import RECEIPT_FONTS, render_document, render_pdf  # noqa: E402

GOAL_MS = 80.0  # issue 19; issue 8 had set 60 ms
REFERENCE_CALIBRATION_MS = 14.0  # the calibration page on the reference box


CALIBRATION_HTML = (
    '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><style>body{font-family:"DejaVu Sans"}</style>'
    "</head><body><h1>Reçu</h1><p>Un paragraphe latin, sans arabe ni tableau.</p></body></html>"
)


def render_calibration_page() -> bytes:
    """A minimal Latin-only page straight through WeasyPrint: how fast this machine is right now
    (14 ms median on the reference 2-core box of LIBRARIES_SECURITY_PERF.md §C3)."""
    from weasyprint import HTML

    return HTML(string=CALIBRATION_HTML).write_pdf()


def fonts_in_use() -> str:
    built = [name for name, *_ in RECEIPT_FONTS if (Path(settings.PDF_FONTS_DIR) / name).is_file()]
    if len(built) == len(RECEIPT_FONTS):
        return f"cut down, from {settings.PDF_FONTS_DIR}"
    return f"SYSTEM FONTS ({settings.PDF_FONTS_DIR} lacks some: run manage.py build_receipt_fonts)"


def build_receipt(build) -> bytes:
    """What the worker does for a receipt apart from the SELECT and writing the file: the context, with
    its QR code, and the PDF."""
    receipt = build()
    return render_pdf(receipt.template, receipt.context, stylesheet=receipt.stylesheet, language=receipt.language)


RECEIPTS = {
    "asvi": ("ASVI payment receipt", asvi_receipt),
    "taawidaty": ("TAAWIDATY accusé de dépôt", taawidaty_receipt),
}


def timed(function, *args) -> tuple[float, object]:
    t0 = time.perf_counter()
    result = function(*args)
    return (time.perf_counter() - t0) * 1000, result


def measure(runs: int) -> tuple[float, list[dict], dict[str, bytes]]:
    """The calibration page's median and each receipt's timings, the runs interleaved (calibration page,
    then each receipt) so that each receipt is compared with the machine's speed at the same moment; and
    each receipt's PDF from its first (cold) run."""
    cold, pdfs = {}, {}
    for name, (_title, build) in RECEIPTS.items():
        cold[name], pdfs[name] = timed(build_receipt, build)
    render_calibration_page()
    calibration, warm = [], {name: [] for name in RECEIPTS}
    for _ in range(runs):
        calibration.append(timed(render_calibration_page)[0])
        for name, (_title, build) in RECEIPTS.items():
            warm[name].append(timed(build_receipt, build)[0])
    rows = []
    for name, (title, build) in RECEIPTS.items():
        receipt = build()
        ratios = [receipt_ms / page_ms for receipt_ms, page_ms in zip(warm[name], calibration, strict=True)]
        reference_ms = REFERENCE_CALIBRATION_MS * statistics.median(ratios)
        times = sorted(warm[name])
        rows.append(
            {
                "receipt": title,
                "template": receipt.template,
                "pages": len(
                    render_document(
                        receipt.template, receipt.context, stylesheet=receipt.stylesheet, language=receipt.language
                    ).pages
                ),
                "bytes": len(pdfs[name]),
                "cold_ms": round(cold[name], 1),
                "warm_median_ms": round(statistics.median(times), 1),
                "warm_p90_ms": round(times[int(0.9 * (len(times) - 1))], 1),
                "reference_box_ms": round(reference_ms, 1),
                "runs": runs,
                "passed": reference_ms <= GOAL_MS,
            }
        )
    return round(statistics.median(calibration), 1), rows, pdfs


COUNTED = {"calibration": None} | {name: build for name, (_title, build) in RECEIPTS.items()}


def render_repeatedly(target: str, repeat: int) -> None:
    """What a counted child process does: two warm-up documents, then `repeat` more."""
    build = COUNTED[target]
    for _ in range(2 + repeat):
        if build is None:
            render_calibration_page()
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
    print(f"Fonts: {fonts_in_use()}")
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
    import_ms, _module = timed(importlib.import_module, "weasyprint")  # timed apart: once per worker process
    calibration, rows, pdfs = measure(args.runs)
    if args.save:
        out = Path(args.save)
        out.mkdir(parents=True, exist_ok=True)
        for name, pdf in pdfs.items():
            (out / f"{name}.pdf").write_bytes(pdf)
    print(f"WeasyPrint import: {import_ms:.0f} ms (once per worker process)  —  {platform.platform()}")
    print(f"Fonts: {fonts_in_use()}")
    print(f"Calibration page: {calibration:.1f} ms median here, {REFERENCE_CALIBRATION_MS:.0f} ms on the reference box")
    print(
        f"{'receipt':<26} {'pages':>5} {'KB':>4} {'cold ms':>8} {'median':>7} {'p90':>6}"
        f" {'reference box':>14}  goal ≤ {GOAL_MS:.0f} ms"
    )
    for r in rows:
        print(
            f"{r['receipt']:<26} {r['pages']:>5} {r['bytes'] / 1024:>4.0f} {r['cold_ms']:>8.1f} "
            f"{r['warm_median_ms']:>7.1f} {r['warm_p90_ms']:>6.1f} {r['reference_box_ms']:>14.1f}  "
            f"{'PASS' if r['passed'] else 'FAIL'}"
        )
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "pdf-latest.json").write_text(
        json.dumps({"import_ms": round(import_ms), "calibration_ms": calibration, "receipts": rows}, indent=2)
    )
    return 0 if all(r["passed"] and r["pages"] == 1 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
