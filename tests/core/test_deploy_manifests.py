"""No cluster runs in CI: the Kubernetes manifests (deploy/kubernetes/) are loaded and checked against the
settings they must drive, as tests/core/test_compose.py does for docker-compose."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import resolve

from macnss.celery import ALL_QUEUES

ROOT = Path(settings.BASE_DIR)
KUBE = ROOT / "deploy" / "kubernetes"
ENV_READ_BY_SETTINGS = set(
    re.findall(
        r'env(?:\.\w+)?\(\s*"([A-Z0-9_]+)"',
        (ROOT / "macnss/settings/base.py").read_text() + (ROOT / "macnss/settings/production.py").read_text(),
    )
)


def documents(name: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all((KUBE / name).read_text()) if doc]


KUSTOMIZATION = documents("kustomization.yaml")[0]
RESOURCES = [doc for name in KUSTOMIZATION["resources"] for doc in documents(name)]
DEPLOYMENTS = {doc["metadata"]["name"]: doc for doc in RESOURCES if doc["kind"] == "Deployment"}
CONFIG = next(doc for doc in RESOURCES if doc["kind"] == "ConfigMap")
SECRET = documents("secret.example.yaml")[0]
PORTAL = {name: doc for name, doc in DEPLOYMENTS.items() if name.startswith("macnss-")}


def container(deployment: dict, name: str | None = None) -> dict:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    return containers[0] if name is None else next(c for c in containers if c["name"] == name)


def test_every_file_loads_and_is_listed():
    listed = set(KUSTOMIZATION["resources"])
    present = {p.name for p in KUBE.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert listed == present
    for doc in RESOURCES:
        assert {"apiVersion", "kind", "metadata"} <= set(doc)


def test_the_portal_runs_one_image_with_the_production_settings():
    assert set(PORTAL) >= {"macnss-web", "macnss-beat"}
    for name, deployment in PORTAL.items():
        main = container(deployment)
        assert main["image"] == "macnss", name
        refs = {next(iter(ref.values()))["name"] for ref in main["envFrom"]}
        assert refs == {"macnss-config", "macnss-secrets"}, name
    assert CONFIG["data"]["DJANGO_SETTINGS_MODULE"] == "macnss.settings.production"


def test_configuration_and_secrets_are_settings_the_project_reads():
    names = set(CONFIG["data"]) | set(SECRET["stringData"])
    unknown = names - ENV_READ_BY_SETTINGS - {"DJANGO_SETTINGS_MODULE"}
    assert not unknown, f"variables no setting reads: {unknown}"
    assert CONFIG["data"]["PUBLIC_BASE_URL"].startswith("https://")
    assert CONFIG["data"]["ANTIVIRUS_BACKEND"] == "clamd" and CONFIG["data"]["SMS_BACKEND"] == "twilio"
    assert CONFIG["data"]["MOCK_CMI_ENABLED"] == "false"
    assert all(value == "replace-me" or "replace-me" in value for value in SECRET["stringData"].values())


def test_web_nodes_run_gunicorn_with_liveness_and_readiness_the_urlconf_serves():
    web = container(DEPLOYMENTS["macnss-web"], "web")
    assert web["command"][:2] == ["gunicorn", "macnss.wsgi:application"]
    assert resolve(web["livenessProbe"]["httpGet"]["path"]).url_name == "healthz"
    assert resolve(web["readinessProbe"]["httpGet"]["path"]).url_name == "readyz"
    sidecar = container(DEPLOYMENTS["macnss-web"], "clamd")
    socket_dir = str(Path(CONFIG["data"]["CLAMD_SOCKET"]).parent)
    assert socket_dir in {m["mountPath"] for m in sidecar["volumeMounts"]}
    assert socket_dir in {m["mountPath"] for m in web["volumeMounts"]}


def test_every_queue_has_exactly_one_worker_deployment_and_beat_runs_once():
    served = []
    for deployment in PORTAL.values():
        command = container(deployment)["command"]
        if command[:4] == ["celery", "-A", "macnss", "worker"]:
            served += command[command.index("-Q") + 1].split(",")
    assert sorted(served) == sorted(ALL_QUEUES.split(","))
    beat = DEPLOYMENTS["macnss-beat"]
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"]["type"] == "Recreate"
    assert settings.CELERY_BEAT_SCHEDULER in container(beat)["command"]


def test_the_database_goes_through_pgbouncer_in_transaction_mode():
    assert "@pgbouncer:6432/" in SECRET["stringData"]["DATABASE_URL"]
    env = {item["name"]: item.get("value") for item in container(DEPLOYMENTS["pgbouncer"])["env"]}
    assert env["PGBOUNCER_POOL_MODE"] == "transaction"


@pytest.mark.parametrize("name", ["macnss-web"])
def test_rollouts_never_take_capacity_away(name):
    assert DEPLOYMENTS[name]["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_the_portal_is_told_it_sits_behind_pgbouncer():
    assert CONFIG["data"]["DB_BEHIND_PGBOUNCER"] == "true"
