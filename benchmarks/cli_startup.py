"""How long the ``plantops`` command takes to answer: ``--help``, ``--version``, ``stock onhand``.

    .venv/bin/python -m benchmarks.cli_startup [--runs 11] [--revision COMMIT]

Each command runs as a fresh process (``python -m plantops ...``, what the ``plantops``
script runs), round robin so that a passing load on the machine hits every command alike;
the figure is the median wall time. ``stock onhand`` reads the demo plant (seed 42) from a
SQLite file made once before the runs. ``python -c pass`` is the interpreter's own start
(site-packages' ``.pth`` files included), which no change to PlantOps can lower.
``--revision`` measures an older commit's ``plantops`` package instead (exported with
``git archive`` and put first on ``PYTHONPATH``; the commands run in a temporary folder,
so that the working tree's package is not found first), for before/after figures; without it the
table is written to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from benchmarks.report import facts_lines, machine, write_section

ROOT = Path(__file__).resolve().parents[1]
TITLE = "CLI start-up"
DEMO_DAY = "2026-11-16"
#: (what is measured, its arguments to ``python``, target in seconds or None).
COMMANDS: list[tuple[str, list[str], float | None]] = [
    ("python -c pass (the interpreter alone)", ["-c", "pass"], None),
    ("plantops --version", ["-m", "plantops", "--version"], None),
    ("plantops --help", ["-m", "plantops", "--help"], 0.5),
    ("plantops stock --help", ["-m", "plantops", "stock", "--help"], None),
    ("plantops stock onhand (demo plant, SQLite)", ["-m", "plantops", "stock", "onhand"], 1.0),
    ("plantops stock onhand --format csv", ["-m", "plantops", "stock", "onhand", "--format", "csv"], None),
]


BEFORE = (
    "Before the commands were imported when they run (commit 168c2f4, `--revision 168c2f4`, 5 runs, load average "
    "about 5 on the same machine): `plantops --help` 7.56 s, `plantops stock --help` 7.60 s, `plantops stock "
    "onhand` 7.43 s median wall (5.2 to 9.4 s), every command importing statsforecast, Numba, OR-Tools, "
    "FastAPI and the web app first."
)
WHERE_THE_TIME_GOES = (
    "`stock onhand` meets its target with little margin: 0.95 s in this run, while two runs earlier the same "
    "day measured 1.13 s and 1.22 s, their CPU times as high (the machine's speed varies from hour to hour). "
    "The interpreter's own start (`python -c pass`) includes the `.pth` file of sphinx-jinja2-compat, installed "
    "with the test extra through stockpyl and sphinx-toolbox, which imports Sphinx, Jinja2 and docutils into "
    "every Python process; a plain install has none (without site's `.pth` files, `python -S`, the command took "
    "0.80 s against 0.94 s, medians of 11). The rest is SQLAlchemy with the inventory, catalog and site tables, "
    "pydantic-settings, Typer and Rich, then the query and a table of the first 100 of the demo plant's 605 "
    "balances (the command's default `--limit`). The schema check reads the stored revision without loading "
    "Alembic, and `-X importtime` shows no forecasting, scheduling, API, web or data-frame library among the "
    "imports (tests/cli/test_startup.py keeps it so)."
)


def _environment(database: Path, source: Path | None) -> dict[str, str]:
    env = dict(os.environ, PLANTOPS_DATABASE_URL=f"sqlite:///{database}", COLUMNS="200")
    if source is not None:
        env["PYTHONPATH"] = str(source)
    return env


def _export(revision: str, into: Path) -> Path:
    """The ``plantops`` package of ``revision``, unpacked under ``into``."""
    archive = into / "plantops.tar"
    subprocess.run(["git", "archive", "-o", str(archive), revision, "plantops"], cwd=ROOT, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(runs: int, revision: str | None) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall and CPU seconds of every command, ``runs`` times each, round robin (NaN where an older revision fails).

    CPU time (user + system of the process) is what the command costs; wall time is what the user waits,
    which on a busy machine includes waiting for a core.
    """
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        source = _export(revision, work) if revision else None
        env = _environment(work / "demo.db", source)
        subprocess.run(
            [sys.executable, "-m", "plantops", "demo", "--as-of", DEMO_DAY],
            env=env,
            cwd=work,
            check=True,
            capture_output=True,
        )
        seconds: dict[str, list[float]] = {label: [] for label, _, _ in COMMANDS}
        cpu: dict[str, list[float]] = {label: [] for label, _, _ in COMMANDS}
        for _ in range(runs):
            for label, arguments, _ in COMMANDS:
                started, cpu_before = time.perf_counter(), _children_cpu()
                done = subprocess.run([sys.executable, *arguments], env=env, cwd=work, capture_output=True)
                elapsed, used = time.perf_counter() - started, _children_cpu() - cpu_before
                if done.returncode != 0 and not revision:
                    raise RuntimeError(f"{label} failed: {done.stderr.decode()}")
                seconds[label].append(elapsed if done.returncode == 0 else float("nan"))
                cpu[label].append(used if done.returncode == 0 else float("nan"))
    return seconds, cpu


def table(seconds: dict[str, list[float]], cpu: dict[str, list[float]]) -> str:
    lines = [
        "| command | median wall | min wall | max wall | median CPU | target (wall) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, _, target in COMMANDS:
        times = seconds[label]
        goal = f"< {target:.1f} s" if target is not None else ""
        if any(t != t for t in times):  # NaN: the revision has no such command
            lines.append(f"| {label} | fails | | | | {goal} |")
            continue
        lines.append(
            f"| {label} | {statistics.median(times):.2f} s | {min(times):.2f} s | {max(times):.2f} s "
            f"| {statistics.median(cpu[label]):.2f} s | {goal} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="runs of every command")
    parser.add_argument("--revision", help="measure this commit's plantops package; BENCHMARKS.md is left alone")
    options = parser.parse_args()
    load = os.getloadavg()[0]
    seconds, cpu = measure(options.runs, options.revision)
    load_after = os.getloadavg()[0]
    result = table(seconds, cpu)
    print(result)
    if options.revision:
        return
    body = "\n".join(
        [
            f"## {TITLE}",
            "",
            f"`.venv/bin/python -m benchmarks.cli_startup` (see the module's docstring): wall time of a fresh "
            f"process per command, median of {options.runs} runs each, round robin; `stock onhand` on the demo "
            "plant in SQLite.",
            "",
            *facts_lines(machine()),
            f"- Load average (1 min): {load:.1f} at the start, {load_after:.1f} at the end (other jobs share the "
            "machine's 2 cores, so wall times include waiting for a core; CPU times are the commands' own)",
            "",
            result,
            "",
            BEFORE,
            "",
            WHERE_THE_TIME_GOES,
        ]
    )
    write_section(TITLE, body)


if __name__ == "__main__":
    main()
