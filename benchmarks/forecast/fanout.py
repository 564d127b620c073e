"""Forecasting 100,000 weekly series on Dask: one process against a local cluster, and a projection.

    .venv/bin/python -m benchmarks.forecast.fanout                 # about 30 minutes; updates BENCHMARKS.md
    .venv/bin/python -m benchmarks.forecast.fanout --series 5000 --repeats 1 --no-write   # a quick look

The series: 100,000 item-site histories of 52 Monday-started weeks drawn by the law of the
``plantops demo --scale N`` plant's sales history (``sales_history_rows`` in
``plantops/engines/plantgen/_synthetic_demand.py``: a gamma level, a yearly cosine season of
random amplitude and phase, Poisson weeks), seed 42. That plant keeps the history of its
first 200 finished goods only, so the 100,000 are drawn here by the same law. They are
forecast as a forecast run asks (26 weeks, 80 and 95 % intervals, every candidate), at the
item-site level (no hierarchy).

Measured, medians of ``--repeats`` runs, one process and the cluster alternating:

- the wall time of a sample of ``--sample`` series (several chunks of 400) in this process
  (``serial_map``) and on a ``LocalCluster`` of ``--workers`` one-thread worker processes
  (``plantops.fanout.DaskMap``, as ``PlantOps.map_function()`` builds it); speed-up and
  efficiency (speed-up / workers); both runs' forecasts must be identical, or the script
  exits with status 1;
- the cluster's start-up (client and workers) and its warm-up (each worker's first chunk:
  imports and compilation);
- the per-task overhead: an empty task mapped over 1,000 pieces, and over 100 pieces that
  each carry a chunk's rows (what a chunk costs to ship);
- the part of a run that stays in the calling process (reading the history, profiling and
  routing every series, cutting the chunks, gathering and framing the forecasts) on all
  100,000 series, timed as a whole run minus the time spent inside its chunks, with the
  cheapest candidates so that the run stays short.

Projection (not a measurement) for a cluster of W such workers, per-series cost ``c`` from
the sample in one process, ``n`` series in ``k`` chunks of ``m`` (400): start-up + client
part + ceil(k / W) x c x m (the chunks run in waves of W) + k x per-task overhead (the
scheduler hands out the tasks one by one), against one process: client part + c x n.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import distributed
import numpy as np
import pandas as pd
import statsforecast

from benchmarks.report import facts_lines, machine, write_section
from plantops.engines.fanout import Finished, serial_map
from plantops.engines.forecast import CANDIDATE_MODELS, ForecastResult, ForecastSettings, forecast_demand
from plantops.engines.forecast import engine as forecast_engine
from plantops.fanout import DaskMap

TITLE = "Forecasting on Dask: 100,000 weekly series"
SEED = 42
WEEKS = 52
LAST_MONDAY = pd.Timestamp("2026-11-09")
#: The cheapest candidates (one per kind of demand), for timing the part that stays in the calling process.
CHEAPEST = ("SeasonalNaive", "CrostonSBA")
EMPTY_TASKS = 1_000
PAYLOAD_TASKS = 100
#: Series per chunk while the workers warm up (each worker's first chunk, kept small).
WARM_UP_CHUNK = 2

Piece = TypeVar("Piece")
Outcome = TypeVar("Outcome")


def weekly_history(series: int, seed: int = SEED) -> pd.DataFrame:
    """``series`` histories of :data:`WEEKS` weeks by the synthetic plant's law of sales (see the module)."""
    rng = np.random.default_rng(seed)
    level = rng.gamma(2.0, 10.0, series)
    amplitude = rng.uniform(0.0, 0.5, series)
    phase = rng.uniform(0, 2 * np.pi, series)
    angle = 2 * np.pi * np.arange(WEEKS) / 52
    mean = level[:, None] * (1 + amplitude[:, None] * np.cos(angle[None, :] - phase[:, None]))
    quantity = rng.poisson(mean).clip(max=10_000).astype(np.float64)
    weeks = pd.date_range(end=LAST_MONDAY, periods=WEEKS, freq="W-MON")
    ids = np.array([f"ITEM-{i:06d}/PLANT" for i in range(series)], dtype=object)
    return pd.DataFrame({"unique_id": np.repeat(ids, WEEKS), "ds": np.tile(weeks, series), "y": quantity.ravel()})


