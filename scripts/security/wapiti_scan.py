#!/usr/bin/env python
# ruff: noqa: T201, S603, S607, S310 - a command-line tool: it prints, and runs fixed programs (argument lists, no shell)
"""Black-box scan of a production-like Ma CNSS with Debian's wapiti (issue 8 §4), outside `make test`.

    .venv/bin/python scripts/security/wapiti_scan.py            # at most 15 minutes (--budget 900)

1. Installs Debian's `wapiti` with apt-get when it is missing (as root), creates the PostgreSQL database
   `macnss_wapiti`, empties Redis DB 10, migrates, collects the static files into a temporary folder and
   runs `seed_demo`.
2. Starts gunicorn on https://127.0.0.1:8843/ with the production settings (scripts/security/
   wapiti_settings.py: production + a private STATIC_ROOT + the per-IP form limits off), secrets generated
   for the run, a self-signed certificate (TLS ends in gunicorn, so HSTS, `Secure` and `__Host-` cookies
   and the HTTPS CSRF checks behave as behind the real proxy), Twilio with dummy credentials (no worker
   runs, so no SMS leaves), a CMI gateway URL and store key, and `ANTIVIRUS_BACKEND=clamd` with no clamd
   (uploads are refused as «antivirus indisponible»).
3. Runs wapiti three times, each bounded in time: anonymous from the home page; logged in as the demo
   TNS 100500001 (RIB, pension); logged in as the demo ex-employee 600000101 (TAAWIDATY claim, uploads)
   with an open ASVI payment session for 300000101 (dues page). Modules: xss, permanentxss, sql, blindsql,
   exec, file, redirect, crlf, csrf, http_headers, cookieflags, csp, backup, htaccess, methods (ssrf, nikto,
   wapp and buster need the internet or brute-force; xxe and shellshock target XML parsers and CGI scripts,
   which the portal does not have, and would take the time the others need). The Arabic pages (same
   views), static files, captcha images, the language switch, logout, the password change and the admin
   are not crawled (the last two hash a password on every post).
   Extra probes check the language switch and the login's `next` for open redirects, a forged Host header
   and over-long usernames on both login forms; every CSRF finding is replayed with a good and a wrong
   token (wapiti 3.0.4 does not know Django's `csrfmiddlewaretoken`).
4. Writes the JSON and HTML reports, the server log and a Markdown summary to scripts/security/reports/
   (git-ignored), prints the findings by severity, and exits 1 when any finding is high or critical
   (wapiti's level 3 or 4, anomalies such as HTTP 500 included), when the server logged a 500, when an
   extra probe fails or when a pass could not run.
5. Stops gunicorn, drops the database and empties Redis DB 10, also on Ctrl-C or failure.

Options: --passes anon,tns (a subset), --budget (seconds in all), --crawl-time / --attack-time (seconds per
pass / per module; by default each injection module gets an equal part of the pass's share of the budget),
--keep-rate-limits (scan with the per-IP limits of production on), --keep (leave the database and the
temporary files; the server is always stopped).
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import harness  # noqa: E402
from smtp_sink import smtp_sink  # noqa: E402

sys.path.insert(0, str(ROOT))
REPORTS = HERE / "reports"
PYTHON = sys.executable
SYSTEM_PYTHON = "/usr/bin/python3"  # where Debian installs wapitiCore

LEVELS = {4: "critique", 3: "élevée", 2: "moyenne", 1: "faible", 0: "info"}
HIGH = 3
MODULES = [
    "xss",
    "permanentxss",
    "sql",
    "blindsql",
    "exec",
    "file",
    "redirect",
    "crlf",
    "csrf",
    "http_headers",
    "cookieflags",
    "csp",
    "backup",
    "htaccess",
    "methods",
]
# exec, file, sql, xss and blindsql try dozens of payloads on every parameter of every form and use their
# whole time; redirect, crlf, backup, htaccess and permanentxss take seconds. Six shares: five plus a margin.
HEAVY_SHARES = 6


@dataclass
class Pass:
    name: str
    label: str
    user: str = ""  # demo registration number to log in as
    asvi: str = ""  # ASVI member whose payment session is opened too
    start: list[str] = field(default_factory=list)  # extra start paths
    exclude: list[str] = field(default_factory=list)  # path patterns from the site root, `*` = anything


# Left out of every pass: the Arabic pages (the same views as the French ones, twice the work), the static
# files, the captcha images (a new address on every page, so the crawl never ends) and the language switch
# (one form per page with a different `next`, hundreds of copies; its redirect is probed by extra_probes()).
COMMON_EXCLUDES = ["/ar/*", "/static/*", "/captcha/*", "/i18n/*"]
# Logged-in passes also leave out logout (it would end the session) and the password change, which hashes
# the current password on every post: wapiti would spend the whole pass on its three password fields.
LOGGED_IN_EXCLUDES = ["/compte/deconnexion/*", "/compte/mot-de-passe/*", "/admin/*"]
DEMO_USER = "100500001"  # the demo TNS with a RIB (pension/demo.py)
PASSES = [
    Pass(
        "anon",
        "anonyme (pages publiques, connexion, parcours sans compte)",
        # Not linked from the pages, but public: the CMI return URLs and the receipt check.
        start=["/paiement/cmi/ok/", "/paiement/cmi/fail/", "/taawidaty/verifier-un-accuse/"],
        # The admin login hashes a password on every post (about 0.3 s): wapiti would spend the pass there.
        # extra_probes() covers it.
        exclude=[*COMMON_EXCLUDES, "/admin/*"],
    ),
    Pass(
        "tns",
        "connecté : TNS 100500001 (RIB, pension)",
        user=DEMO_USER,
        start=["/compte/", "/compte/demandes/", "/compte/rib/", "/pension/"],
        exclude=[*COMMON_EXCLUDES, *LOGGED_IN_EXCLUDES],
    ),
    Pass(
        "taawidaty",
        "connecté : ex-salarié 600000101 (TAAWIDATY, pièces) + paiement ASVI de 300000101",
        user="600000101",
        asvi="300000101",
        start=["/compte/", "/compte/demandes/", "/taawidaty/", "/paiement/assure-asvi/creances/"],
        exclude=[*COMMON_EXCLUDES, *LOGGED_IN_EXCLUDES],
    ),
]


def log(message: str) -> None:
    print(f"[wapiti-scan {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --------------------------------------------------------------------------------------------- the instance


class Instance:
    """The portal under attack (scripts/harness.py) and the scan's options; `close()` undoes everything."""

    def __init__(self, args):
        self.args = args
        self.port = args.port
        self.base = f"https://127.0.0.1:{self.port}"
        self.portal = harness.Portal(
            "wapiti", port=args.port, db_name=args.db_name, redis_db=args.redis_db, keep=args.keep
        )
        self.tmp = self.portal.workdir
        self.services = self.portal.services
        self.smtp = smtp = self.services.enter_context(smtp_sink())
        self.portal.extra_env.update(
            harness.production_env(label="scan", public_base_url=self.base, email_url=smtp.url)
        )
        self.portal.extra_env.update(
            {
                "DJANGO_SETTINGS_MODULE": "wapiti_settings",
                "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT)]),
                "CLAMD_SOCKET": str(self.tmp / "no-clamd.ctl"),
                "WAPITI_STATIC_ROOT": str(self.tmp / "static"),
                "WAPITI_RATE_LIMITS": "on" if args.keep_rate_limits else "off",
            }
        )
        self.env = self.portal.env()

    def prepare(self) -> None:
        log("migrate, collectstatic, seed_demo (production settings)")
        self.portal.prepare(collectstatic=True)

    def session_for(self, number: str, asvi: str) -> dict:
        argv = [PYTHON, str(HERE / "make_session.py"), number] + (["--asvi", asvi] if asvi else [])
        out = subprocess.run(argv, cwd=ROOT, env=self.env, check=True, text=True, capture_output=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    # -- gunicorn over TLS
    def certificate(self) -> tuple[Path, Path]:
        cert, key = self.tmp / "cert.pem", self.tmp / "key.pem"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-keyout",
                str(key),
                "-out",
                str(cert),
            ],
            check=True,
            capture_output=True,
        )
        return cert, key

    def start_server(self, log_path: Path) -> None:
        # TLS ends in gunicorn, so that HSTS, `Secure` cookies and the HTTPS CSRF checks behave as in production.
        log(f"gunicorn (TLS, production settings) on {self.base}/, log {log_path.relative_to(ROOT)}")
        self.portal.start_gunicorn(
            workers=2, worker_class="gthread", threads=4, tls=self.certificate(), log_path=log_path, timeout=30
        )

    def close(self) -> None:
        self.portal.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=harness.LOOPBACK_TLS), _NoRedirect)


