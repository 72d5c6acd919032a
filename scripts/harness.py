# ruff: noqa: T201, S603, S607, S608, S310 - operator plumbing: it prints and runs fixed local commands
"""One harness for every script that runs the portal on loopback: bench/run.py, bench/journey.py,
scripts/security/wapiti_scan.py, scripts/faults/ and scripts/scale/.

A `Portal` is one run: a throw-away PostgreSQL database and Redis DB, a scratch folder, the environment of
the processes it starts (gunicorn, Celery), and those processes. `close()` stops them by process id, drops
the database and empties the Redis DB; scripts call it from a `finally` (or `with Portal(...)`), and
`interruptible()` turns SIGTERM into Ctrl-C so that it runs then too. Each script adds only its own
settings: `production_env()` for the production-like runs, scripts/faults/fault_run.py for the faults'.
"""

import base64
import contextlib
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin" if (ROOT / ".venv" / "bin" / "python").exists() else Path(sys.executable).parent
PYTHON = str(VENV_BIN / "python")
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", "5432", "postgres"
PG_ADMIN_URL = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}"
REDIS_BASE = "redis://127.0.0.1:6379"
ALL_QUEUES = "celery,sms,email,pdf"

# What an operator's shell may export for another purpose: a run sets each of these itself or not at all.
_STRAY_PREFIXES = ("DJANGO_", "TWILIO_", "CMI_", "WAPITI_", "FAULTS_", "STORAGE_S3_", "MACNSS_")
_STRAY_KEYS = {
    "DATABASE_URL",
    "REDIS_URL",
    "SMS_BACKEND",
    "ANTIVIRUS_BACKEND",
    "MOCK_CMI_ENABLED",
    "EMAIL_URL",
    "PUBLIC_BASE_URL",
    "MEDIA_ROOT",
    "DB_BEHIND_PGBOUNCER",
}

_STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} +{time.monotonic() - _STARTED:.0f}s] {message}", flush=True)


def interruptible() -> None:
    """SIGTERM and SIGHUP behave like Ctrl-C, so every `finally` (service restore, process stop) runs."""

    def _raise(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, _raise)
    signal.signal(signal.SIGHUP, _raise)


def listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


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
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def production_env(*, label: str, public_base_url: str, email_url: str) -> dict:
    """`macnss.settings.production` with secrets made for this run and real-looking gateway settings.
    Nothing leaves the machine: no worker sends, and no measured or scanned request reaches a gateway."""
    return {
        "DJANGO_SETTINGS_MODULE": "macnss.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PUBLIC_BASE_URL": public_base_url,
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": "AC" + secrets.token_hex(16),
        "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
        "TWILIO_FROM_NUMBER": "+15005550006",
        "CMI_GATEWAY_URL": "https://testpayment.cmi.co.ma/fim/est3Dgate",
        "CMI_STORE_KEY": secrets.token_hex(16),
        "ANTIVIRUS_BACKEND": "clamd",
        # Production refuses the console and file backends: the callers pass an SMTP sink on loopback.
        "EMAIL_URL": email_url,
        "OUTBOX_ENCRYPTION_KEYS": f"{label}:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "DOCUMENT_SIGNING_KEY": f"{label}:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("="),
    }


# --- Processes a run starts (and only those are stopped, by their id) ------------------------------


class Proc:
    def __init__(self, name: str, cmd: list[str], env: dict, log_path: Path):
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        # Its own session, so that stop() reaches the pool processes too and nothing else.
        self.popen = subprocess.Popen(
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

    def stop(self, timeout: float = 15) -> None:
        if self.alive():
            self.kill(signal.SIGTERM)  # gunicorn and Celery stop their workers gracefully
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


# The wapiti scan's gunicorn ends TLS with a self-signed certificate made for the run, on loopback.
LOOPBACK_TLS = ssl.create_default_context()
LOOPBACK_TLS.check_hostname = False
LOOPBACK_TLS.verify_mode = ssl.CERT_NONE


def wait_http(url: str, timeout: float, proc: Proc | None = None) -> None:
    """Until `url` answers 200; the header of the TLS proxy, so production settings answer over HTTP too."""
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(request, timeout=2, context=LOOPBACK_TLS) as response,
        ):
            if response.status == 200:
                return
        if proc is not None and not proc.alive():
            raise RuntimeError(f"{proc.name} exited:\n{proc.tail()}")
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {timeout:.0f} s")


# --- One run ---------------------------------------------------------------------------------------


