"""The deployment files (``deploy/``) say only what PlantOps and Dask accept: every setting they
set is a field of the settings, every command they run exists with the options they give it; and
what runs on this machine runs: a ``plantops worker`` takes a queued job with no server, and stops
cleanly on SIGTERM as systemd stops it."""

from __future__ import annotations

import datetime as dt
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from plantops.bootstrap import build
from plantops.config import Settings
from plantops.jobs.kinds import KINDS
from plantops.services.access import add_user, jobs
from plantops.services.planning.problem import PlanRequest
from plantops.vocabulary import JobStatus, Role

DEPLOY = Path(__file__).parents[1] / "deploy"
BIN = Path(sys.executable).parent
FILES = sorted(p for p in DEPLOY.rglob("*") if p.is_file())


def _commands() -> list[list[str]]:
    """Every command line the unit files and the compose file run."""
    found: list[list[str]] = []
    for path in FILES:
        text = path.read_text()
        found += [shlex.split(line) for line in re.findall(r"^ExecStart(?:Pre)?=(.+)$", text, re.MULTILINE)]
        found += [
            [shlex.split(word)[0] for word in re.findall(r'"([^"]+)"', line)]
            for line in re.findall(r"command: \[(.+)\]", text)
        ]
    return [[Path(c[0]).name, *c[1:]] for c in found]


def test_every_setting_the_deployment_sets_is_one_plantops_reads() -> None:
    named = {m for path in FILES for m in re.findall(r"\b(PLANTOPS_[A-Z_]+)", path.read_text())}
    fields = {f"PLANTOPS_{name.upper()}" for name in Settings.model_fields}

    assert named and named <= fields, named - fields


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c[:2]))
def test_every_command_the_deployment_runs_takes_the_options_it_is_given(command: list[str]) -> None:
    program, subcommand, *args = command
    assert program in ("plantops", "dask")
    shown = subprocess.run(
        [str(BIN / program), subcommand, "--help"], capture_output=True, text=True, timeout=120, env={"COLUMNS": "200"}
    )
    assert shown.returncode == 0, shown.stderr
    for option in (a.split("=")[0] for a in args if a.startswith("--")):
        assert option in shown.stdout, f"{program} {subcommand} has no option {option}"


def test_a_worker_runs_a_queued_job_with_no_server_and_stops_on_sigterm(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'plantops.db'}"
    ops = build(Settings(database_url=url))
    ops.migrate()
    add_user(ops.uow(), "planner", roles=[Role.PLANNER])
    request = KINDS["plan"].written(PlanRequest(start=dt.date(2026, 11, 23), weeks=4))
    number = jobs.submit_job(ops.uow(), kind="plan", request=request, submitted_by="planner", steps_total=3).number
    worker = subprocess.Popen(
        [str(BIN / "plantops"), "worker", "--name", "unit"],
        env={"PLANTOPS_DATABASE_URL": url, "PATH": str(BIN)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not (job := jobs.get_job(ops.uow(), number)).finished and time.monotonic() < deadline:
            time.sleep(0.1)
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
        ops.close()

    assert job.status is JobStatus.SUCCEEDED  # an empty plant's plan: no orders
    assert job.result is not None and job.result["planned_orders"] == 0
    assert job.worker is not None and job.worker.endswith("/unit-0")
    assert code == 0