def request(url: str, *, data: bytes | None = None, headers: dict | None = None):
    """Status, headers and body of one request (redirects not followed)."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
    try:
        with _opener.open(req, timeout=10) as response:
            return response.status, response.headers, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode("utf-8", "replace")


def fetch(url: str, cookie: str = "") -> tuple[int, str]:
    """Status and Location of one GET."""
    status, headers, _ = request(url, headers={"Cookie": cookie} if cookie else {})
    return status, headers.get("Location", "")


# --------------------------------------------------------------------------------------------- wapiti


def ensure_wapiti() -> None:
    if shutil.which("wapiti"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing Debian's wapiti (apt-get install -y wapiti)")
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "wapiti"],
            check=True,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        if shutil.which("wapiti"):
            return
    raise SystemExit("wapiti is needed: sudo apt-get install wapiti (Debian 12: wapiti 3.0.4)")


def wapiti_version() -> str:
    out = subprocess.run(["wapiti", "--version"], capture_output=True, text=True).stdout
    return next((line.strip() for line in reversed(out.splitlines()) if line.strip()), "wapiti ?")


def write_cookie_file(path: Path, cookie_name: str, value: str) -> None:
    """wapiti's JSON cookie jar: {domain: {path: {name: attributes}}}."""
    attributes = {"value": value, "expires": None, "secure": True, "port": None, "version": 0}
    path.write_text(json.dumps({"127.0.0.1": {"/": {cookie_name: attributes}}}))


