"""A forecast run writes the same version in one process, on a local Dask cluster and on a cluster over TCP.

The TCP cluster is a scheduler and two ``dask worker`` processes started here, as a real
cluster's would be, connected through ``PLANTOPS_DASK_SCHEDULER``. The demo plant's series
are cut into chunks of a few series, so that every run hands several chunks to its map.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from distributed import get_task_stream
from sqlalchemy import select

from plantops import fanout
from plantops.bootstrap import PlantOps, build
from plantops.config import Settings
from plantops.db.forecasting import ForecastInterval, ForecastSeries, ForecastValue, ForecastVersion
from plantops.engines.forecast import engine as forecast_engine
from plantops.errors import ValidationError
from plantops.fanout import DaskMap
from plantops.services import demo
from plantops.services.forecasting import runs
from plantops.services.forecasting.runs import ForecastRequest

AS_OF = dt.date(2026, 11, 16)
REQUEST = ForecastRequest(
    horizon=12, levels=(80, 95), models=("SeasonalNaive", "DynamicOptimizedTheta", "CrostonSBA", "TSB"), publish=False
)
#: Series per chunk here: the demo plant's series and their aggregates make several chunks.
SMALL_CHUNK = 4
STARTUP_SECONDS = 60
STOP_SECONDS = 5

pytestmark = pytest.mark.slow

Written = dict[str, list[tuple[Any, ...]]]


def _written(ops: PlantOps, number: str) -> Written:
    """Every row a run wrote for version ``number``, by table, without the version's own ids."""
    with ops.uow() as uow:
        session = uow.session
        version = session.scalars(select(ForecastVersion.id).where(ForecastVersion.number == number)).one()
        series = session.scalars(
            select(ForecastSeries).where(ForecastSeries.version_id == version).order_by(ForecastSeries.id)
        ).all()
        ids = {s.id: (s.item_id, s.site_id) for s in series}
        described = [
            (s.item_id, s.site_id, s.demand_class, s.method, s.model, s.cv_mase, s.safety_stock_hint) for s in series
        ]
        values = session.execute(
            select(ForecastValue.series_id, ForecastValue.period_start, ForecastValue.quantity).where(
                ForecastValue.series_id.in_(ids)
            )
        ).all()
        intervals = session.execute(
            select(
                ForecastInterval.series_id,
                ForecastInterval.period_start,
                ForecastInterval.level,
                ForecastInterval.lower,
                ForecastInterval.upper,
            ).where(ForecastInterval.series_id.in_(ids))
        ).all()
    return {
        "series": described,
        "values": sorted((ids[row[0]], *row[1:]) for row in values),
        "intervals": sorted((ids[row[0]], *row[1:]) for row in intervals),
    }


@pytest.fixture(scope="module")
def small_chunks() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(forecast_engine, "CHUNK", SMALL_CHUNK)
        yield


@pytest.fixture(scope="module")
def plant_url(tmp_path_factory: pytest.TempPathFactory, small_chunks: None) -> str:
    """The demo plant in SQLite, and the version a run in this process writes (FC-000001)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('dask') / 'plant.db'}"
    ops = build(Settings(database_url=url, fan_out=False))
    ops.migrate()
    demo.seed_demo_plant(ops.uow(), as_of=AS_OF, seed=42)
    runs.run_forecast(ops.uow(), REQUEST, run_by="planner", map_chunks=ops.map_function())
    ops.close()
    return url


@pytest.fixture(scope="module")
def in_one_process(plant_url: str) -> Written:
    ops = build(Settings(database_url=plant_url, fan_out=False))
    written = _written(ops, "FC-000001")
    ops.close()
    return written


def _run_on(ops: PlantOps) -> tuple[Written, list[dict[str, Any]]]:
    """A run's written version, and the tasks the cluster ran for it."""
    client = ops.map_function().client()  # type: ignore[attr-defined]
    with get_task_stream(client) as tasks:
        summary = runs.run_forecast(ops.uow(), REQUEST, run_by="planner", map_chunks=ops.map_function())
    return _written(ops, summary.number), tasks.data


@pytest.fixture(scope="module")
def tcp_scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A scheduler on an ephemeral port and two one-thread workers, each its own process, over TCP."""
    folder = tmp_path_factory.mktemp("cluster")
    scheduler_file = folder / "scheduler.json"
    python = [sys.executable, "-m"]
    scheduler = [
        *python,
        "distributed.cli.dask_scheduler",
        "--host=127.0.0.1",
        "--port=0",
        "--no-dashboard",
        f"--scheduler-file={scheduler_file}",
    ]
    processes = [subprocess.Popen(scheduler, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        address = _scheduler_address(scheduler_file, processes[0])
        for number in (1, 2):
            worker = [
                *python,
                "distributed.cli.dask_worker",
                address,
                "--nthreads=1",
                "--no-nanny",
                "--no-dashboard",
                f"--name=worker-{number}",
            ]
            processes.append(subprocess.Popen(worker, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        yield address
    finally:
        for process in reversed(processes):  # the workers, then the scheduler
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Ask the process to stop, and kill it if it has not within a few seconds."""
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _scheduler_address(scheduler_file: Path, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the scheduler exited with status {process.returncode}")
        if scheduler_file.exists():
            try:
                return str(json.loads(scheduler_file.read_text())["address"])
            except (ValueError, KeyError):
                pass  # written but not complete yet
        time.sleep(0.2)
    raise RuntimeError("the scheduler did not start")


def test_a_run_on_a_local_cluster_of_two_workers_writes_what_one_process_writes(
    plant_url: str, in_one_process: Written
) -> None:
    ops = build(Settings(database_url=plant_url, dask_workers=2))
    try:
        written, tasks = _run_on(ops)
        workers = len(ops.map_function().client().scheduler_info()["workers"])  # type: ignore[attr-defined]
    finally:
        ops.close()

    assert written == in_one_process
    assert workers == 2
    chunks = [task for task in tasks if str(task["key"]).startswith("forecast_chunk")]
    assert len(chunks) > 1


def test_a_run_on_two_workers_over_tcp_writes_what_one_process_writes(
    plant_url: str, in_one_process: Written, tcp_scheduler: str
) -> None:
    ops = build(Settings(database_url=plant_url, dask_scheduler=tcp_scheduler))
    try:
        client = ops.map_function().client()  # type: ignore[attr-defined]
        client.wait_for_workers(2, timeout=STARTUP_SECONDS)
        workers = set(client.scheduler_info()["workers"])
        written, tasks = _run_on(ops)
    finally:
        ops.close()

    assert written == in_one_process
    chunks = [task for task in tasks if str(task["key"]).startswith("forecast_chunk")]
    assert len(chunks) > 1
    assert len(workers) == 2 and {task["worker"] for task in chunks} <= workers


def test_a_single_piece_runs_here_without_asking_for_a_cluster() -> None:
    nowhere = DaskMap("tcp://127.0.0.1:9", 2)  # nothing listens there

    assert nowhere(str.upper, ["a"]) == ["A"]


def test_a_scheduler_that_does_not_answer_is_named_in_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fanout, "CONNECT_TIMEOUT", 1)
    nowhere = DaskMap("tcp://127.0.0.1:9", 2)

    with pytest.raises(ValidationError, match="PLANTOPS_DASK_SCHEDULER"):
        nowhere(str.upper, ["a", "b"])
