"""The issue's test of durable jobs on PostgreSQL, with real processes: a plan started from the web
app is run by a ``plantops worker`` process, its progress is read from a second server process,
and when that worker is killed (SIGKILL) mid-run another worker runs the job again, the previous
plan staying in force until then."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from plantops.bootstrap import PlantOps, build
from plantops.config import Settings
from plantops.services import master_data
from plantops.services.access import add_user, issue_token, jobs
from plantops.services.planning import queries
from plantops.services.planning.problem import PlanRequest
from plantops.services.planning.runs import run_plan
from plantops.vocabulary import JobStatus, Role
from plantops.web.app import create_web_app
from tests.services.minimal_plant import write_plant

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).parents[2]
PLANTOPS = Path(sys.executable).parent / "plantops"
PASSWORD = "planner-password-1"
#: Each reported step of a plan run pauses this long in the slow worker.
PAUSE = 2.5
STALL = 5  # seconds without a heartbeat before a worker is taken for dead


@pytest.fixture
def plant(empty_postgres_url: str, tmp_path: Path) -> Iterator[PlantOps]:
    ops = build(Settings(database_url=empty_postgres_url, server_runs_jobs=False))
    ops.migrate()
    master_data.import_path(ops.uow(), write_plant(tmp_path), posted_by="tester")
    add_user(ops.uow(), "planner", roles=[Role.PLANNER], password=PASSWORD)
    yield ops
    ops.close()


def _environment(ops: PlantOps) -> dict[str, str]:
    return {
        **os.environ,
        "PLANTOPS_DATABASE_URL": ops.settings.database_url,
        "PLANTOPS_SERVER_RUNS_JOBS": "false",
        "PLANTOPS_WORKER_STALL_SECONDS": str(STALL),
        "PLANTOPS_FAN_OUT": "false",
    }


def _start(ops: PlantOps, program: str, *args: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, program, *args] if program == "-m" else [program, *args]
    return subprocess.Popen(command, cwd=ROOT, env=_environment(ops), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
    out = process.stdout.read() if process.stdout else b""
    return out.decode(errors="replace")[-3000:]


def _until(what: str, seconds: float, check: Any) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"{what} did not happen within {seconds} s")


def test_a_plan_from_the_web_runs_on_a_worker_process_survives_its_death_and_shows_everywhere(
    plant: PlantOps,
) -> None:
    before = run_plan(plant.uow(), PlanRequest(start=dt.date(2026, 11, 23), weeks=8), run_by="tester").number
    port = _free_port()
    second_server = _start(plant, str(PLANTOPS), "serve", "--port", str(port))
    first_worker = _start(plant, "-m", "tests.jobs.slow_worker", str(PAUSE), "--name", "first")
    second_worker = None
    token = issue_token(plant.uow(), "planner").secret
    try:
        web = TestClient(create_web_app(plant, secret=b"s" * 32), follow_redirects=False)
        assert web.post("/login", data={"username": "planner", "password": PASSWORD, "next": "/"}).status_code == 303
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', web.get("/mrp").text)
        assert csrf is not None
        started = web.post("/mrp/runs", data={"csrf_token": csrf.group(1), "start": "2026-11-23", "weeks": "8"})
        number = re.search(r"/mrp/runs/(JOB-\d+)", started.text)
        assert started.status_code == 200 and number is not None, started.text
        job = number.group(1)

        def read_elsewhere() -> dict[str, Any] | None:
            try:
                answer = httpx.get(
                    f"http://127.0.0.1:{port}/api/v1/jobs/{job}", headers={"Authorization": f"Bearer {token}"}
                )
            except httpx.TransportError:
                return None
            return answer.json() if answer.status_code == 200 else None

        running = _until(
            "the first worker's progress, read by the second server",
            120,
            lambda: (seen := read_elsewhere()) and seen["status"] == "running" and seen["step"] == "plan" and seen,
        )
        assert running["worker"].endswith("/first") and 0 < running["percent"] < 100
        assert "plan" in web.get(f"/mrp/runs/{job}").text  # the first server shows the same

        first_worker.send_signal(signal.SIGKILL)
        first_worker.wait(10)
        assert queries.planned_orders(plant.uow())[0] == before  # nothing half-written
        second_worker = _start(plant, str(PLANTOPS), "worker", "--name", "second")

        done = _until(
            "the job's end",
            120,
            lambda: (seen := read_elsewhere()) and seen["status"] in ("succeeded", "failed") and seen,
        )
        assert (done["status"], done["attempts"]) == ("succeeded", 2), done
        assert done["worker"].endswith("/second")
        assert "its worker stopped answering" in done["error"]  # why it ran twice
        assert queries.planned_orders(plant.uow())[0] == done["result"]["number"] != before
        assert jobs.get_job(plant.uow(), job).status is JobStatus.SUCCEEDED
        assert "is the plan in force" in web.get(f"/mrp/runs/{job}").text
    finally:
        logs = [_stop(p) for p in (first_worker, second_server, *([second_worker] if second_worker else []))]
        print("\n---\n".join(logs))