def run_pass(instance: Instance, scan: Pass, stamp: str, share: float) -> dict:
    """One wapiti run; returns the summary of its JSON report."""
    args = instance.args
    base = instance.base
    # The heavy injection modules share what the crawl leaves; the header/cookie/CSRF checks take seconds.
    attack_time = args.attack_time or max(8, int((share - args.crawl_time - 60) / HEAVY_SHARES))
    work = instance.tmp / f"wapiti-{scan.name}"
    work.mkdir()
    report_json = REPORTS / f"{stamp}-{scan.name}.json"
    cookie = ""
    argv = [
        SYSTEM_PYTHON,
        str(HERE / "wapiti_launcher.py"),
        "--url",
        f"{base}/",
        "--scope",
        "folder",
        "--store-session",
        str(work),
        "--store-config",
        str(work),
        "--max-scan-time",
        str(args.crawl_time),
        "--max-attack-time",
        str(attack_time),
        "--timeout",
        "10",
        "--verify-ssl",
        "0",
        "--no-bugreport",  # wapiti would otherwise upload crash reports to wapiti3.ovh
        "--verbose",
        "1",
    ]
    for path in scan.start:
        argv += ["--start", f"{base}{path}"]
    for pattern in scan.exclude:
        argv += ["--exclude", f"{base}{pattern}"]
    if scan.user:
        session = instance.session_for(scan.user, scan.asvi)
        cookie = f"{session['cookie_name']}={session['session_key']}"
        cookie_file = work / "cookies.json"
        write_cookie_file(cookie_file, session["cookie_name"], session["session_key"])
        argv += ["--cookie", str(cookie_file)]
        status, location = fetch(f"{base}/compte/", cookie)
        if status != 200:
            raise RuntimeError(f"the {scan.user} session does not open /compte/ ({status} → {location})")
        log(f"session of {scan.user} ({session['first_name']}) opens /compte/")

    # wapiti's own limits (crawl, then each module) are soft: a module stops only between two requests of
    # its list. The hard limit is this pass's share of the overall budget.
    limit = share
    log(f"pass «{scan.name}»: {scan.label} (at most {limit:.0f} s)")
    output = REPORTS / f"{stamp}-{scan.name}.log"
    started = time.monotonic()
    attack = ["--module", ",".join(MODULES), "--flush-session", "--format", "json", "--output", str(report_json)]
    timed_out = _wapiti(argv + attack, output, limit)
    elapsed = time.monotonic() - started
    if not report_json.exists():
        raise RuntimeError(f"wapiti wrote no report for pass {scan.name}: see {output}")
    # Same session, no crawl and no module: wapiti only renders the stored findings as HTML.
    with contextlib.suppress(Exception):
        html = ["--skip-crawl", "--module=-all", "--format", "html", "--output", str(REPORTS / f"{stamp}-{scan.name}")]
        _wapiti(
            argv + html,
            REPORTS / f"{stamp}-{scan.name}-html.log",
            120,
        )
    summary = summarize(report_json, work)
    for finding in summary["findings"]:
        if finding["category"] == "Cross Site Request Forgery":
            finding["verified"] = check_csrf(base, finding, cookie)
    summary.update(
        name=scan.name,
        label=scan.label,
        seconds=round(elapsed),
        attack_time=attack_time,
        timed_out=timed_out,
        report=str(report_json.relative_to(ROOT)),
    )
    if scan.user:
        status, location = fetch(f"{base}/compte/", cookie)
        summary["session_alive"] = status == 200
        if status != 200:
            log(f"warning: the session of {scan.user} ended during the pass ({status} → {location})")
    return summary


