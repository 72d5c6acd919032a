"""The load benchmark's bare view /bench/ok is routed only when MACNSS_BENCH_ENDPOINT=1 (bench/run.py)."""

import os
import subprocess
import sys

from django.conf import settings

# A fresh process: the URL configuration is read once, with the environment it starts with.
RESOLVE = (
    "import django; django.setup(); from django.test import Client; "
    "r = Client().get('/bench/ok'); print(r.status_code, r.content.decode())"
)


def get_bench_ok(**env) -> list[str]:
    environ = {k: v for k, v in os.environ.items() if k != "MACNSS_BENCH_ENDPOINT"}
    environ.update(env, DJANGO_SETTINGS_MODULE="macnss.settings.test")
    result = subprocess.run(
        [sys.executable, "-c", RESOLVE], env=environ, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_not_routed_by_default(client):
    assert settings.BENCH_ENDPOINT is False
    assert client.get("/bench/ok").status_code == 404
    assert get_bench_ok()[0] == "404"


def test_routed_when_the_benchmark_turns_it_on():
    assert get_bench_ok(MACNSS_BENCH_ENDPOINT="1") == ["200", "ok"]
