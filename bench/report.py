"""Pure functions of the load benchmark: wrk's Lua report, the goals, and the printed/Markdown tables.

No Django, no processes here, so `tests/bench/` can check them without running a benchmark.
"""

import json
import statistics
from dataclasses import asdict, dataclass, field, replace

MARKER = "BENCH_JSON "

# Lua appended to every wrk script: one JSON line with the figures the report needs (latencies in µs).
WRK_DONE_LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,'
    .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
    .. '"latency_us":{"p50":%d,"p90":%d,"p95":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean))
end
"""

# Goals of issue 8 §1 (2-core machine, client included, 32 connections).
RATIO_GOALS = {"private": 0.25, "form": 0.20}
P95_GOAL_MS = 150.0


@dataclass
class PageResult:
    name: str
    label: str
    kind: str  # ceiling | private | form
    requests: int
    duration_s: float
    rps: float
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    error_detail: dict = field(default_factory=dict)
    ratio: float | None = None
    bytes_per_response: int = 0


def lua_string(value: str) -> str:
    """A Lua string literal (long strings would break on ']]', so escape a normal one)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def wrk_script(*, method: str = "GET", headers: dict | None = None, body: str | None = None) -> str:
    lines = [f"wrk.method = {lua_string(method)}"]
    for name, value in (headers or {}).items():
        lines.append(f"wrk.headers[{lua_string(name)}] = {lua_string(value)}")
    if body is not None:
        lines.append(f"wrk.body = {lua_string(body)}")
    return "\n".join(lines) + "\n" + WRK_DONE_LUA


def parse_wrk_output(stdout: str) -> dict:
    """The JSON line our Lua `done` wrote; wrk's own text report is ignored."""
    for line in stdout.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER) :])
    raise ValueError("wrk printed no BENCH_JSON line (did the Lua script load?)\n" + stdout[-2000:])


def page_result(*, name: str, label: str, kind: str, raw: dict) -> PageResult:
    duration_s = raw["duration_us"] / 1e6
    lat = raw["latency_us"]
    requests = raw["requests"]
    return PageResult(
        name=name,
        label=label,
        kind=kind,
        requests=requests,
        duration_s=round(duration_s, 3),
        rps=round(requests / duration_s, 1) if duration_s else 0.0,
        p50_ms=round(lat["p50"] / 1000, 1),
        p90_ms=round(lat["p90"] / 1000, 1),
        p95_ms=round(lat["p95"] / 1000, 1),
        p99_ms=round(lat["p99"] / 1000, 1),
        max_ms=round(lat["max"] / 1000, 1),
        errors=sum(raw["errors"].values()),
        error_detail={k: v for k, v in raw["errors"].items() if v},
        bytes_per_response=round(raw["bytes"] / requests) if requests else 0,
    )


def ceiling_rps(results: list[PageResult]) -> float:
    """The mean of every bare-view run (the ceiling of this machine during the run)."""
    bare = [r.rps for r in results if r.kind == "ceiling"]
    return sum(bare) / len(bare) if bare else 0.0


def add_ratios(results: list[PageResult]) -> None:
    """Each page against the bare-view runs just before and just after it (the bench runs the bare view
    between pages): the machine's speed at the time of the page, not averaged over the whole run, in
    which a shared host can drift by 20 %. The bare runs themselves against the mean of all of them."""
    ceiling = ceiling_rps(results)
    for index, r in enumerate(results):
        if r.kind == "ceiling":
            r.ratio = round(r.rps / ceiling, 3) if ceiling else None
            continue
        before = next((b.rps for b in reversed(results[:index]) if b.kind == "ceiling"), None)
        after = next((b.rps for b in results[index + 1 :] if b.kind == "ceiling"), None)
        neighbours = [rps for rps in (before, after) if rps]
        reference = sum(neighbours) / len(neighbours) if neighbours else ceiling
        r.ratio = round(r.rps / reference, 3) if reference else None


def ceiling_drift(results: list[PageResult]) -> float:
    """How far apart the fastest and slowest bare-view runs are (0.1 = 10 %)."""
    bare = [r.rps for r in results if r.kind == "ceiling"]
    if len(bare) < 2 or not max(bare):
        return 0.0
    return round((max(bare) - min(bare)) / max(bare), 3)


def median_results(runs: list[list[PageResult]]) -> list[PageResult]:
    """One result per page from several whole runs: the median of each figure (ratio, req/s, latencies),
    so that one run disturbed by the shared host neither fails nor passes the goals alone; errors and
    requests are summed, since one error in any run is an error. Pages keep the first run's order."""
    if not runs:
        return []
    if len(runs) == 1:
        return list(runs[0])
    by_name: dict[str, list[PageResult]] = {}
    for results in runs:
        for r in results:
            by_name.setdefault(r.name, []).append(r)
    merged = []
    for name, same in by_name.items():

        def mid(attr, same=same):
            return round(statistics.median(getattr(r, attr) for r in same), 3)

        ratios = [r.ratio for r in same if r.ratio is not None]
        detail: dict[str, int] = {}
        for r in same:
            for kind, count in r.error_detail.items():
                detail[kind] = detail.get(kind, 0) + count
        merged.append(
            replace(
                same[0],
                name=name,
                requests=sum(r.requests for r in same),
                duration_s=round(sum(r.duration_s for r in same), 3),
                rps=round(statistics.median(r.rps for r in same), 1),
                p50_ms=mid("p50_ms"),
                p90_ms=mid("p90_ms"),
                p95_ms=mid("p95_ms"),
                p99_ms=mid("p99_ms"),
                max_ms=max(r.max_ms for r in same),
                errors=sum(r.errors for r in same),
                error_detail=detail,
                ratio=round(statistics.median(ratios), 3) if ratios else None,
                bytes_per_response=round(statistics.median(r.bytes_per_response for r in same)),
            )
        )
    return merged