def _wapiti(argv: list[str], output: Path, limit: float) -> bool:
    """Runs wapiti, its output time-stamped in `output`; True when it had to be stopped at `limit` seconds."""
    with open(output, "w") as out:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=HERE,
            text=True,
            errors="replace",
        )

        def copy() -> None:
            for line in process.stdout:
                out.write(f"{time.strftime('%H:%M:%S')} {line}")
                out.flush()

        reader = threading.Thread(target=copy, daemon=True)
        reader.start()
        try:
            process.wait(timeout=limit)
            reader.join(timeout=5)
            return False
        except subprocess.TimeoutExpired:
            pass
        # Ctrl-C stops the crawl; during an attack wapiti asks what to do and, in 3.0.4, "r" (report) only
        # moves on to the next module: repeat until every module is skipped and the report is written.
        for _ in range(20):
            with contextlib.suppress(OSError, ValueError):
                os.killpg(process.pid, signal.SIGINT)
                process.stdin.write("r\n")
                process.stdin.flush()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=3)
                reader.join(timeout=5)
                return True
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
        reader.join(timeout=5)
        return True


def check_csrf(base: str, finding: dict, session_cookie: str) -> str:
    """wapiti 3.0.4 does not know Django's field name `csrfmiddlewaretoken`, so it reports forms as lacking
    a token. Replay the reported form twice with a fresh CSRF cookie: with the matching token it must get
    past the CSRF check, with a wrong token Django must answer 403. Returns what was observed."""
    raw = finding["http_request"]
    body = raw.split("\n\n", 1)[1].strip() if "\n\n" in raw else ""
    if "csrfmiddlewaretoken=" not in body:
        return "pas de champ csrfmiddlewaretoken dans la requête rapportée"
    status, headers, html = request(f"{base}/compte/connexion/")
    cookie = next((c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or [] if "csrftoken=" in c), "")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not (cookie and match):
        return f"contrôle impossible (page de connexion : {status})"
    cookies = "; ".join(filter(None, [session_cookie, cookie]))
    url = f"{base}{finding['path']}"
    observed = []
    for token in (match.group(1), "wapiti"):
        fields = [(k, token if k == "csrfmiddlewaretoken" else v) for k, v in urllib.parse.parse_qsl(body, True)]
        status, _, _ = request(
            url,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Cookie": cookies, "Referer": url, "Content-Type": "application/x-www-form-urlencoded"},
        )
        observed.append(status)
    verdict = "faux positif" if observed[0] != 403 and observed[1] == 403 else "⚠ à examiner"
    return f"bon jeton → {observed[0]}, jeton faux → {observed[1]} : {verdict}"


def _form(base: str, path: str, cookie: str = "") -> tuple[str, str]:
    """CSRF cookie and hidden token of a page's form (a fresh anonymous visit unless `cookie`)."""
    _, headers, html = request(f"{base}{path}", headers={"Cookie": cookie} if cookie else {})
    csrf = next((c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or [] if "csrftoken=" in c), "")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return csrf, match.group(1) if match else ""


def _same_site(base: str, location: str) -> bool:
    """A redirect that stays on the portal: a path, or an absolute URL on the portal's own origin."""
    if location.startswith(("//", "/\\")):
        return False
    parts = urllib.parse.urlsplit(location)
    return (not parts.scheme and not parts.netloc and location.startswith("/")) or location.startswith(f"{base}/")


