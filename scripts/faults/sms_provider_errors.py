#!/usr/bin/env python
# ruff: noqa: T201 - an operator script prints its results
"""Fault 4 — the SMS provider answering errors: retries with growing backoff, then `failed` for agents.

Runs a fake Twilio on loopback (--provider-port) and a Celery worker whose real Twilio backend
(`SMS_BACKEND=twilio`, the production code path) is pointed at it (provider_worker.py), plus beat and
gunicorn (for the admin). The fake provider answers by the last digit of the destination number:
  1 → always HTTP 503 (the provider is down): retried with backoff, then `failed` after the maximum;
  2 → 503 twice, then 201 (it comes back): sent on the third attempt, once;
  3 → HTTP 400, code 21211 (invalid number): `failed` at once, never retried.
The SMS are queued with `queue_sms` like any journey does. The script records when each call reached the
provider, prints the gaps, and checks: growing gaps, the number of calls equals `attempts`, the final
statuses, no message lost (none left `queued`/`sending`), and that an agent sees the failed ones in the
admin list (/admin/core/outboundsms/?status__exact=failed).

OUTBOX_MAX_ATTEMPTS is 6 in production (15+30+60+120+240 s ≈ 8 min of retries); this script uses
--max-attempts 5 by default (≈ 4 min). The re-queue beat keeps its production timing (every 60 s, rows
queued for more than 2 min). PASS/FAIL lines; exit status 1 on FAIL.
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

import fault_run  # noqa: E402
import harness  # noqa: E402
import journeys  # noqa: E402
from fault_run import Report, log  # noqa: E402
from harness import Portal  # noqa: E402

NUMBERS = {
    "down": ["+212661740011", "+212661740021"],
    "recovers": ["+212661740002"],
    "invalid": ["+212661740003"],
}


class FakeProvider(BaseHTTPRequestHandler):
    calls: list = []
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length", 0))
        form = parse_qs(self.rfile.read(length).decode())
        to = form.get("To", [""])[0]
        with self.lock:
            previous = sum(1 for c in self.calls if c["to"] == to)
            if to.endswith("1") or (to.endswith("2") and previous < 2):
                status, body = 503, {"code": 20503, "message": "Service unavailable", "status": 503}
            elif to.endswith("3"):
                status, body = 400, {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}
            else:
                status, body = 201, {"sid": f"SMfaults{len(self.calls):06d}", "status": "queued", "to": to}
            self.calls.append({"at": time.time(), "to": to, "status": status})
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def options(parser):
    parser.add_argument("--provider-port", type=int, default=8705, help="fake provider port (default 8705)")
    parser.add_argument("--max-attempts", type=int, default=5, help="OUTBOX_MAX_ATTEMPTS for the run (default 5)")


def portal_env(args) -> dict:
    return {
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": "ACfaults0000000000000000000000000",
        "TWILIO_AUTH_TOKEN": "faults",
        "TWILIO_FROM_NUMBER": "+15005550006",
        "FAULTS_PROVIDER_URL": f"http://127.0.0.1:{args.provider_port}",
        "FAULTS_OUTBOX_MAX_ATTEMPTS": args.max_attempts,
        "FAULTS_REQUEUE_AFTER_SECONDS": 120,  # production
        "FAULTS_OUTBOX_BEAT_SECONDS": 60,  # production
    }


def expected_schedule(max_attempts: int) -> list[int]:
    """Gaps the task's countdown asks for: min(600, 15 × 2^retries)."""
    return [min(600, 15 * 2**n) for n in range(max_attempts - 1)]


