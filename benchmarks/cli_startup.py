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
]


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


def measure(runs: int, revision: str | None) -> dict[str, list[float]]:
    """Wall seconds of every command, ``runs`` times each, round robin (NaN where an older revision fails)."""
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
        for _ in range(runs):
            for label, arguments, _ in COMMANDS:
                started = time.perf_counter()
                done = subprocess.run([sys.executable, *arguments], env=env, cwd=work, capture_output=True)
                elapsed = time.perf_counter() - started
                if done.returncode != 0 and not revision:
                    raise RuntimeError(f"{label} failed: {done.stderr.decode()}")
                seconds[label].append(elapsed if done.returncode == 0 else float("nan"))
    return seconds


def table(seconds: dict[str, list[float]]) -> str:
    lines = ["| command | median | min | max | target |", "|---|---:|---:|---:|---:|"]
    for label, _, target in COMMANDS:
        times = seconds[label]
        goal = f"< {target:.1f} s" if target is not None else ""
        if any(t != t for t in times):  # NaN: the revision has no such command
            lines.append(f"| {label} | fails | | | {goal} |")
            continue
        lines.append(
            f"| {label} | {statistics.median(times):.2f} s | {min(times):.2f} s | {max(times):.2f} s | {goal} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="runs of every command")
    parser.add_argument("--revision", help="measure this commit's plantops package; BENCHMARKS.md is left alone")
    options = parser.parse_args()
    load = os.getloadavg()[0]
    seconds = measure(options.runs, options.revision)
    result = table(seconds)
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
            f"- Load average (1 min) at the start: {load:.1f} (other jobs share the machine)",
            "",
            result,
        ]
    )
    write_section(TITLE, body)


if __name__ == "__main__":
    main()