def extra_probes(base: str, demo_number: str) -> list[dict]:
    """What the passes leave out or wapiti 3.0.4 cannot see: open redirects through the language switch and
    the login's `next`, over-long or hostile values on the login forms and the password change, and a
    forged Host header."""
    from macnss.core.demo_support import DEMO_PASSWORD

    evil = "https://evil.example/phish"
    results = []

    session = ""

    def post(path: str, fields: dict, cookie: str) -> tuple[int, str]:
        nonlocal session
        status, headers, _ = request(
            f"{base}{path}",
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Cookie": cookie, "Referer": f"{base}/", "Content-Type": "application/x-www-form-urlencoded"},
        )
        for cookie_line in headers.get_all("Set-Cookie") or []:
            if "sessionid=" in cookie_line:
                session = cookie_line.split(";", 1)[0]
        return status, headers.get("Location", "")

    for target in (evil, "//evil.example/phish", "/\\evil.example"):
        csrf, token = _form(base, "/")
        status, location = post(
            "/i18n/setlang/", {"csrfmiddlewaretoken": token, "language": "ar", "next": target}, csrf
        )
        local = _same_site(base, location)
        results.append(
            {
                "probe": f"POST /i18n/setlang/ next={target}",
                "ok": status == 302 and local,
                "seen": f"{status} → {location}",
            }
        )
        csrf, token = _form(base, "/compte/connexion/")
        status, location = post(
            f"/compte/connexion/?next={urllib.parse.quote(target, safe='')}",
            {"csrfmiddlewaretoken": token, "username": demo_number, "password": DEMO_PASSWORD, "next": target},
            csrf,
        )
        local = _same_site(base, location)
        results.append(
            {
                "probe": f"connexion de {demo_number}, next={target}",
                "ok": status == 302 and local,
                "seen": f"{status} → {location}",
            }
        )
    # Django's AuthenticationForm does not validate the username's length; the lockout log once stored it
    # in a varchar(255) column, which PostgreSQL refused (a 500).
    csrf, token = _form(base, "/admin/login/")
    status, _ = post("/admin/login/", {"csrfmiddlewaretoken": token, "username": "a" * 300, "password": "x"}, csrf)
    results.append(
        {"probe": "POST /admin/login/ avec un identifiant de 300 caractères", "ok": status != 500, "seen": str(status)}
    )
    csrf, token = _form(base, "/compte/connexion/")
    status, _ = post("/compte/connexion/", {"csrfmiddlewaretoken": token, "username": "1" * 300, "password": "x"}, csrf)
    results.append(
        {"probe": "POST /compte/connexion/ avec un numéro de 300 chiffres", "ok": status != 500, "seen": str(status)}
    )
    # The password change (not crawled: it hashes on every post), with the last login's session.
    hostile = {"old_password": "x" * 10_000, "new_password1": "<script>alert(1)</script>\x00", "new_password2": "'--"}
    csrf, token = _form(base, "/compte/mot-de-passe/", session)
    status, _ = post("/compte/mot-de-passe/", {"csrfmiddlewaretoken": token, **hostile}, f"{session}; {csrf}")
    results.append(
        {"probe": "POST /compte/mot-de-passe/ avec des valeurs hostiles", "ok": status == 200, "seen": str(status)}
    )
    status, _, _ = request(f"{base}/", headers={"Host": "evil.example"})
    results.append({"probe": "GET / avec Host: evil.example", "ok": status == 400, "seen": str(status)})
    return results


def server_errors(log_path: Path) -> list[str]:
    """`path — exception` for each «Internal Server Error» the portal logged."""
    if not log_path.exists():
        return []
    lines = log_path.read_text(errors="replace").splitlines()
    errors = []
    for index, line in enumerate(lines):
        if "ERROR django.request Internal Server Error:" not in line:
            continue
        path = line.split("Internal Server Error:", 1)[1].strip()
        cause = next(
            (
                candidate.strip()
                for candidate in lines[index + 1 : index + 400]
                if re.match(r"^[A-Za-z_][\w.]*(Error|Exception)\b.*", candidate)
            ),
            "?",
        )
        errors.append(f"{path} — {cause[:160]}")
    return errors


