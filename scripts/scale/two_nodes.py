# ruff: noqa: T201, S603, S607, S108 - operator script: it prints and runs fixed local commands
"""Any node serves any request (issue 20 §2): two gunicorn nodes behind HAProxy (round robin, loopback),
two Celery workers, PostgreSQL through PgBouncer (transaction mode), Redis and SeaweedFS (S3).

    .venv/bin/python scripts/scale/two_nodes.py

1. A TAAWIDATY claim is created, its documents uploaded and its receipt downloaded, every request
   landing on alternating nodes (HAProxy names the node in X-Node).
2. An ASVI payment is made; CMI's callback goes to the other node than the one that served the order.
3. A second claim: node A is stopped in the middle of it; the journey goes on through node B.
Each node has its own MEDIA_ROOT, which must stay unused: files live in the bucket only.
Installs haproxy and pgbouncer from Debian when root and missing. Exit code 0 when every check passes.
"""

import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT / "scripts" / "faults"), str(ROOT / "scripts")]

import fault_run  # noqa: E402
import harness  # noqa: E402
import journeys  # noqa: E402
from fault_run import Report  # noqa: E402
from harness import Portal, Proc, log  # noqa: E402

LB_PORT, NODE_A, NODE_B = 8790, 8791, 8792
BUCKET = "macnss-scale"
PGBOUNCER_PORT = 6432


def ensure_package(command: str, package: str) -> str:
    found = shutil.which(command) or (f"/usr/sbin/{command}" if Path(f"/usr/sbin/{command}").exists() else None)
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", package], check=True)
    return shutil.which(command) or f"/usr/sbin/{command}"


