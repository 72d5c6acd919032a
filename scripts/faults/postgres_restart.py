#!/usr/bin/env python
# ruff: noqa: T201 - an operator script prints its results
"""Fault 3 — PostgreSQL restarted under load; the portal must recover by itself.

Starts gunicorn (database `macnss_faults`, Redis DB 11) and drives a bounded load: --threads clients,
each logged in, looping over the public home, the login page, /healthz and a logged-in page (the
TAAWIDATY benefit page, which reads the database). After --before seconds it restarts the PostgreSQL
cluster (`pg_ctlcluster … main restart`), keeps the load for --after seconds, and prints the requests
and errors per second.

PASS when: no error before the restart; errors only inside the restart window (plus --grace seconds);
every request succeeds again afterwards; the same gunicorn processes still serve (nothing restarted).
Django's CONN_HEALTH_CHECKS=True (with CONN_MAX_AGE=60) is what lets a worker thread drop its dead
connection and open a new one. PostgreSQL is always started again, also on Ctrl-C.
"""

import sys
import threading
import time
from collections import Counter
from pathlib import Path

import requests

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

import fault_run  # noqa: E402
import harness  # noqa: E402
import journeys  # noqa: E402
from fault_run import Report, log  # noqa: E402
from harness import Portal  # noqa: E402

PAGES = ["/", "/compte/connexion/", "/healthz", "/taawidaty/remboursement-cotisations-salariales/"]


def options(parser):
    parser.add_argument("--threads", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--before", type=float, default=10, help="seconds of load before the restart (default 10)")
    parser.add_argument("--after", type=float, default=20, help="seconds of load after the restart (default 20)")
    parser.add_argument("--grace", type=float, default=3, help="seconds after the restart still allowed to fail")


PRIVATE = {"/taawidaty/remboursement-cotisations-salariales/"}


def load(base_url: str, session: requests.Session, stop: threading.Event, samples: list, lock) -> None:
    """Public pages as a visitor (the login page redirects a logged-in user), the private page logged in."""
    anonymous = requests.Session()
    i = 0
    while not stop.is_set():
        path = PAGES[i % len(PAGES)]
        i += 1
        try:
            response = (session if path in PRIVATE else anonymous).get(
                f"{base_url}{path}", timeout=10, allow_redirects=False
            )
            ok = response.status_code == 200
            what = str(response.status_code)
        except requests.RequestException as exc:
            ok, what = False, type(exc).__name__
        # Timed when the answer came: a request sent just before the restart fails because of it.
        with lock:
            samples.append((time.monotonic(), path, ok, what))


def scenario(run: Portal, report: Report, args) -> None:
    try:
        from accounts.demo import seed_reference_data
        from taawidaty.defaults import load_defaults

        seed_reference_data()
        load_defaults()
        people = [journeys.make_claimant(i) for i in range(args.threads)]
        from django.db import connections

        connections.close_all()
        gunicorn = run.start_gunicorn(workers=3, threads=2)
        pids_before = {gunicorn.pid, *harness.children(gunicorn.pid)}
        sessions = []
        for i, person in enumerate(people):
            client = journeys.Client(run.base_url, f"load-{i}")
            journeys.login(client, person.immatriculation_number)
            sessions.append(client.session)
        stop, lock, samples = threading.Event(), threading.Lock(), []
        threads = [
            threading.Thread(target=load, args=(run.base_url, s, stop, samples, lock), daemon=True) for s in sessions
        ]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        try:
            time.sleep(args.before)
            log("restarting PostgreSQL")
            restart_start = time.monotonic()
            done = fault_run.pg_ctl("restart")
            up = fault_run.wait_for_postgres(60)
            restart_end = time.monotonic()
            log(f"PostgreSQL restarted in {restart_end - restart_start:.1f} s (exit {done.returncode})")
            time.sleep(args.after)
        finally:
            stop.set()
            for t in threads:
                t.join(15)
        end = time.monotonic()

        per_second: dict[int, Counter] = {}
        for start, _path, ok, _what in samples:
            per_second.setdefault(int(start - t0), Counter())["ok" if ok else "err"] += 1
        print(
            f"{'second':>6} {'ok':>6} {'errors':>6}   (restart from {restart_start - t0:.1f} to {restart_end - t0:.1f} s)"
        )
        for second in sorted(per_second):
            mark = " <- restart" if restart_start - t0 - 1 <= second <= restart_end - t0 else ""
            print(f"{second:>6} {per_second[second]['ok']:>6} {per_second[second]['err']:>6}{mark}")
        errors = [(s, p, w) for s, p, ok, w in samples if not ok]
        kinds = Counter(f"{p} → {w}" for _s, p, w in errors)
        log(f"{len(samples)} requests, {len(errors)} errors: {dict(kinds)}")

        report.check(done.returncode == 0 and up, "PostgreSQL restarted", f"{restart_end - restart_start:.1f} s")
        before = [e for e in errors if e[0] < restart_start]
        report.check(not before, "no error before the restart", f"{len(before)} errors" if before else "")
        outside = [e for e in errors if e[0] > restart_end + args.grace]
        report.check(
            not outside,
            f"errors only during the restart (window + {args.grace:.0f} s)",
            f"{len(errors)} errors, all between {min((e[0] for e in errors), default=t0) - t0:.1f} s and "
            f"{max((e[0] for e in errors), default=t0) - t0:.1f} s"
            if not outside
            else f"{len(outside)} errors after the window: {Counter(f'{p} → {w}' for _s, p, w in outside)}",
        )
        tail = [s for s in samples if s[0] > end - 10]
        report.check(
            tail and all(s[2] for s in tail),
            "every request succeeds again in the last 10 s",
            f"{len(tail)} requests, {sum(not s[2] for s in tail)} errors",
        )
        per_page = Counter(s[1] for s in tail if s[2])
        report.check(
            all(per_page[p] for p in PAGES),
            "each page (home, login, /healthz, logged-in page) answers 200 after the restart",
            str(dict(per_page)),
        )
        pids_after = {gunicorn.pid, *harness.children(gunicorn.pid)}
        report.check(
            gunicorn.alive() and pids_after == pids_before,
            "recovered without restarting the portal (same gunicorn master and workers)",
            f"pids {sorted(pids_before)} → {sorted(pids_after)}",
        )
    finally:
        # PostgreSQL is always started again, also on Ctrl-C or a crash of this script.
        if not fault_run.postgres_up():
            fault_run.ensure_postgres_up()


if __name__ == "__main__":
    sys.exit(fault_run.main(scenario, title="postgres_restart", doc=__doc__, port=8703, options=options))