class Portal:
    """One run's database, Redis DB, scratch folder, environment and processes."""

    def __init__(self, name: str, *, port: int, db_name: str, redis_db: int, env: dict | None = None, keep=False):
        self.name = name
        self.port = port
        self.db_name = db_name
        self.db_url = f"{PG_ADMIN_URL}/{db_name}"
        self.redis_url = f"{REDIS_BASE}/{redis_db}"
        self.extra_env = dict(env or {})
        self.keep = keep
        self.workdir = Path(tempfile.mkdtemp(prefix=f"macnss-{name}-"))
        for sub in ("media", "logs"):
            (self.workdir / sub).mkdir()
        self.procs: list[Proc] = []
        self.services = contextlib.ExitStack()  # helpers such as the SMTP sink, closed last
        self.db_created = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def media(self) -> Path:
        return self.workdir / "media"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self, **overrides) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_STRAY_PREFIXES) and k not in _STRAY_KEYS}
        env.update(
            {
                "DATABASE_URL": self.db_url,
                "REDIS_URL": self.redis_url,
                "MEDIA_ROOT": str(self.media),
                "PUBLIC_BASE_URL": self.base_url,
                "LOG_LEVEL": "WARNING",
                "PYTHONDONTWRITEBYTECODE": "1",
            }
        )
        env.update({k: str(v) for k, v in self.extra_env.items()})
        env.update({k: str(v) for k, v in overrides.items()})
        return env

    # -- database and cache
    def _pg(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self) -> None:
        self.drop_database()
        self._pg(f'CREATE DATABASE "{self.db_name}"')
        self.db_created = True

    def drop_database(self) -> None:
        # FORCE: connections left by an interrupted run would block the drop.
        self._pg(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    def flush_redis(self) -> None:
        import redis

        redis.Redis.from_url(self.redis_url).flushdb()

    def manage(self, *args: str, timeout: float = 900) -> str:
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

    def prepare(self, *, seed: bool = True, collectstatic: bool = False) -> None:
        """A fresh database and Redis DB, migrated (and seeded with the demo data)."""
        self.flush_redis()
        self.create_database()
        log(f"database {self.db_name} re-created, Redis {self.redis_url} emptied; migrating")
        self.manage("migrate", "--noinput", "-v0")
        if collectstatic:
            self.manage("collectstatic", "--noinput", "-v0")
        if seed:
            log("seeding the demo data")
            self.manage("seed_demo")

    def setup_django(self) -> None:
        """Django in this process, with the portal's settings and database, to set up and check results."""
        os.environ.update(self.env())
        for path in reversed(self.env().get("PYTHONPATH", str(ROOT)).split(os.pathsep)):
            if path not in sys.path:
                sys.path.insert(0, path)
        import django

        django.setup()

    # -- processes
    def start(self, name: str, cmd: list[str], env: dict | None = None) -> Proc:
        proc = Proc(name, cmd, env or self.env(), self.workdir / "logs" / f"{name}.log")
        self.procs.append(proc)
        return proc

    def start_gunicorn(
        self,
        *,
        port: int | None = None,
        workers: int = 3,
        threads: int = 1,
        worker_class: str = "",
        tls: tuple[Path, Path] | None = None,
        env: dict | None = None,
        name: str = "gunicorn",
        log_path: Path | None = None,
        timeout: int = 60,
    ) -> Proc:
        port = port or self.port
        if listening(port):
            # Otherwise the run would talk to that other server (an earlier run left up), not to this code.
            raise RuntimeError(f"something already listens on 127.0.0.1:{port}: stop it, or choose another port")
        cmd = [str(VENV_BIN / "gunicorn"), "macnss.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        cmd += ["--workers", str(workers), "--timeout", str(timeout), "--graceful-timeout", "5"]
        if worker_class:
            cmd += ["--worker-class", worker_class]
        if threads > 1:
            cmd += ["--threads", str(threads)]
        if tls:
            cmd += ["--certfile", str(tls[0]), "--keyfile", str(tls[1])]
        log(f"{name}: " + " ".join(cmd[1:]))
        proc = Proc(name, cmd, env or self.env(), log_path or self.workdir / "logs" / f"{name}.log")
        self.procs.append(proc)
        wait_http(f"{'https' if tls else 'http'}://127.0.0.1:{port}/healthz", 60, proc)
        return proc

    def start_worker(
        self,
        name: str = "worker",
        *,
        concurrency: int = 2,
        env: dict | None = None,
        cmd=None,
        queues: str = ALL_QUEUES,
    ) -> Proc:
        cmd = [*(cmd or [str(VENV_BIN / "celery"), "-A", "macnss"]), "worker", "-l", "INFO", "-c", str(concurrency)]
        cmd += ["-Q", queues, "-n", f"{self.name}-{name}-{os.getpid()}@%h", "--without-gossip", "--without-mingle"]
        return self.start(name, cmd, env or self.env(LOG_LEVEL="INFO"))

    def start_beat(self, env: dict | None = None) -> Proc:
        cmd = [str(VENV_BIN / "celery"), "-A", "macnss", "beat", "-l", "INFO"]
        cmd += ["--pidfile", str(self.workdir / "beat.pid"), "-s", str(self.workdir / "beat-schedule")]
        return self.start("beat", cmd, env or self.env(LOG_LEVEL="INFO"))

    def stop_processes(self) -> None:
        while self.procs:
            with contextlib.suppress(Exception):
                self.procs.pop().stop()

    def close(self) -> None:
        self.stop_processes()
        if "django.db" in sys.modules:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
        if self.keep:
            log(f"kept database {self.db_name}, Redis {self.redis_url} and {self.workdir}")
        else:
            if self.db_created:
                with contextlib.suppress(Exception):
                    self.drop_database()
                    log(f"database {self.db_name} dropped")
            with contextlib.suppress(Exception):
                self.flush_redis()
            shutil.rmtree(self.workdir, ignore_errors=True)
        self.services.close()