def service_env(script: str, **extra: str) -> dict:
    out = subprocess.run(
        [str(ROOT / "scripts" / "services" / script), "env"],
        env={"PATH": "/usr/bin:/bin", **extra},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(line.split("=", 1) for line in out.split())


def start_haproxy(run: Portal, binary: str) -> Proc:
    config = run.workdir / "haproxy.cfg"
    config.write_text(f"""
global
    maxconn 512
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    option redispatch
    retries 3
    retry-on conn-failure empty-response 503
frontend portal
    bind 127.0.0.1:{LB_PORT}
    option forwardfor
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk GET /healthz
    http-response set-header X-Node %[srv_name]
    server node-a 127.0.0.1:{NODE_A} check inter 300 fall 1 rise 2
    server node-b 127.0.0.1:{NODE_B} check inter 300 fall 1 rise 2
""")
    proc = run.start("haproxy", [binary, "-db", "-f", str(config)])
    harness.wait_http(f"http://127.0.0.1:{LB_PORT}/healthz", 30, proc)
    return proc


def wait_for_receipt(client: journeys.Client, public_id: str, timeout: float = 90) -> bytes | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.session.get(f"{client.base_url}/taawidaty/demandes/{public_id}/accuse/", timeout=30)
        if response.status_code == 200 and response.content.startswith(b"%PDF-"):
            return response.content
        time.sleep(0.5)
    return None


def alternation(nodes: list[str]) -> float:
    """Share of consecutive requests that changed node (1.0 = perfect round robin)."""
    pairs = list(zip(nodes, nodes[1:], strict=False))
    return sum(a != b for a, b in pairs) / len(pairs) if pairs else 0.0


def main() -> int:
    report = Report("two_nodes")
    haproxy_bin = ensure_package("haproxy", "haproxy")
    subprocess.run(
        [str(ROOT / "scripts" / "services" / "seaweedfs.sh"), "start"],
        check=True,
        env={**__import__("os").environ, "SEAWEEDFS_BUCKET": BUCKET},
    )
    subprocess.run([str(ROOT / "scripts" / "services" / "pgbouncer.sh"), "start"], check=True)
    s3 = service_env("seaweedfs.sh", SEAWEEDFS_BUCKET=BUCKET)
    shared = {
        **s3,
        "DB_BEHIND_PGBOUNCER": "true",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{LB_PORT}",
        "TRUSTED_PROXY_COUNT": "1",
        "PROXY_COUNT": "1",
    }
    run = fault_run.portal("scale", LB_PORT, shared)
    through_pgbouncer = run.db_url.replace(f":{harness.PG_PORT}/", f":{PGBOUNCER_PORT}/")
    node_media = {name: run.workdir / f"{name}-media" for name in ("node-a", "node-b", "worker-1", "worker-2")}
    try:
        fault_run.prepare(run)  # migrations and demo data directly on PostgreSQL
        run.manage("ensure_storage")
        node_a = run.start_gunicorn(
            workers=2,
            threads=2,
            port=NODE_A,
            name="node-a",
            env=run.env(DATABASE_URL=through_pgbouncer, MEDIA_ROOT=node_media["node-a"]),
        )
        run.start_gunicorn(
            workers=2,
            threads=2,
            port=NODE_B,
            name="node-b",
            env=run.env(DATABASE_URL=through_pgbouncer, MEDIA_ROOT=node_media["node-b"]),
        )
        start_haproxy(run, haproxy_bin)
        for name in ("worker-1", "worker-2"):
            run.start_worker(
                name,
                concurrency=1,
                env=run.env(DATABASE_URL=through_pgbouncer, MEDIA_ROOT=node_media[name], LOG_LEVEL="INFO"),
            )
        run.setup_django()

        # 1. A claim, its documents and its receipt, over both nodes.
        claimant = journeys.make_claimant(1)
        client = journeys.Client(run.base_url, "claimant")
        served_by: list[str] = []
        client.session.hooks["response"].append(lambda r, *a, **k: served_by.append(r.headers.get("X-Node", "?")))
        public_id = journeys.taawidaty_claim(client, claimant.immatriculation_number, journeys.tiny_pdf())
        receipt = wait_for_receipt(client, public_id)
        report.check(receipt is not None, "claim: the receipt built by a worker downloads through the load balancer")
        report.check(
            set(served_by) == {"node-a", "node-b"},
            "claim: requests landed on both nodes",
            f"{len(served_by)} requests: {served_by}",
        )
        report.check(
            alternation(served_by) >= 0.8,
            "claim: consecutive requests alternate between the nodes",
            f"{alternation(served_by):.0%} changed node",
        )

        # 2. An ASVI payment whose callback reaches the other node than the browser's last request.
        from django.conf import settings

        member = journeys.make_asvi_member(1)
        payer = journeys.Client(run.base_url, "payer")
        payer_nodes: list[str] = []
        payer.session.hooks["response"].append(lambda r, *a, **k: payer_nodes.append(r.headers.get("X-Node", "?")))
        callback_node = {}

        def other_node() -> str:
            callback_node["browser"] = payer_nodes[-1]
            callback_node["name"] = "node-b" if payer_nodes[-1] == "node-a" else "node-a"
            return f"http://127.0.0.1:{NODE_B if callback_node['name'] == 'node-b' else NODE_A}"

        oid = journeys.asvi_payment(
            payer, member.immatriculation_number, store_key=settings.CMI_STORE_KEY, callback_base_url=other_node
        )
        from asvi_payment.models import PaymentOrder

        order = PaymentOrder.objects.get(oid=oid)
        report.check(
            order.status == "paid",
            "ASVI: the order is paid after a callback on the other node",
            f"order {oid}: {order.status}; browser's last request on {callback_node.get('browser')}, callback on {callback_node.get('name')}",
        )
        report.check(
            harness.wait_until(lambda: PaymentOrder.objects.get(oid=oid).receipt_pdf.name != "", 90),
            "ASVI: a worker stored the receipt PDF in the bucket",
        )

        # 3. Node A stops in the middle of a second claim; the journey goes on through node B.
        claimant2 = journeys.make_claimant(2)
        client2 = journeys.Client(run.base_url, "claimant-during-outage")
        seen: list[str] = []

        def stop_a_midway(response, *args, **kwargs):
            seen.append(response.headers.get("X-Node", "?"))
            if len(seen) == 4 and node_a.alive():
                log("stopping node A in the middle of the journey")
                node_a.stop()

        client2.session.hooks["response"].append(stop_a_midway)
        public_id2 = journeys.taawidaty_claim(client2, claimant2.immatriculation_number, journeys.tiny_pdf())
        receipt2 = wait_for_receipt(client2, public_id2)
        report.check(not node_a.alive(), "outage: node A was stopped during the journey")
        report.check(
            receipt2 is not None and set(seen[5:]) == {"node-b"},
            "outage: the journey finished on node B and its receipt downloads",
            f"nodes: {seen}",
        )

        # No request depended on local state.
        failures = [h for c in (client, payer, client2) for h in c.hits if h.status is None or h.status >= 500]
        report.check(not failures, "no request failed", f"{failures[:5]}")
        used = {
            name: [str(p) for p in path.rglob("*") if p.is_file()] for name, path in node_media.items() if path.exists()
        }
        report.check(not any(used.values()), "no node and no worker wrote to its own MEDIA_ROOT", f"{used}")
    except Exception as exc:  # noqa: BLE001 - reported, then the processes are stopped
        report.fail("the scale run finished", f"{type(exc).__name__}: {exc}")
        for proc in run.procs:
            log(f"--- {proc.name}\n{proc.tail(20)}")
    finally:
        run.close()
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