def summarize(report_json: Path, work: Path) -> dict:
    report = json.loads(report_json.read_text())
    findings = []
    for kind in ("vulnerabilities", "anomalies", "additionals"):
        for category, items in (report.get(kind) or {}).items():
            for item in items:
                findings.append(
                    {
                        "kind": kind,
                        "category": category,
                        "level": int(item.get("level") or 0),
                        "method": item.get("method", ""),
                        "path": item.get("path", ""),
                        "parameter": item.get("parameter", ""),
                        "info": item.get("info", ""),
                        "http_request": item.get("http_request", ""),
                    }
                )
    crawled = forms = 0
    attacked = Counter()
    for database in work.glob("*.db"):
        with contextlib.suppress(sqlite3.Error), sqlite3.connect(database) as conn:
            crawled += conn.execute("SELECT COUNT(*) FROM paths WHERE evil = 0").fetchone()[0]
            forms += conn.execute("SELECT COUNT(*) FROM paths WHERE evil = 0 AND method = 'POST'").fetchone()[0]
            for module, count in conn.execute("SELECT module_name, COUNT(*) FROM attack_log GROUP BY module_name"):
                attacked[module] += count
    return {
        "attacked": attacked,
        "findings": findings,
        "by_level": Counter(f["level"] for f in findings),
        "crawled": crawled,
        "forms": forms,
        "wapiti": report.get("infos", {}).get("version", ""),
    }


# --------------------------------------------------------------------------------------------- report


