# ruff: noqa: T201, S603, S607, S608, S105, S108 - operator scripts: they print, run fixed local commands
"""Shared plumbing of the fault scripts: a throw-away database, the portal's processes, the services
we break on purpose (always given back, also on Ctrl-C), and PASS/FAIL reporting.

Paths and ports: database `macnss_faults` (dropped and re-created per run), Redis DB 11, ports 8700–8799.
"""

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", "5432", "postgres"
DB_NAME = "macnss_faults"
DATABASE_URL = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/11"

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


def pg_cluster_version() -> str:
    versions = sorted(p.name for p in Path("/etc/postgresql").iterdir() if p.is_dir())
    return versions[-1]


_STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - _STARTED:7.1f}s] {message}", flush=True)


# --- Reporting -------------------------------------------------------------------------------------


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


def interruptible() -> None:
    """SIGTERM behaves like Ctrl-C, so every `finally` (service restore, process stop) runs."""

    def _raise(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, _raise)
    signal.signal(signal.SIGHUP, _raise)


# --- Environment and database ---------------------------------------------------------------------


@dataclass
class Run:
    """One run's scratch space and environment for every process it starts."""

    name: str
    port: int
    extra_env: dict = field(default_factory=dict)
    workdir: Path = field(init=False)

    def __post_init__(self):
        self.workdir = Path(tempfile.mkdtemp(prefix=f"macnss-faults-{self.name}-"))
        (self.workdir / "media").mkdir()
        (self.workdir / "mail").mkdir()
        (self.workdir / "logs").mkdir()

    @property
    def media(self) -> Path:
        return self.workdir / "media"

    @property
    def mail(self) -> Path:
        return self.workdir / "mail"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self, **overrides) -> dict:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)]),
            "DJANGO_SETTINGS_MODULE": "faults_settings",
            "DJANGO_DEBUG": "true",
            "CAPTCHA_TEST_MODE": "true",
            "SMS_BACKEND": "outbox",
            "REDIS_URL": REDIS_URL,
            "DATABASE_URL": DATABASE_URL,
            "MEDIA_ROOT": str(self.media),
            "FAULTS_MAIL_DIR": str(self.mail),
            "PUBLIC_BASE_URL": self.base_url,
            "LOG_LEVEL": "WARNING",
            **{k: str(v) for k, v in self.extra_env.items()},
            **{k: str(v) for k, v in overrides.items()},
        }
        env.pop("DJANGO_READ_DOT_ENV_FILE", None)
        return env

    def setup_django(self) -> None:
        """Configure Django in this process (same settings and database as the portal) to check results."""
        os.environ.update(self.env())
        sys.path[:0] = [str(ROOT), str(HERE)]
        import django

        django.setup()

    def manage(self, *args: str, timeout: float = 600) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
        return done.stdout


