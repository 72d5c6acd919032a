"""The benchmark's own arithmetic: wrk's report parsing, ratios, goals and tables (nothing is timed)."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import report  # noqa: E402


def raw(requests=1000, duration_us=10_000_000, p95_us=40_000, **errors):
    return {
        "requests": requests,
        "duration_us": duration_us,
        "bytes": requests * 2000,
        "errors": {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0, **errors},
        "latency_us": {"p50": 10_000, "p90": 30_000, "p95": p95_us, "p99": 90_000, "max": 120_000, "mean": 12000.5},
    }


def result(name, kind, requests, **kw):
    return report.page_result(name=name, label=name, kind=kind, raw=raw(requests=requests, **kw))


def test_parse_wrk_output_reads_the_json_line_among_wrks_text():
    stdout = "Running 10s test @ http://127.0.0.1:8600/\n  2 threads\n" + report.MARKER + json.dumps(raw()) + "\n"
    assert report.parse_wrk_output(stdout)["requests"] == 1000


def test_parse_wrk_output_fails_loudly_without_the_line():
    with pytest.raises(ValueError, match="BENCH_JSON"):
        report.parse_wrk_output("Running 10s test\nunable to connect\n")


def test_page_result_converts_units_and_counts_every_error_kind():
    r = report.page_result(name="x", label="x", kind="form", raw=raw(requests=2500, status=3, timeout=2))
    assert r.rps == 250.0
    assert r.p95_ms == 40.0
    assert r.errors == 5
    assert r.error_detail == {"status": 3, "timeout": 2}
    assert r.bytes_per_response == 2000


def test_ratios_use_the_mean_of_the_first_and_last_bare_runs():
    results = [result("bare", "ceiling", 40_000), result("home", "private", 15_000), result("bare2", "ceiling", 20_000)]
    report.add_ratios(results)
    assert results[1].ratio == 0.5  # 1500 / mean(4000, 2000)
    assert report.ceiling_drift(results) == 0.5


def test_each_page_is_compared_with_the_bare_runs_on_either_side_of_it():
    results = [
        result("bare", "ceiling", 40_000),
        result("home", "private", 10_000),
        result("bare_2", "ceiling", 20_000),
        result("login", "form", 6_000),
        result("bare_3", "ceiling", 20_000),
    ]
    report.add_ratios(results)
    assert results[1].ratio == round(1000 / 3000, 3)  # the machine slowed down during «home»
    assert results[3].ratio == 0.3  # 600 / mean(2000, 2000), not / the mean of the whole run
    assert report.ceiling_rps(results) == 2000 * 4 / 3
    assert report.ceiling_drift(results) == 0.5


def test_goals_pass_and_fail_on_the_thresholds():
    results = [
        result("bare", "ceiling", 40_000),
        result("dues", "private", 10_000),  # 0.25: passes
        result("form", "form", 7_900),  # 0.1975: fails
        result("slow", "private", 20_000, p95_us=151_000),
        result("broken", "private", 20_000, status=1),
    ]
    report.add_ratios(results)
    checks = {(c.page, c.goal.split()[0]): c.passed for c in report.check_goals(results)}
    assert checks[("dues", "≥")] is True
    assert checks[("form", "≥")] is False
    assert checks[("slow", "p95")] is False
    assert checks[("dues", "p95")] is True
    assert checks[("broken", "zero")] is False
    assert ("bare", "≥") not in checks  # the ceiling has no ratio goal


def test_a_page_that_failed_its_precheck_fails_even_if_fast():
    results = [result("bare", "ceiling", 40_000), result("home", "private", 30_000)]
    report.add_ratios(results)
    checks = report.check_goals(results, precheck_failures={"home": "status 302, expected 200"})
    assert [c.passed for c in checks if c.page == "home" and c.goal.startswith("page")] == [False]


def test_wrk_script_escapes_bodies_and_headers_for_lua():
    script = report.wrk_script(method="POST", headers={"Cookie": 'a="b"'}, body='x=1&y="2"\n')
    assert 'wrk.method = "POST"' in script
    assert 'wrk.headers["Cookie"] = "a=\\"b\\""' in script
    assert 'wrk.body = "x=1&y=\\"2\\"\\n"' in script
    assert "latency:percentile(95)" in script


def test_markdown_report_has_the_tables_and_the_verdict():
    results = [result("bare", "ceiling", 40_000), result("form", "form", 4_000)]
    report.add_ratios(results)
    checks = report.check_goals(results)
    text = report.markdown_report(meta={"command": "python bench/run.py"}, results=results, checks=checks)
    assert "| form | 400 | 10.0 | 40.0 | 90.0 | 0 | 0.100 |" in text
    assert "overall FAIL" in text
    assert "**FAIL**" in text
    assert json.loads(report.to_json(meta={}, results=results, checks=checks))["passed"] is False


def run_of(home_requests, bare_requests=40_000, home_p95_us=40_000, **errors):
    results = [
        result("bare", "ceiling", bare_requests),
        result("home", "private", home_requests, p95_us=home_p95_us, **errors),
        result("bare_2", "ceiling", bare_requests),
    ]
    report.add_ratios(results)
    return results


def test_the_median_of_three_runs_is_judged_not_the_lucky_or_unlucky_one():
    runs = [run_of(8_000), run_of(12_000, home_p95_us=160_000), run_of(11_000)]  # ratios 0.2, 0.3, 0.275
    medians = {r.name: r for r in report.median_results(runs)}
    home = medians["home"]
    assert home.ratio == 0.275
    assert home.rps == 1100.0
    assert home.p95_ms == 40.0  # one slow run (160 ms) does not fail the p95 goal alone
    assert home.requests == 31_000
    checks = {c.goal.split()[0]: c.passed for c in report.check_goals([medians["bare"], home])}
    assert checks["≥"] is True and checks["p95"] is True


def test_errors_are_summed_over_the_runs():
    runs = [run_of(10_000), run_of(10_000, status=2), run_of(10_000, timeout=1)]
    home = next(r for r in report.median_results(runs) if r.name == "home")
    assert home.errors == 3
    assert home.error_detail == {"status": 2, "timeout": 1}
    assert not next(c for c in report.check_goals([home]) if c.goal == "zero errors").passed


def test_a_single_run_is_its_own_median():
    only = run_of(10_000)
    assert report.median_results([only]) == only


def test_the_markdown_report_shows_each_run_next_to_the_median():
    runs = [run_of(8_000), run_of(12_000), run_of(11_000)]
    medians = report.median_results(runs)
    text = report.markdown_report(meta={}, results=medians, checks=report.check_goals(medians), runs=runs)
    assert "median of 3 runs" in text
    row = next(line for line in text.splitlines() if line.startswith("| home |") and "r/s" in line)
    assert "800 r/s" in row and "1200 r/s" in row and "1100 r/s" in row
    assert json.loads(report.to_json(meta={}, results=medians, checks=[], runs=runs))["runs"][1][1]["rps"] == 1200.0