def run_settings(models: tuple[str, ...] = CANDIDATE_MODELS) -> ForecastSettings:
    """The settings of a forecast run with the default request (``plantops forecast``)."""
    return ForecastSettings(horizon=26, freq="W-MON", season_length=52, levels=(80, 95), models=models, mase_season=1)


def nothing(_piece: object) -> None:
    """An empty task."""


@dataclass
class Timed:
    """A map that keeps the time its pieces took inside it (wall, from the first call to the last outcome)."""

    inner: Callable[..., Any]
    seconds: float = 0.0

    def __call__(
        self, function: Callable[[Piece], Outcome], pieces: Sequence[Piece], finished: Finished | None = None
    ) -> list[Outcome]:
        started = time.perf_counter()
        outcomes: list[Outcome] = self.inner(function, pieces, finished)
        self.seconds += time.perf_counter() - started
        return outcomes


@dataclass
class PieceTimes:
    """:func:`serial_map`, keeping each piece's wall seconds."""

    seconds: list[float] = field(default_factory=list)

    def __call__(
        self, function: Callable[[Piece], Outcome], pieces: Sequence[Piece], finished: Finished | None = None
    ) -> list[Outcome]:
        timings = serial_map(lambda piece: timed(function, piece), pieces, finished)
        self.seconds += [seconds for seconds, _ in timings]
        return [outcome for _, outcome in timings]


def timed(work: Callable[..., Any], *arguments: Any, **options: Any) -> tuple[float, Any]:
    """Wall seconds of ``work(*arguments, **options)``, and its outcome."""
    started = time.perf_counter()
    outcome = work(*arguments, **options)
    return time.perf_counter() - started, outcome