def _pg(*args: str) -> None:
    subprocess.run([*args, "-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER, DB_NAME], check=True, capture_output=True)


def recreate_database() -> None:
    wait_for_postgres(30)
    # Connections left by an interrupted run would block the drop.
    subprocess.run(
        [
            "psql",
            "-h",
            PG_HOST,
            "-U",
            PG_USER,
            "-d",
            "postgres",
            "-qAtc",
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{DB_NAME}'",
        ],
        check=False,
        capture_output=True,
    )
    _pg("dropdb", "--if-exists")
    _pg("createdb")


def drop_database() -> None:
    with contextlib.suppress(Exception):
        subprocess.run(
            [
                "psql",
                "-h",
                PG_HOST,
                "-U",
                PG_USER,
                "-d",
                "postgres",
                "-qAtc",
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{DB_NAME}'",
            ],
            check=False,
            capture_output=True,
        )
        _pg("dropdb", "--if-exists")


def prepare(run: Run, *, seed: bool = True) -> None:
    """A fresh database and Redis DB 11, migrated and seeded."""
    ensure_redis_up()
    subprocess.run(["redis-cli", "-n", "11", "flushdb"], check=True, capture_output=True)
    recreate_database()
    log(f"database {DB_NAME} re-created; migrating")
    run.manage("migrate", "--noinput", "-v0")
    if seed:
        log("seeding the demo data")
        run.manage("seed_demo")


# --- Processes we start (and only those are stopped, by their id) ----------------------------------


class Proc:
    def __init__(self, name: str, cmd: list[str], env: dict, logdir: Path):
        self.name = name
        self.log_path = logdir / f"{name}.log"
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(  # noqa: S603 - fixed commands
            cmd, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log(f"started {name} (pid {self.popen.pid})")

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self, sig=signal.SIGKILL, *, group: bool = True) -> None:
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(self.popen.pid, sig)
            else:
                os.kill(self.popen.pid, sig)

    def stop(self, timeout: float = 10) -> None:
        if self.alive():
            self.kill(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill(signal.SIGKILL)
                self.popen.wait(5)
        else:
            # The leader is gone; its children (pool processes) may not be.
            self.kill(signal.SIGKILL)
        self._log.close()

    def tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


def start_gunicorn(
    run: Run,
    *,
    workers: int = 3,
    threads: int = 2,
    port: int | None = None,
    env: dict | None = None,
    name: str = "gunicorn",
) -> Proc:
    port = port or run.port
    cmd = [
        str(VENV_BIN / "gunicorn"),
        "macnss.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
    ]
    proc = Proc(name, cmd, env or run.env(), run.workdir / "logs")
    wait_http(f"http://127.0.0.1:{port}/healthz", 60, proc)
    return proc


def start_worker(
    run: Run,
    name: str = "worker",
    *,
    concurrency: int = 2,
    env: dict | None = None,
    cmd=None,
    queues: str = "celery,sms,email,pdf",
) -> Proc:
    cmd = cmd or [str(VENV_BIN / "celery"), "-A", "macnss"]
    cmd = [
        *cmd,
        "worker",
        "-l",
        "INFO",
        "-c",
        str(concurrency),
        "-Q",
        queues,
        "-n",
        f"faults-{name}-{os.getpid()}@%h",
        "--without-gossip",
        "--without-mingle",
    ]
    return Proc(name, cmd, env or run.env(LOG_LEVEL="INFO"), run.workdir / "logs")


def start_beat(run: Run, env: dict | None = None) -> Proc:
    cmd = [
        str(VENV_BIN / "celery"),
        "-A",
        "macnss",
        "beat",
        "-l",
        "INFO",
        "--pidfile",
        str(run.workdir / "beat.pid"),
        "-s",
        str(run.workdir / "beat-schedule"),
    ]
    return Proc("beat", cmd, env or run.env(LOG_LEVEL="INFO"), run.workdir / "logs")


def wait_for_log(proc: Proc, needle: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if needle in proc.log_path.read_text(errors="replace"):
                return True
        if not proc.alive():
            return False
        time.sleep(0.2)
    return False


def wait_http(url: str, timeout: float, proc: Proc | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(url, timeout=2) as response,  # noqa: S310 - loopback
        ):
            if response.status == 200:
                return
        if proc is not None and not proc.alive():
            raise RuntimeError(f"{proc.name} exited:\n{proc.tail()}")
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {timeout:.0f} s")


def wait_until(predicate, timeout: float, interval: float = 1.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                found.append(int(entry.name))
    return found


# --- Services we break on purpose ------------------------------------------------------------------


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


def postgres_up() -> bool:
    done = subprocess.run(["pg_isready", "-h", PG_HOST, "-p", PG_PORT, "-q"], capture_output=True, check=False)
    return done.returncode == 0


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


@contextlib.contextmanager
def processes():
    """Collects the processes a script starts and stops them all (by pid) on the way out."""
    started: list[Proc] = []
    try:
        yield started
    finally:
        for proc in reversed(started):
            with contextlib.suppress(Exception):
                proc.stop()
