"""No Docker engine runs here, so the compose file is checked against the settings it must drive."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from macnss.celery import ALL_QUEUES

ROOT = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
ENV_READ_BY_SETTINGS = set(
    re.findall(r'env(?:\.\w+)?\(\s*"([A-Z0-9_]+)"', (ROOT / "macnss/settings/base.py").read_text())
)


WORKERS = [name for name, service in SERVICES.items() if " worker" in str(service.get("command", ""))]


def test_every_queue_has_its_own_worker():
    served = []
    for name in WORKERS:
        served += re.search(r"-Q (\S+)", SERVICES[name]["command"]).group(1).split(",")
    assert sorted(served) == sorted(ALL_QUEUES.split(",")), "each queue served by exactly one worker service"


def test_all_services_are_there():
    assert {"web", "worker", "beat", "db", "redis", "mailpit", "setup", "clamav"} <= set(SERVICES)


def test_web_runs_gunicorn_on_port_8000_after_migrations_and_demo_data():
    web = SERVICES["web"]
    assert web["command"].startswith("gunicorn macnss.wsgi:application")
    assert "0.0.0.0:8000" in web["command"]
    assert "8000:8000" in web["ports"]
    assert web["depends_on"]["setup"]["condition"] == "service_completed_successfully"
    assert "migrate" in SERVICES["setup"]["command"] and "seed_demo" in SERVICES["setup"]["command"]


def test_worker_and_beat_run_the_project_celery_app():
    for name in WORKERS:
        assert SERVICES[name]["command"].startswith("celery -A macnss worker")
    beat = SERVICES["beat"]["command"]
    assert beat.startswith("celery -A macnss beat")
    assert settings.CELERY_BEAT_SCHEDULER in beat


@pytest.mark.parametrize("name", ["web", "worker", "worker-sms", "worker-email", "worker-pdf", "beat", "setup"])
def test_app_services_share_an_environment_the_settings_understand(name):
    env = SERVICES[name]["environment"]
    module = env["DJANGO_SETTINGS_MODULE"]
    assert (ROOT / (module.replace(".", "/") + ".py")).exists()
    unknown = set(env) - ENV_READ_BY_SETTINGS - {"DJANGO_SETTINGS_MODULE"}
    assert not unknown, f"{name} sets variables no setting reads: {unknown}"
    assert env["DATABASE_URL"].startswith("postgres://")
    if name == "setup":  # migrations go straight to PostgreSQL
        assert "@db:5432/" in env["DATABASE_URL"] and env["DB_BEHIND_PGBOUNCER"] == "false"
    else:  # everything else through PgBouncer in transaction mode
        assert "@pgbouncer:6432/" in env["DATABASE_URL"] and env["DB_BEHIND_PGBOUNCER"] == "true"
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert env["EMAIL_URL"].startswith("smtp://mailpit:")


def test_web_and_workers_share_files_through_the_s3_service_not_a_volume():
    import json

    s3 = SERVICES["s3"]
    port = re.search(r"-s3.port=(\d+)", s3["command"]).group(1)
    [mount] = [v for v in s3["volumes"] if v.endswith(":ro")]
    config = json.loads((ROOT / mount.split(":")[0]).read_text())
    [identity] = config["identities"]
    for name in ["web", "worker", "worker-sms", "worker-email", "worker-pdf", "beat", "setup"]:
        service = SERVICES[name]
        assert "volumes" not in service, f"{name} must not rely on a shared disk"
        env = service["environment"]
        assert env["STORAGE_S3_ENDPOINT_URL"] == f"http://s3:{port}"
        assert {"accessKey": env["STORAGE_S3_ACCESS_KEY"], "secretKey": env["STORAGE_S3_SECRET_KEY"]} in identity[
            "credentials"
        ]
    # The bucket exists before anything stores a file: setup waits for S3 and creates it, the rest wait for setup.
    assert SERVICES["setup"]["depends_on"]["s3"]["condition"] == "service_healthy"
    assert "ensure_storage" in SERVICES["setup"]["command"]


def test_database_credentials_match_the_postgres_service():
    db = SERVICES["db"]["environment"]
    credentials = f"{db['POSTGRES_USER']}:{db['POSTGRES_PASSWORD']}"
    assert SERVICES["setup"]["environment"]["DATABASE_URL"] == f"postgres://{credentials}@db:5432/{db['POSTGRES_DB']}"
    assert (
        SERVICES["web"]["environment"]["DATABASE_URL"] == f"postgres://{credentials}@pgbouncer:6432/{db['POSTGRES_DB']}"
    )


def test_pgbouncer_pools_in_transaction_mode_in_front_of_the_database():
    db, bouncer = SERVICES["db"]["environment"], SERVICES["pgbouncer"]["environment"]
    assert bouncer["PGBOUNCER_POOL_MODE"] == "transaction"
    assert bouncer["POSTGRESQL_HOST"] == "db" and bouncer["PGBOUNCER_PORT"] == "6432"
    assert (bouncer["POSTGRESQL_USERNAME"], bouncer["POSTGRESQL_PASSWORD"]) == (
        db["POSTGRES_USER"],
        db["POSTGRES_PASSWORD"],
    )
    assert bouncer["PGBOUNCER_DATABASE"] == db["POSTGRES_DB"]
    assert "extra_float_digits" in bouncer["PGBOUNCER_IGNORE_STARTUP_PARAMETERS"]


def test_dockerfile_installs_the_pdf_and_font_libraries():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("libharfbuzz-subset0", "fonts-hosny-amiri", "libpango-1.0-0"):
        assert package in dockerfile
    assert "requirements.txt" in dockerfile


def test_clamav_runs_debians_clamd_with_the_repositorys_signatures_mounted():
    clamav = SERVICES["clamav"]
    dockerfile = (ROOT / clamav["build"] / "Dockerfile").read_text()
    assert "FROM debian:" in dockerfile and "clamav-daemon" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "--ping" in dockerfile
    config = (ROOT / clamav["build"] / "clamd-compose.conf").read_text()
    database = re.search(r"^DatabaseDirectory (\S+)$", config, re.MULTILINE).group(1)
    port = re.search(r"^TCPSocket (\d+)$", config, re.MULTILINE).group(1)
    mounts = {target.removesuffix(":ro"): source for source, target in (v.split(":", 1) for v in clamav["volumes"])}
    source = mounts[database]
    assert (ROOT / source).is_dir() and list((ROOT / source).glob("*.ndb")), "the signature directory is mounted"
    assert "ports" not in clamav, "clamd is reached on the compose network only"
    for name in ("web", "worker", "beat", "setup"):
        env = SERVICES[name]["environment"]
        assert env["ANTIVIRUS_BACKEND"] == "clamd"
        assert env["CLAMD_SOCKET"] == f"tcp://clamav:{port}"
    # web, worker and beat start after setup, which waits for a healthy clamd.
    assert SERVICES["setup"]["depends_on"]["clamav"]["condition"] == "service_healthy"


def test_the_signature_database_holds_the_eicar_body_signature():
    from macnss.core.antivirus import EICAR

    line = (ROOT / "deploy/clamav/signatures/macnss-test.ndb").read_text().strip()
    name, target, offset, hex_signature = line.split(":")
    assert (target, offset) == ("0", "*")
    assert bytes.fromhex(hex_signature) == EICAR