def same(one: ForecastResult, other: ForecastResult) -> bool:
    try:
        pd.testing.assert_frame_equal(one.forecasts, other.forecasts, check_exact=True)
    except AssertionError:
        return False
    return [repr(s) for s in one.series] == [repr(s) for s in other.series]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--series", type=int, default=100_000, help="Series to project for (and to time the client part on)."
    )
    parser.add_argument("--sample", type=int, default=800, help="Series forecast in one process and on the cluster.")
    parser.add_argument("--workers", type=int, default=2, help="Worker processes of the local cluster.")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="Print only; leave BENCHMARKS.md alone.")
    options = parser.parse_args()
    load = os.getloadavg()[0]
    began = time.perf_counter()
    history = weekly_history(options.series)
    sample = history.iloc[: options.sample * WEEKS]
    settings = run_settings()

    cluster = DaskMap("", options.workers)
    start_up, client = timed(cluster.client)
    client.wait_for_workers(options.workers)
    forecast_engine.CHUNK, chunk = WARM_UP_CHUNK, forecast_engine.CHUNK  # a chunk for each worker
    warm_up, _ = timed(
        forecast_demand, sample.iloc[: options.workers * WARM_UP_CHUNK * WEEKS], settings, map_chunks=cluster
    )
    forecast_engine.CHUNK = chunk
    print(f"cluster start-up {start_up:.1f} s, warm-up {warm_up:.1f} s", flush=True)

    forecast_demand(sample.iloc[: options.workers * WARM_UP_CHUNK * WEEKS], settings)  # and this process
    serial_seconds, cluster_seconds, identical = [], [], True
    chunks = PieceTimes()
    for repeat in range(options.repeats):
        seconds, in_process = timed(forecast_demand, sample, settings, map_chunks=chunks)
        serial_seconds.append(seconds)
        seconds, on_cluster = timed(forecast_demand, sample, settings, map_chunks=cluster)
        cluster_seconds.append(seconds)
        identical = identical and same(in_process, on_cluster)
        print(f"repeat {repeat + 1}: one process {serial_seconds[-1]:.1f} s, cluster {seconds:.1f} s", flush=True)

    empty, payload = [], []
    rows = history.iloc[: forecast_engine.CHUNK * WEEKS]  # most of what a chunk ships
    for _ in range(options.repeats):
        empty.append(timed(cluster, nothing, [None] * EMPTY_TASKS)[0] / EMPTY_TASKS)
        copies = [rows.copy() for _ in range(PAYLOAD_TASKS)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # Dask's advice on large graphs: shipping them is the point
            payload.append(timed(cluster, nothing, copies)[0] / PAYLOAD_TASKS)
    cluster.close()

    inside = Timed(serial_map)
    whole, _ = timed(forecast_demand, history, run_settings(CHEAPEST), map_chunks=inside)
    client_part = whole - inside.seconds
    print(f"client part on {options.series:,} series: {client_part:.1f} s (whole run {whole:.1f} s)", flush=True)

    figures = Figures(
        options,
        serial_seconds,
        cluster_seconds,
        chunks.seconds,
        start_up,
        warm_up,
        statistics.median(empty),
        statistics.median(payload),
        client_part,
        identical,
    )
    body = report(figures, (load, os.getloadavg()[0]), time.perf_counter() - began)
    print(body)
    if not options.no_write:
        write_section(TITLE, body)
    return 0 if identical else 1


@dataclass(frozen=True)
class Figures:
    options: argparse.Namespace
    serial_runs: list[float]
    cluster_runs: list[float]
    chunk_runs: list[float]  # each chunk of the sample in one process, run after run
    start_up: float
    warm_up: float
    empty_task: float
    payload_task: float
    client_part: float
    identical: bool

    @property
    def serial(self) -> float:
        return statistics.median(self.serial_runs)

    @property
    def cluster(self) -> float:
        return statistics.median(self.cluster_runs)

    @property
    def efficiency(self) -> float:
        return self.serial / self.cluster / self.options.workers

    @property
    def chunk_seconds(self) -> list[float]:
        """Each chunk's median wall seconds in one process."""
        count = len(self.chunk_runs) // len(self.serial_runs)
        return [statistics.median(self.chunk_runs[i::count]) for i in range(count)]

    @property
    def per_series(self) -> float:
        return self.serial / self.options.sample

    def projected(self, workers: int, efficiency: float = 1.0) -> float:
        """Seconds for all the series on ``workers`` workers (1: one process, no cluster), their chunks
        taking ``1 / efficiency`` times as long as in one process."""
        n, m = self.options.series, forecast_engine.CHUNK
        if workers == 1:
            return self.client_part + self.per_series * n
        tasks = math.ceil(n / m)
        compute = math.ceil(tasks / workers) * self.per_series * m / efficiency
        return self.start_up + self.warm_up + self.client_part + compute + tasks * self.payload_task


def report(f: Figures, load: tuple[float, float], seconds: float) -> str:
    o = f.options
    speed_up = f.serial / f.cluster
    lines = [f"## {TITLE}", ""]
    lines.append(
        f"`python -m benchmarks.forecast.fanout` (see `benchmarks/forecast/fanout.py`), {seconds / 60:.0f} minutes "
        f"in all. {o.series:,} item-site series of 52 weeks drawn by the `--scale` synthetic plant's law of sales "
        "(that plant keeps 200 such histories; see the module), seed 42, forecast as a forecast run asks (26 weeks, "
        "80 and 95 % intervals, every candidate; item-site level, no hierarchy). The measured runs forecast a "
        f"sample of the first {o.sample:,} series ({len(f.chunk_seconds)} chunks of up to "
        f"{forecast_engine.CHUNK}), in this process and on a local Dask cluster of {o.workers} one-thread worker "
        f"processes, alternating, medians of {o.repeats} runs; all {o.series:,} series in one process would take "
        f"about {f.projected(1) / 3600:.1f} hours here, hence the sample and the projection."
    )
    lines.append("")
    facts = machine()
    facts["Software"] += f", statsforecast {statsforecast.__version__}, dask.distributed {distributed.__version__}"
    facts["Load average (1 min)"] = f"{load[0]:.1f} at the start, {load[1]:.1f} at the end (the machine is shared)"
    lines += facts_lines(facts)
    lines += [
        "",
        "| measured | value |",
        "|---|---:|",
        f"| {o.sample:,} series, one process (wall s; each run) | {f.serial:.1f} ({_runs(f.serial_runs)}) |",
        f"| {o.sample:,} series, local cluster of {o.workers} workers (wall s; each run) "
        f"| {f.cluster:.1f} ({_runs(f.cluster_runs)}) |",
        f"| speed-up | {speed_up:.2f} |",
        f"| efficiency (speed-up / {o.workers}) | {f.efficiency:.2f} |",
        f"| forecasts identical in one process and on the cluster | {'yes' if f.identical else '**no**'} |",
        f"| the sample's chunks, each in one process (wall s) | {_runs(f.chunk_seconds)} |",
        f"| the rest of the run + the longest chunk, in one process (wall s) "
        f"| {f.serial - sum(f.chunk_seconds) + max(f.chunk_seconds):.1f} |",
        f"| cost per series, one process (ms) | {1000 * f.per_series:.1f} |",
        f"| cluster start-up: client and {o.workers} workers (s) | {f.start_up:.1f} |",
        f"| warm-up: each worker's first chunk ({WARM_UP_CHUNK} series), imports and compilation (s) "
        f"| {f.warm_up:.1f} |",
        f"| per-task overhead, empty task ({EMPTY_TASKS:,} tasks) (ms) | {1000 * f.empty_task:.2f} |",
        f"| per-task overhead, a task carrying a chunk's rows ({PAYLOAD_TASKS} tasks) (ms) "
        f"| {1000 * f.payload_task:.2f} |",
        f"| part that stays in the calling process, {o.series:,} series (s) | {f.client_part:.1f} |",
        "",
        f"Projection for all {o.series:,} series (not measured): one process = client part + c x n; a cluster of W "
        "workers = start-up + warm-up + client part + ceil(k / W) x c x 400 + k x per-task overhead (a chunk's "
        f"rows), with c = {1000 * f.per_series:.1f} ms per series measured in one process, n = {o.series:,} series, "
        f"k = {math.ceil(o.series / forecast_engine.CHUNK)} chunks of 400 (a few more where cohorts split them). "
        "It assumes workers as fast as these cores, each alone on its core, and a scheduler that keeps up; "
        "the chunks then run in waves, so past k workers more "
        "buy nothing, and the part in the calling process bounds the speed-up (Amdahl). The last columns divide "
        f"the chunks' time by the efficiency measured here ({f.efficiency:.2f}), which moves with the other work on "
        "this shared machine from run to run (the one-process runs above spread as the table shows): a second "
        "reading of the same model, not a bound.",
        "",
        "| workers | projected wall time | speed-up over one process | efficiency "
        f"| at efficiency {f.efficiency:.2f}: wall time | speed-up |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    one = f.projected(1)
    for workers in (1, o.workers, 10, 100):
        ideal = f.projected(workers)
        measured = f.projected(workers, f.efficiency) if workers > 1 else one
        lines.append(
            f"| {workers} | {_duration(ideal)} | {one / ideal:.1f} | {one / ideal / workers:.2f} "
            f"| {_duration(measured)} | {one / measured:.1f} |"
        )
    return "\n".join(lines) + "\n"


def _runs(seconds: list[float]) -> str:
    return ", ".join(f"{s:.0f}" for s in seconds)


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 120:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


if __name__ == "__main__":
    sys.exit(main())
