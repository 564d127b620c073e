"""All 100,000 weekly series forecast in one process and on a Dask cluster of separate processes.

    .venv/bin/python -m benchmarks.forecast.fanout_all [--series 100000] [--workers 2]

The series of :mod:`benchmarks.forecast.fanout` (the ``--scale`` synthetic plant's law of
sales, seed 42), forecast with the cheapest candidates (:data:`~benchmarks.forecast.fanout.CHEAPEST`:
every candidate would take about 9 hours in one process here, see that benchmark). The
cluster is a real one: a ``dask scheduler`` process and ``--workers`` ``dask worker``
processes (one thread each) started from the command line and connected over TCP, which
PlantOps reaches through ``PLANTOPS_DASK_SCHEDULER`` as a plant's servers would. The two
results must be identical, frame for frame and series for series.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
from pathlib import Path

from benchmarks.forecast.fanout import CHEAPEST, WEEKS, run_settings, same, timed, weekly_history
from benchmarks.report import facts_lines, machine, write_section
from plantops.engines.forecast import forecast_demand
from plantops.fanout import DaskMap

TITLE = "Forecasting on Dask: all 100,000 series on separate worker processes"
DASK = Path(sys.executable).parent / "dask"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cluster(workers: int) -> tuple[str, list[subprocess.Popen[bytes]]]:
    """A scheduler and ``workers`` worker processes on this machine, over TCP; its address."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = [str(DASK), "scheduler", "--port", str(port), "--no-dashboard"]
    started = [
        [str(DASK), "worker", address, "--nthreads", "1", "--no-dashboard", "--name", f"w{n}"] for n in range(workers)
    ]
    processes = [
        subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for command in [scheduler, *started]
    ]
    return address, processes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--series", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-write", action="store_true", help="Print only; leave BENCHMARKS.md alone.")
    options = parser.parse_args()
    history = weekly_history(options.series)
    settings = run_settings(CHEAPEST)
    forecast_demand(history.iloc[: 4 * WEEKS], settings)  # compile and import before timing

    serial_seconds, in_process = timed(forecast_demand, history, settings)
    print(f"one process: {serial_seconds:.1f} s", flush=True)
    address, processes = _cluster(options.workers)
    try:
        cluster = DaskMap(address, 0)
        started, client = timed(cluster.client)
        client.wait_for_workers(options.workers, timeout=120)
        forecast_demand(history.iloc[: 2 * options.workers * WEEKS], settings, map_chunks=cluster)  # warm the workers
        cluster_seconds, on_cluster = timed(forecast_demand, history, settings, map_chunks=cluster)
        ran_on = sorted(str(w["name"]) for w in client.scheduler_info()["workers"].values())
        cluster.close()
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)
    identical = same(in_process, on_cluster)
    body = "\n".join(
        [
            f"## {TITLE}",
            "",
            f"`python -m benchmarks.forecast.fanout_all`: {options.series:,} series of {WEEKS} weeks "
            "(the series of the section above, seed 42), forecast 26 weeks ahead with 80 and 95 % intervals "
            f"by the cheapest candidates ({', '.join(CHEAPEST)}; every candidate would take about 9 hours here "
            "in one process), once in one "
            f"process and once on a Dask scheduler with {options.workers} `dask worker` processes (one thread each, "
            "started from the command line, over TCP), after a warm-up of each. One run each.",
            "",
            *facts_lines(machine()),
            f"- Load average (1 min) at the end: {os.getloadavg()[0]:.1f}",
            "",
            "| measured | value |",
            "|---|---:|",
            f"| one process (wall s) | {serial_seconds:.1f} |",
            f"| cluster of {options.workers} worker processes, workers {', '.join(ran_on)} (wall s) | "
            f"{cluster_seconds:.1f} |",
            f"| speed-up | {serial_seconds / cluster_seconds:.2f} |",
            f"| efficiency | {serial_seconds / cluster_seconds / options.workers:.2f} |",
            f"| connecting to the scheduler (s) | {started:.1f} |",
            f"| forecasts identical, frame for frame and series for series | {'yes' if identical else 'NO'} |",
            f"| series forecast | {len(on_cluster.series):,} |",
        ]
    )
    print(body)
    if not options.no_write:
        write_section(TITLE, body)
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