def render(results, *, stamp: str, version: str, errors: list, crashes: list, probes: list, args) -> str:
    limits = "actives" if args.keep_rate_limits else "coupées (testées dans tests/security/)"
    lines = [
        f"# Scan wapiti du {stamp}",
        "",
        f"- Outil : {version} (paquet Debian), modules : {', '.join(MODULES)}",
        f"- Cible : https://127.0.0.1:{args.port}/ — gunicorn (TLS local), réglages `macnss.settings.production` "
        f"(via `scripts/security/wapiti_settings.py`), PostgreSQL, Redis, données `seed_demo` ; "
        f"limites par IP des formulaires publics {limits}",
        f"- Bornes : exploration {args.crawl_time} s par passe, "
        f"{' / '.join(str(r['attack_time']) for r in results)} s par module selon la passe, {args.budget} s au total",
        f"- Erreurs 500 dans le journal du serveur : {len(crashes)}",
        "",
        "| passe | requêtes explorées (dont POST) | critique | élevée | moyenne | faible | info | durée |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        levels = result["by_level"]
        note = " (arrêtée à la limite)" if result["timed_out"] else ""
        session = "" if result.get("session_alive", True) else " ⚠ session perdue"
        lines.append(
            f"| {result['name']} : {result['label']}{session} | {result['crawled']} ({result['forms']}) "
            f"| {levels[4]} | {levels[3]} | {levels[2]} | {levels[1]} | {levels[0]} | {result['seconds']} s{note} |"
        )
    lines += ["", "Requêtes attaquées par module (une requête = une URL ou un formulaire exploré) :", ""]
    lines += ["| module | " + " | ".join(r["name"] for r in results) + " |", "|---" * (len(results) + 1) + "|"]
    for module in MODULES:
        lines.append(f"| {module} | " + " | ".join(str(r["attacked"][module]) for r in results) + " |")
    lines += ["", "## Constats", ""]
    seen = set()
    for result in results:
        for finding in sorted(result["findings"], key=lambda f: (-f["level"], f["category"], f["path"])):
            key = (finding["level"], finding["category"], finding["path"], finding["parameter"], finding["info"])
            if key in seen:
                continue
            seen.add(key)
            where = f"{finding['method']} {finding['path']}" + (
                f" (paramètre `{finding['parameter']}`)" if finding["parameter"] else ""
            )
            info = " ".join(str(finding["info"]).split())[:200]
            checked = f" — contrôle : {finding['verified']}" if finding.get("verified") else ""
            lines.append(
                f"- [{LEVELS.get(finding['level'], finding['level'])}] {finding['category']} "
                f"— {where} — passe {result['name']} — {info}{checked}"
            )
    if not seen:
        lines.append("- aucun")
    if probes:
        lines += ["", "## Contrôles complémentaires", ""]
        lines += [f"- {'ok' if p['ok'] else '⚠ ÉCHEC'} — {p['probe']} — {p['seen']}" for p in probes]
    if crashes:
        lines += ["", "## Erreurs 500 du serveur (journal gunicorn)", ""]
        lines += [f"- {count} × {crash}" for crash, count in Counter(crashes).most_common()]
    if errors:
        lines += ["", "## Passes en échec", "", *[f"- {error}" for error in errors]]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description="wapiti scan of a production-like Ma CNSS on loopback")
    parser.add_argument("--port", type=int, default=8843)
    parser.add_argument("--db-name", default="macnss_wapiti")
    parser.add_argument("--redis-db", type=int, default=10)
    parser.add_argument("--passes", default=",".join(p.name for p in PASSES))
    parser.add_argument("--crawl-time", type=int, default=40, help="seconds of crawling per pass")
    parser.add_argument(
        "--attack-time", type=int, default=0, help="seconds per attack module (default: from the pass's share)"
    )
    parser.add_argument("--budget", type=int, default=15 * 60, help="overall limit in seconds")
    parser.add_argument("--keep-rate-limits", action="store_true", help="keep production's per-IP form limits")
    parser.add_argument("--keep", action="store_true", help="leave the database and temporary files")
    args = parser.parse_args()
    if not 8800 <= args.port <= 8899:
        parser.error("the scan uses ports 8800-8899")
    wanted = args.passes.split(",")
    passes = [p for p in PASSES if p.name in wanted]
    if not passes:
        parser.error(f"--passes: choose among {', '.join(p.name for p in PASSES)}")

    deadline = time.monotonic() + args.budget
    harness.interruptible()  # SIGTERM stops the server and drops the database too
    ensure_wapiti()
    version = wapiti_version()
    REPORTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).astimezone().strftime("%Y-%m-%dT%H%M%S")
    instance = Instance(args)
    results, errors, probes = [], [], []
    server_log = REPORTS / f"{stamp}-gunicorn.log"
    interrupted = False
    try:
        instance.prepare()
        instance.start_server(server_log)
        for index, scan in enumerate(passes):
            # What is left, shared between the passes still to run (30 s kept for the HTML report and cleanup).
            share = (deadline - time.monotonic() - 30) / (len(passes) - index) - 15
            if share < 90:
                errors.append(f"{scan.name}: not run, the overall budget of {args.budget} s is spent")
                continue
            try:
                results.append(run_pass(instance, scan, stamp, share))
            except (RuntimeError, subprocess.CalledProcessError) as exc:
                errors.append(f"{scan.name}: {exc}")
                log(f"pass «{scan.name}» failed: {exc}")
        log("extra probes: open redirects (language switch, login next), forged Host")
        try:
            probes = extra_probes(instance.base, DEMO_USER)
        except (OSError, ValueError) as exc:
            errors.append(f"extra probes: {exc}")
    except KeyboardInterrupt:
        interrupted = True
    finally:
        instance.close()
    if interrupted:
        log("interrupted")
        return 130

    crashes = server_errors(server_log)
    if any("OperationalError" in crash for crash in crashes):
        # Not the portal's fault: PostgreSQL went away under it (another job restarting it?). Run again.
        errors.append("PostgreSQL unavailable during the scan (OperationalError in the server log): run it again")
    summary = render(results, stamp=stamp, version=version, errors=errors, crashes=crashes, probes=probes, args=args)
    (REPORTS / f"{stamp}-summary.md").write_text(summary)
    (REPORTS / "latest-summary.md").write_text(summary)
    print()
    print(summary)
    high = sum(r["by_level"][3] + r["by_level"][4] for r in results)
    log(f"reports in {REPORTS.relative_to(ROOT)}/{stamp}-*")
    # A 500 in the server log counts as high even when wapiti did not see it (wapiti's own 500 anomalies are
    # level 3 too).
    failed_probes = [p for p in probes if not p["ok"]]
    if high or errors or crashes or failed_probes:
        log(
            f"FAILED: {high} high/critical finding(s), {len(crashes)} server error(s), "
            f"{len(failed_probes)} failed probe(s), {len(errors)} pass error(s)"
        )
        return 1
    log("OK: no high or critical finding")
    return 0


if __name__ == "__main__":
    sys.exit(main())
