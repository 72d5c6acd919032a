# ruff: noqa: T201, S603, S607, S608 - operator scripts: they print, run fixed local commands
"""What the fault scripts share beyond scripts/harness.py: their portal (faults_settings.py, database
`macnss_faults`, Redis DB 11, ports 8700–8799), the services they break on purpose (always given back,
also on Ctrl-C), PASS/FAIL reporting and `main()`: each script keeps only its scenario.

bench/journey.py and scripts/scale/two_nodes.py use the same portal.
"""

import argparse
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import harness  # noqa: E402
from harness import log, wait_until  # noqa: E402

DB_NAME = "macnss_faults"
REDIS_DB = 11


def portal(name: str, port: int, extra_env: dict | None = None, *, keep: bool = False) -> harness.Portal:
    """The development settings with short delays (faults_settings.py), so that a script can get through
    the captcha, read the code SMS and count the e-mails."""
    run = harness.Portal(name, port=port, db_name=DB_NAME, redis_db=REDIS_DB, keep=keep)
    (run.workdir / "mail").mkdir()
    run.extra_env.update(
        {
            "PYTHONPATH": os.pathsep.join([str(harness.ROOT), str(HERE)]),
            "DJANGO_SETTINGS_MODULE": "faults_settings",
            "DJANGO_DEBUG": "true",
            "CAPTCHA_TEST_MODE": "true",
            "SMS_BACKEND": "outbox",
            "FAULTS_MAIL_DIR": str(run.workdir / "mail"),
            **(extra_env or {}),
        }
    )
    return run


def prepare(run: harness.Portal, *, seed: bool = True) -> None:
    """A fresh database and Redis DB; an earlier interrupted run may have left Redis or PostgreSQL down."""
    ensure_redis_up()
    if not wait_for_postgres(30):
        ensure_postgres_up()
    run.prepare(seed=seed)


# --- Reporting and main() --------------------------------------------------------------------------


@dataclass
class Report:
    title: str
    results: list[tuple[bool, str, str]] = field(default_factory=list)

    def check(self, ok: bool, name: str, detail: str = "") -> bool:
        self.results.append((bool(ok), name, detail))
        print(f"{'PASS' if ok else 'FAIL'} {name}" + (f" — {detail}" if detail else ""), flush=True)
        return bool(ok)

    def fail(self, name: str, detail: str = "") -> None:
        self.check(False, name, detail)

    @property
    def failed(self) -> bool:
        return not self.results or any(not ok for ok, _n, _d in self.results)

    def finish(self) -> int:
        passed = sum(ok for ok, _n, _d in self.results)
        verdict = "FAIL" if self.failed else "PASS"
        print(f"{verdict} {self.title}: {passed}/{len(self.results)} checks passed", flush=True)
        return 1 if self.failed else 0


def main(scenario, *, title: str, doc: str, port: int, seed: bool = False, options=None, env=None, argv=None) -> int:
    """A fault script's command line, portal, report and exit status (1 on any FAIL).

    `scenario(run, report, args)` runs on a migrated database (seeded if `seed`) with Django set up in this
    process; it gives back, in its own `finally`, the service it broke. `options(parser)` adds its
    arguments, `env(args)` the settings of its portal.
    """
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=port, help=f"gunicorn port, 8700-8799 (default {port})")
    parser.add_argument("--keep", action="store_true", help="keep the database and the scratch folder")
    if options:
        options(parser)
    args = parser.parse_args(argv)
    if not 8700 <= args.port <= 8799:
        parser.error("--port must be within 8700-8799")
    harness.interruptible()
    report = Report(title)
    run = None
    try:
        run = portal(title, args.port, env(args) if env else None, keep=args.keep)
        log(f"scratch folder {run.workdir}")
        prepare(run, seed=seed)
        run.setup_django()
        scenario(run, report, args)
    except KeyboardInterrupt:
        report.fail("interrupted")
    except Exception as exc:  # noqa: BLE001 - any crash is a FAIL with its reason
        report.fail("run", repr(exc))
        for proc in run.procs if run else []:
            print(f"--- {proc.name} log ---\n{proc.tail()}", flush=True)
    finally:
        if run is not None:
            run.close()
    return report.finish()


# --- Services broken on purpose --------------------------------------------------------------------

REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]
REDIS_STOP = ["redis-cli", "-p", "6379", "shutdown", "nosave"]


def redis_up() -> bool:
    done = subprocess.run(["redis-cli", "-p", "6379", "ping"], capture_output=True, text=True, check=False)
    return done.stdout.strip() == "PONG"


def stop_redis() -> None:
    subprocess.run(REDIS_STOP, capture_output=True, check=False)
    if not wait_until(lambda: not redis_up(), 10, 0.2):
        raise RuntimeError("Redis did not stop")


def start_redis() -> None:
    if redis_up():
        return
    subprocess.run(REDIS_START, capture_output=True, check=False)
    if not wait_until(redis_up, 20, 0.2):
        raise RuntimeError("Redis did not start again: run " + " ".join(REDIS_START))


def ensure_redis_up() -> None:
    if not redis_up():
        log("Redis is down: starting it")
        start_redis()


def pg_cluster_version() -> str:
    return sorted(p.name for p in Path("/etc/postgresql").iterdir() if p.is_dir())[-1]


def postgres_up() -> bool:
    cmd = ["pg_isready", "-h", harness.PG_HOST, "-p", harness.PG_PORT, "-q"]
    return subprocess.run(cmd, capture_output=True, check=False).returncode == 0


def wait_for_postgres(timeout: float) -> bool:
    return wait_until(postgres_up, timeout, 0.2)


def pg_ctl(action: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", pg_cluster_version(), "main", action],
        capture_output=True,
        text=True,
        check=False,
    )


def ensure_postgres_up() -> None:
    if not postgres_up():
        log("PostgreSQL is down: starting it")
        pg_ctl("start")
        if not wait_for_postgres(60):
            raise RuntimeError("PostgreSQL did not start again")
