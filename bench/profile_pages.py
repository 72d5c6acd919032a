"""In-process cost of each benchmarked page: CPU ms per request, SQL queries, and a pyinstrument profile.

Run by `python bench/run.py --inprocess [--pages …]` with the benchmark's environment (production
settings, bench database and Redis, after seed_demo and setup_data.py). One request at a time through
Django's WSGI handler (the whole middleware stack, no gunicorn, no network), so the figures depend less
on what else the machine is doing than the load run does.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
sys.path.insert(0, str(BENCH_DIR))

import django  # noqa: E402

django.setup()

import re  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from run import PAGES, RESULTS_DIR  # noqa: E402

# The WSGI handler gunicorn calls, not django.test.Client: the test client copies every template
# context it sees (for assertTemplateUsed), which would dwarf the cost being measured.
HANDLER = WSGIHandler()
FACTORY = RequestFactory()


class Response:
    def __init__(self, environ):
        self.status = 0
        self.headers = []
        chunks = HANDLER(environ, self.start_response)
        self.body = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()

    def start_response(self, status, headers, exc_info=None):
        self.status = int(status.split()[0])
        self.headers = headers


class PageClient:
    """Sends what bench/run.py makes wrk send: HTTPS header, session cookie, CSRF cookie and token."""

    def __init__(self, page, setup):
        self.page = page
        self.extra = {"HTTP_X_FORWARDED_PROTO": "https", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "443"}
        cookies = []
        if page.session:
            cookies.append(f"{setup['session_cookie']}={setup[page.session + '_session']}")
        self.body = None
        if page.method == "POST":
            first = Response(FACTORY.get(page.path, **self.extra).environ)
            html = first.body.decode()
            csrf = next(
                v.strip().split(";", 1)[0].split("=", 1)[1]
                for k, v in first.headers
                if k == "Set-Cookie" and v.strip().startswith(setup["csrf_cookie"] + "=")
            )
            cookies.append(f"{setup['csrf_cookie']}={csrf}")
            fields = dict(page.form_errors)
            fields["csrfmiddlewaretoken"] = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
            captcha = re.search(r'name="captcha_0" value="([^"]+)"', html) or re.search(
                r'value="([^"]+)" name="captcha_0"', html
            )
            if captcha:
                fields["captcha_0"] = captcha.group(1)
            self.body = urlencode(fields)
            self.extra["HTTP_REFERER"] = f"https://127.0.0.1{page.path}"
            self.extra["HTTP_ORIGIN"] = "https://127.0.0.1"
        if cookies:
            self.extra["HTTP_COOKIE"] = "; ".join(cookies)

    def __call__(self) -> Response:
        if self.body is not None:
            request = FACTORY.post(
                self.page.path, self.body, content_type="application/x-www-form-urlencoded", **self.extra
            )
        else:
            request = FACTORY.get(self.page.path, **self.extra)
        return Response(request.environ)


def cprofile(one, page) -> None:
    """BENCH_CPROFILE=1: deterministic call counts and cumulative times (the slow parts, by module)."""
    import cProfile
    import io
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(100):
        one()
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats(os.environ.get("BENCH_CPROFILE_SORT", "cumulative")).print_stats(
        int(os.environ["BENCH_CPROFILE"])
    )
    (RESULTS_DIR / f"cprofile-{page.name}.txt").write_text(out.getvalue())


def main() -> None:
    setup = json.loads(sys.argv[1])
    names = set(sys.argv[2].split(",")) if len(sys.argv) > 2 and sys.argv[2] else None
    repeat = 200
    rows = []
    for page in PAGES:
        if names and page.name not in names:
            continue
        one = PageClient(page, setup)
        for _ in range(20):  # warm caches, templates, translations
            one()
        with CaptureQueriesContext(connection) as queries:
            response = one()
        status, n_queries = response.status, len(queries)
        (RESULTS_DIR / f"queries-{page.name}.sql").write_text(
            "".join(f"-- {q['time']} s\n{q['sql']};\n\n" for q in queries.captured_queries)
        )
        cpu, wall = [], []
        for _ in range(repeat):
            c0, w0 = time.process_time(), time.perf_counter()
            one()
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
        if os.environ.get("BENCH_CPROFILE"):
            cprofile(one, page)
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(100):
            one()
        profiler.stop()
        (RESULTS_DIR / f"pyinstrument-{page.name}.txt").write_text(
            profiler.output_text(unicode=True, color=False, show_all=False)
        )
        (RESULTS_DIR / f"pyinstrument-{page.name}.html").write_text(profiler.output_html())
        profiler.last_session.save(str(RESULTS_DIR / f"pyinstrument-{page.name}.pyisession"))
        rows.append(
            {
                "page": page.label,
                "status": status,
                "queries": n_queries,
                "cpu_ms_median": round(statistics.median(cpu), 2),
                "wall_ms_median": round(statistics.median(wall), 2),
            }
        )
    bare = next((r for r in rows if r["page"].startswith("bare")), None)
    print(f"{'page':<44} {'status':>6} {'SQL':>4} {'CPU ms':>8} {'wall ms':>8} {'x bare':>7}")
    for r in rows:
        times = f"{r['wall_ms_median'] / bare['wall_ms_median']:.1f}" if bare else "-"
        print(
            f"{r['page']:<44} {r['status']:>6} {r['queries']:>4} {r['cpu_ms_median']:>8.2f} "
            f"{r['wall_ms_median']:>8.2f} {times:>7}"
        )
    (RESULTS_DIR / "inprocess-latest.json").write_text(json.dumps(rows, indent=2, ensure_ascii=False))
    print(f"profiles: {RESULTS_DIR}/pyinstrument-<page>.txt/.html")


if __name__ == "__main__":
    main()
