"""The demo flow over HTTP: ``scripts/demo_over_http.py`` against ``plantops serve`` on a free port."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
PLANTOPS = str(Path(sys.executable).parent / "plantops")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """``plantops serve`` on a new database with an admin machine user: its URL and a token."""
    env = {**os.environ, "PLANTOPS_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}", "COLUMNS": "200"}

    def plantops(*args: str) -> str:
        done = subprocess.run([PLANTOPS, *args], env=env, capture_output=True, text=True, timeout=120, check=True)
        return done.stdout

    plantops("init")
    plantops("user", "add", "demo-admin", "--role", "admin", "--machine")
    token = plantops("user", "token", "demo-admin").strip().splitlines()[-1]
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [PLANTOPS, "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v1/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield url, token
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_demo_flow_runs_over_http_with_a_token(server: tuple[str, str]) -> None:
    url, token = server

    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "demo_over_http.py"),
            "--url",
            url,
            "--token",
            token,
            "--as-of",
            "2026-11-16",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    output = done.stdout
    assert "Signed in as demo-admin (admin)" in output
    assert "replayed=True" in output
    assert "forecast for 26 weeks, published to MRP" in output
    assert "PLAN-000001:" in output
    assert re.search(r"\((optimal|feasible)\): \d+ operations of \d+ orders", output), output
    assert "released as PO-" in output and "released as WO-" in output
    assert "changes since the demo started" in output and "demo-admin insert purchase_order PO-" in output
    assert "the plan: " in output and "demo-admin insert plan_run PLAN-000001" in output
    assert output.rstrip().endswith("Demo flow complete.")
    api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"})
    assert api.get("/api/v1/plan/orders", params={"limit": 1}).json()["run"] == "PLAN-000001"
    assert api.get("/api/v1/audit", params={"record": "purchase_order"}).json()["total"] >= 1