def runs_table(runs: list[list[PageResult]], medians: list[PageResult]) -> str:
    """Each page's req/s, p95 and ratio in every run, next to the median the goals are judged on."""
    head = "| page | " + " | ".join(f"run {n}" for n in range(1, len(runs) + 1)) + " | median |"
    rows = [head, "|---|" + "---:|" * (len(runs) + 1)]

    def cell(r: PageResult | None) -> str:
        if r is None:
            return "—"
        ratio = "—" if r.ratio is None else f"{r.ratio:.3f}"
        return f"{r.rps:.0f} r/s, p95 {r.p95_ms:.1f} ms, ratio {ratio}, errors {r.errors}"

    for m in medians:
        per_run = [next((r for r in results if r.name == m.name), None) for results in runs]
        rows.append(f"| {m.label} | " + " | ".join(cell(r) for r in per_run) + f" | {cell(m)} |")
    return "\n".join(rows)


@dataclass
class GoalCheck:
    page: str
    goal: str
    measured: str
    passed: bool


def check_goals(results: list[PageResult], *, precheck_failures: dict | None = None) -> list[GoalCheck]:
    checks = []
    precheck_failures = precheck_failures or {}
    for r in results:
        if r.name in precheck_failures:
            checks.append(GoalCheck(r.label, "page answers as expected", precheck_failures[r.name], False))
        if r.kind in RATIO_GOALS:
            goal = RATIO_GOALS[r.kind]
            ratio = r.ratio or 0.0
            checks.append(GoalCheck(r.label, f"≥ {goal:.2f} × bare view", f"{ratio:.3f}", ratio >= goal))
        checks.append(GoalCheck(r.label, f"p95 ≤ {P95_GOAL_MS:.0f} ms", f"{r.p95_ms:.1f} ms", r.p95_ms <= P95_GOAL_MS))
        detail = ", ".join(f"{k} {v}" for k, v in r.error_detail.items())
        checks.append(
            GoalCheck(r.label, "zero errors", f"{r.errors}" + (f" ({detail})" if detail else ""), not r.errors)
        )
    return checks


def results_table(results: list[PageResult]) -> str:
    head = "| page | req/s | p50 ms | p95 ms | p99 ms | errors | ratio to bare |"
    rows = [head, "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        ratio = "—" if r.ratio is None else f"{r.ratio:.3f}"
        rows.append(
            f"| {r.label} | {r.rps:.0f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} | {r.errors} | {ratio} |"
        )
    return "\n".join(rows)


def goals_table(checks: list[GoalCheck]) -> str:
    rows = ["| page | goal | measured | result |", "|---|---|---:|---|"]
    rows += [f"| {c.page} | {c.goal} | {c.measured} | {'PASS' if c.passed else '**FAIL**'} |" for c in checks]
    return "\n".join(rows)


def console_table(results: list[PageResult]) -> str:
    head = f"{'page':<34} {'req/s':>8} {'p50':>7} {'p95':>7} {'p99':>7} {'errors':>7} {'ratio':>7}"
    lines = [head, "-" * len(head)]
    for r in results:
        ratio = "-" if r.ratio is None else f"{r.ratio:.3f}"
        lines.append(
            f"{r.label:<34} {r.rps:>8.0f} {r.p50_ms:>7.1f} {r.p95_ms:>7.1f} {r.p99_ms:>7.1f} {r.errors:>7} {ratio:>7}"
        )
    lines.append("(latencies in ms)")
    return "\n".join(lines)


def console_goals(checks: list[GoalCheck]) -> str:
    return "\n".join(f"{'PASS' if c.passed else 'FAIL'}  {c.page:<34} {c.goal:<22} {c.measured}" for c in checks)


def markdown_report(
    *, meta: dict, results: list[PageResult], checks: list[GoalCheck], runs: list[list[PageResult]] | None = None
) -> str:
    verdict = "PASS" if all(c.passed for c in checks) else "FAIL"
    several = runs is not None and len(runs) > 1
    lines = [
        f"# Load benchmark — {meta.get('started', '')}",
        "",
        f"Command: `{meta.get('command', '')}`",
        "",
        f"Server: {meta.get('server', '')}",
        "",
        f"Load: {meta.get('load', '')}",
        "",
        f"Machine: {meta.get('machine', '')}",
        "",
        f"Load average before/after: {meta.get('load_average_before', '')} / {meta.get('load_average_after', '')}; "
        f"bare-view ceiling {meta.get('ceiling_rps', '')} req/s (its fastest and slowest runs differ by "
        f"{meta.get('ceiling_drift', 0):.0%})",
        "",
        f"## Results — median of {len(runs)} runs" if several else "## Results",
        "",
        results_table(results),
        "",
        *(["## Each run", "", runs_table(runs, results), ""] if several else []),
        f"## Goals — overall {verdict}",
        "",
        goals_table(checks),
        "",
    ]
    return "\n".join(lines)


def to_json(
    *, meta: dict, results: list[PageResult], checks: list[GoalCheck], runs: list[list[PageResult]] | None = None
) -> str:
    return json.dumps(
        {
            "meta": meta,
            "results": [asdict(r) for r in results],
            "runs": [[asdict(r) for r in run] for run in (runs or [results])],
            "goals": [asdict(c) for c in checks],
            "passed": all(c.passed for c in checks),
        },
        indent=2,
        ensure_ascii=False,
    )