def scenario(run: Portal, report: Report, args) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", args.provider_port), FakeProvider)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    log(f"fake SMS provider on 127.0.0.1:{args.provider_port}")
    try:
        from django.contrib.auth import get_user_model
        from django.db import transaction

        from macnss.core.models import OutboundSms, OutboxStatus
        from macnss.core.services import queue_sms

        agent = get_user_model().objects.create_superuser("agent-faults", password=journeys.PASSWORD)
        run.start_gunicorn(workers=1, threads=2)
        worker_cmd = [harness.PYTHON, str(fault_run.HERE / "provider_worker.py"), "-A", "macnss"]
        worker = run.start_worker("worker", cmd=worker_cmd)
        run.start_beat()
        if not harness.wait_for_log(worker, "ready.", 60):
            raise RuntimeError(f"the worker did not start:\n{worker.tail()}")

        ids = {}
        with transaction.atomic():
            for kind, numbers in NUMBERS.items():
                for to in numbers:
                    ids[to] = queue_sms(to=to, body=f"Ma CNSS : test de panne ({kind}).", purpose=f"faults_{kind}").pk
        log(f"queued {len(ids)} SMS; expected gaps when the provider is down: {expected_schedule(args.max_attempts)} s")

        def settled():
            return (
                not OutboundSms.objects.filter(pk__in=ids.values())
                .exclude(status__in=[OutboxStatus.SENT, OutboxStatus.FAILED])
                .exists()
            )

        budget = sum(expected_schedule(args.max_attempts)) + 90
        queued_at = time.monotonic()
        done = harness.wait_until(settled, budget, 2)
        took = time.monotonic() - queued_at
        time.sleep(5)  # a late duplicate call would show up here
        rows = {r.to: r for r in OutboundSms.objects.filter(pk__in=ids.values())}
        calls = list(FakeProvider.calls)
        for to, row in rows.items():
            times = [c["at"] for c in calls if c["to"] == to]
            gaps = [round(b - a, 1) for a, b in zip(times, times[1:], strict=False)]
            print(
                f"  {to}: {row.status}, attempts {row.attempts}, provider calls {len(times)}, gaps {gaps} s; "
                f"last error: {row.last_error[:60]!r}"
            )

        report.check(
            done,
            "no SMS lost: every message ends `sent` or `failed` (none left queued or sending)",
            f"all settled {took:.0f} s after queueing" if done else str({r.to: r.status for r in rows.values()}),
        )
        for to in NUMBERS["down"]:
            row = rows[to]
            times = [c["at"] for c in calls if c["to"] == to]
            gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
            report.check(
                row.status == OutboxStatus.FAILED and row.attempts == args.max_attempts,
                f"{to} (provider down): marked failed after {args.max_attempts} attempts",
                f"{row.status}, {row.attempts} attempts, last error {row.last_error[:50]!r}",
            )
            report.check(
                len(times) == row.attempts,
                f"{to}: one provider call per attempt (no hidden retry)",
                f"{len(times)} calls, {row.attempts} attempts",
            )
            growing = len(gaps) >= 2 and all(b > a * 1.4 for a, b in zip(gaps, gaps[1:], strict=False))
            near = all(
                want - 2 <= got <= want + 20
                for got, want in zip(gaps, expected_schedule(args.max_attempts), strict=False)
            )
            report.check(
                growing and near,
                f"{to}: retried with growing backoff",
                f"gaps {[round(g) for g in gaps]} s, asked {expected_schedule(args.max_attempts)} s",
            )
        row = rows[NUMBERS["recovers"][0]]
        times = [c for c in calls if c["to"] == row.to]
        report.check(
            row.status == OutboxStatus.SENT
            and row.attempts == 3
            and [c["status"] for c in times] == [503, 503, 201]
            and row.provider_message_id.startswith("SMfaults"),
            f"{row.to} (provider comes back): sent on the 3rd attempt, exactly once",
            f"{row.status}, attempts {row.attempts}, provider answers {[c['status'] for c in times]}",
        )
        row = rows[NUMBERS["invalid"][0]]
        times = [c for c in calls if c["to"] == row.to]
        report.check(
            row.status == OutboxStatus.FAILED and row.attempts == 1 and len(times) == 1,
            f"{row.to} (invalid number, 400): failed at once, not retried",
            f"{row.status}, attempts {row.attempts}, {len(times)} call(s), {row.last_error[:60]!r}",
        )

        # What an agent sees.
        client = journeys.Client(run.base_url, "agent")
        _, hidden = client.form("/admin/login/")
        response = client.post(
            "/admin/login/",
            {**hidden, "username": agent.username, "password": journeys.PASSWORD, "next": "/admin/"},
        )
        journeys.expect(response, 302, "admin login")
        page = client.get("/admin/core/outboundsms/?status__exact=failed")
        journeys.expect(page, 200, "admin SMS list")
        failed = [*NUMBERS["down"], *NUMBERS["invalid"]]
        listed = [to for to in failed if to in page.text]
        report.check(
            len(listed) == len(failed) and NUMBERS["recovers"][0] not in page.text,
            "agents see the failed SMS in the admin list (filter «Échec»), with the retry action",
            f"{len(listed)}/{len(failed)} listed"
            + (", action «retry_failed» offered" if "retry_failed" in page.text else ""),
        )
        report.check("retry_failed" in page.text, "the admin offers the action to send a failed SMS again")
    finally:
        server.shutdown()


if __name__ == "__main__":
    sys.exit(
        fault_run.main(scenario, title="sms_provider_errors", doc=__doc__, port=8704, options=options, env=portal_env)
    )
