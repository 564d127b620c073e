"""Running a job: its service runs as its submitter and its outcome is recorded; a cancelled run
writes nothing; a run that fails says why; the in-process worker runs what is queued and takes
up the jobs of a process that died."""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from plantops.bootstrap import PlantOps
from plantops.jobs import kinds, runner
from plantops.jobs.kinds import KINDS
from plantops.jobs.local import LocalWorker
from plantops.jobs.queue import JobQueue
from plantops.services import master_data
from plantops.services.access import add_user, audit, jobs
from plantops.services.planning import queries
from plantops.services.planning.problem import PlanRequest
from plantops.services.planning.runs import run_plan
from plantops.vocabulary import JobStatus, Role
from tests.services.minimal_plant import write_plant

START = dt.date(2026, 11, 23)


@pytest.fixture
def plant(ops: PlantOps, tmp_path: Path) -> PlantOps:
    master_data.import_path(ops.uow(), write_plant(tmp_path), posted_by="tester")
    add_user(ops.uow(), "alice", roles=[Role.PLANNER])
    return ops


def _plan_job(ops: PlantOps, **request: Any) -> str:
    kind = KINDS["plan"]
    written = kind.written(PlanRequest(start=START, weeks=8, **request))
    return jobs.submit_job(ops.uow(), kind="plan", request=written, submitted_by="alice", steps_total=3).number


def _wait(ops: PlantOps, number: str, seconds: float = 60) -> jobs.JobView:
    deadline = time.monotonic() + seconds
    while True:
        job = jobs.get_job(ops.uow(), number)
        if job.finished or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def test_a_plan_job_runs_as_its_submitter_and_records_its_outcome(plant: PlantOps) -> None:
    number = _plan_job(plant)

    assert runner.run_job(plant, number, "host:1/test")

    job = jobs.get_job(plant.uow(), number)
    run, _ = queries.planned_orders(plant.uow())
    assert (job.status, job.percent, job.steps_done, job.attempts) == (JobStatus.SUCCEEDED, 100.0, 3, 1)
    assert job.result is not None and job.result["number"] == run
    trail = audit.audit_trail(plant.uow(), record="plan_run", key=run)
    assert trail.entries and {entry.user for entry in trail.entries} == {"alice"}
    assert not runner.run_job(plant, number, "host:2/test")  # ended: nobody runs it again


def _with_plan_run(monkeypatch: pytest.MonkeyPatch, run: Any) -> None:
    monkeypatch.setitem(KINDS, "plan", dataclasses.replace(KINDS["plan"], run=run))


def test_a_job_cancelled_while_it_runs_stops_and_leaves_the_plan_in_force(
    plant: PlantOps, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = run_plan(plant.uow(), PlanRequest(start=START, weeks=8), run_by="tester").number
    planned = KINDS["plan"].run

    def cancel_at_write(run: kinds.Run, request: PlanRequest) -> Any:
        def progress(step: str, *counts: int | None) -> None:
            if step == "write":
                assert runner.cancel_here(number)
            run.progress(step, *counts)

        return planned(dataclasses.replace(run, progress=progress), request)

    _with_plan_run(monkeypatch, cancel_at_write)
    number = _plan_job(plant)

    runner.run_job(plant, number, "host:1/test")

    job = jobs.get_job(plant.uow(), number)
    assert (job.status, job.step) == (JobStatus.CANCELLED, "write")
    assert queries.planned_orders(plant.uow())[0] == before


@pytest.mark.postgres
def test_a_cancel_recorded_by_another_server_stops_the_run_at_its_next_report(
    postgres_ops: PlantOps, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL, where another server can write while the run's transaction is open."""
    master_data.import_path(postgres_ops.uow(), write_plant(tmp_path), posted_by="tester")
    add_user(postgres_ops.uow(), "alice", roles=[Role.PLANNER])
    planned = KINDS["plan"].run

    def cancelled_elsewhere(run: kinds.Run, request: PlanRequest) -> Any:
        def progress(step: str, *counts: int | None) -> None:
            if step == "write":
                jobs.cancel_job(postgres_ops.uow(), number)  # what POST /jobs/{number}/cancel records
            run.progress(step, *counts)

        return planned(dataclasses.replace(run, progress=progress), request)

    _with_plan_run(monkeypatch, cancelled_elsewhere)
    number = _plan_job(postgres_ops)

    runner.run_job(postgres_ops, number, "host:1/test")

    job = jobs.get_job(postgres_ops.uow(), number)
    assert (job.status, job.step, job.cancel_requested) == (JobStatus.CANCELLED, "write", True)
    with pytest.raises(queries.NoPlanError):
        queries.planned_orders(postgres_ops.uow())


def test_a_job_that_fails_says_why_and_one_that_crashes_names_its_error_not_its_traceback(
    plant: PlantOps, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = jobs.submit_job(
        plant.uow(), kind="plan", request={"start": "2026-11-23", "weeks": 0}, submitted_by="alice", steps_total=3
    ).number
    runner.run_job(plant, bad, "host:1/test")

    def crash(_run: kinds.Run, _request: PlanRequest) -> Any:
        raise RuntimeError("disk on fire at /var/secret")

    _with_plan_run(monkeypatch, crash)
    crashed = _plan_job(plant)
    runner.run_job(plant, crashed, "host:1/test")

    refused_job = jobs.get_job(plant.uow(), bad)
    crashed_job = jobs.get_job(plant.uow(), crashed)
    assert (refused_job.status, refused_job.error) == (JobStatus.FAILED, "plan: weeks: must be at least 1, got 0")
    assert crashed_job.status is JobStatus.FAILED
    assert crashed_job.error is not None and "RuntimeError" in crashed_job.error
    assert "secret" not in crashed_job.error


def test_the_server_runs_what_is_queued_and_answers_for_it_from_any_request(plant: PlantOps) -> None:
    queue = JobQueue(plant, runs_jobs=True)
    try:
        job = queue.submit("plan", PlanRequest(start=START, weeks=8), "alice")
        done = _wait(plant, job.number)
    finally:
        queue.stop()

    assert done.status is JobStatus.SUCCEEDED
    assert done.worker is not None and done.worker.startswith(f"{socket.gethostname()}:")


def _dead_pid() -> int:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    return int(finished.stdout)


def test_a_job_left_running_by_a_process_that_died_is_run_again(plant: PlantOps) -> None:
    number = _plan_job(plant)
    dead = f"{socket.gethostname()}:{_dead_pid()}/server-0"
    jobs.claim_job(plant.uow(), number, dead)
    worker = LocalWorker(plant, threads=1, name="test")
    worker.start()
    try:
        job = _wait(plant, number)
    finally:
        worker.stop()

    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2)
    assert job.worker is not None and job.worker != dead


def test_a_job_on_a_worker_still_alive_or_on_another_host_is_left_alone(plant: PlantOps) -> None:
    alive, elsewhere = _plan_job(plant), _plan_job(plant)
    jobs.claim_job(plant.uow(), alive, f"{socket.gethostname()}:1/init")  # process 1 is alive
    jobs.claim_job(plant.uow(), elsewhere, "another-host:12345/worker")
    worker = LocalWorker(plant, threads=1, name="test")
    worker.start()
    time.sleep(1.0)
    worker.stop()

    assert jobs.get_job(plant.uow(), alive).status is JobStatus.RUNNING
    assert jobs.get_job(plant.uow(), elsewhere).status is JobStatus.RUNNING
