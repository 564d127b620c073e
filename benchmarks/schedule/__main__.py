"""PlantOps' scheduler against the textbook CP-SAT model on the public job-shop and flexible job-shop sets.

    .venv/bin/python -m benchmarks.schedule                                   # all 138 instances, 60 s each
    .venv/bin/python -m benchmarks.schedule --subset ft,la01-la05,ta01,mk01-mk03 --time-limit 10
    .venv/bin/python -m benchmarks.schedule --subset ta --results /tmp/ta.jsonl   # resumable in parts
    .venv/bin/python -m benchmarks.schedule --subset la --results /tmp/ta.jsonl --rerun plantops

For every instance (``../shared/data``: ft06/10/20, la01-la40, ta01-ta80, mk01-mk15) it runs
PlantOps' engine (:func:`plantops.engines.schedule.solve`, makespan objective: its
dispatching-rule warm start, CP-SAT, then its tabu search) and
the plain textbook CP-SAT model (:mod:`benchmarks.schedule.textbook`) with the same time
limit, workers and seed, one after the other (alternating which goes first, so that a
change in the machine's load does not favour one). It reports each makespan, its gap to the
best known upper bound, whether it is proven optimal and the wall time; per group the
geometric mean of ``1 + gap`` minus one (so that a gap of 0 counts) and the number proven
optimal. The section "Scheduling: job shop and flexible job shop" of BENCHMARKS.md gets the
table, the machine, the date and which instances ran. ``--results`` keeps each instance's
row in a JSON-lines file and skips the instances already there, so a long run can be done
in parts; with ``--rerun plantops`` it solves PlantOps' side again on the instances already
there (after a change to the engine), keeping the textbook model's outcomes, and each cell
records the commit that produced it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import ortools

from benchmarks.report import facts_lines, machine, write_section
from benchmarks.schedule.instances import Instance, read, select
from benchmarks.schedule.textbook import Outcome, solve_textbook
from plantops.engines.schedule import Job, Mode, Operation, Precedence, Resource, ScheduleProblem, SolveSettings, solve
from plantops.engines.schedule.solver import SMALL, SMALL_SHARE

TITLE = "Scheduling: job shop and flexible job shop, {seconds:g} s per instance"
GROUP_ORDER = ["ft", "la", *(f"ta{first:02d}-{first + 9:02d}" for first in range(1, 80, 10)), "mk"]


def to_problem(instance: Instance) -> ScheduleProblem:
    """One job per row, its operations in order, each with its machine alternatives; no calendars, no due dates."""
    operations: list[Operation] = []
    precedences: list[Precedence] = []
    for j, job in enumerate(instance.jobs):
        for k, alternatives in enumerate(job):
            operations.append(Operation(j, tuple(Mode(machine, minutes) for machine, minutes in alternatives)))
            if k:
                precedences.append(Precedence(len(operations) - 2, len(operations) - 1))
    horizon = sum(max(minutes for _, minutes in alternatives) for job in instance.jobs for alternatives in job)
    return ScheduleProblem(
        resources=tuple(Resource(f"M{m}") for m in range(instance.machines)),
        jobs=tuple(Job(f"J{j}") for j in range(len(instance.jobs))),
        operations=tuple(operations),
        precedences=tuple(precedences),
        horizon=horizon,
    )


def solve_plantops(instance: Instance, time_limit_s: float, workers: int, seed: int) -> Outcome:
    problem = to_problem(instance)
    settings = SolveSettings(time_limit_s=time_limit_s, workers=workers, seed=seed, makespan_weight=1)
    began = time.perf_counter()
    result = solve(problem, settings)
    seconds = time.perf_counter() - began
    return Outcome(
        makespan=result.makespan if result.has_schedule else None,
        bound=math.ceil(result.best_bound) if not math.isnan(result.best_bound) else 0,
        optimal=result.proven_optimal,
        seconds=seconds,
    )


MODELS = {"plantops": solve_plantops, "textbook": solve_textbook}


def run_instance(name: str, time_limit_s: float, workers: int, seed: int, position: int) -> dict[str, object]:
    instance = read(name)
    labels = list(MODELS)
    if position % 2:
        labels.reverse()
    row: dict[str, object] = {
        "instance": name,
        "group": instance.group,
        "size": f"{len(instance.jobs)} x {instance.machines}",
        "best_upper": instance.best_upper,
        "closed": instance.closed,
        "load": os.getloadavg()[0],
        "date": time.strftime("%Y-%m-%d"),
        "commit": _commit(),
    }
    for label in labels:
        row[label] = run_model(label, instance, time_limit_s, workers, seed)
    return row


def run_model(label: str, instance: Instance, time_limit_s: float, workers: int, seed: int) -> dict[str, object]:
    """One model's outcome on ``instance`` as a result row's cell."""
    outcome = MODELS[label](instance, time_limit_s, workers, seed)
    return {
        "makespan": outcome.makespan,
        "bound": outcome.bound,
        "optimal": outcome.optimal,
        "seconds": round(outcome.seconds, 2),
    }


def rerun(row: dict[str, object], label: str, time_limit_s: float, workers: int, seed: int) -> dict[str, object]:
    """``row`` with ``label``'s model solved again, its cell recording the date, commit and load of the new run."""
    cell = {"date": time.strftime("%Y-%m-%d"), "commit": _commit(), "load": os.getloadavg()[0]}
    cell |= run_model(label, read(str(row["instance"])), time_limit_s, workers, seed)
    return row | {label: cell}


def _keep(path: Path, rows: dict[str, dict[str, object]]) -> None:
    """Write ``rows`` to the JSON-lines file ``path`` through a temporary file, so that a stopped run loses none."""
    partial = path.with_suffix(".partial")
    partial.write_text("".join(json.dumps(row) + "\n" for row in rows.values()))
    partial.replace(path)


def _commit() -> str:
    """The checked-out commit of the code that ran, so that results kept across runs say what they measure."""
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    return found.stdout.strip() or "unknown"


def gap(row: dict[str, object], label: str) -> float:
    makespan = row[label]["makespan"]  # type: ignore[index]
    best = int(row["best_upper"])  # type: ignore[call-overload]
    return math.inf if makespan is None else (makespan - best) / best


def geomean_gap(gaps: list[float]) -> float:
    """Geometric mean of ``1 + gap``, minus one."""
    return math.exp(sum(math.log1p(g) for g in gaps) / len(gaps)) - 1 if gaps else math.nan


def _percent(value: float) -> str:
    return "none" if math.isinf(value) else f"{100 * value:.2f}%"


def render(rows: list[dict[str, object]], args: argparse.Namespace, facts: dict[str, str]) -> str:
    by_group: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        by_group.setdefault(str(row["group"]), []).append(row)
    lines = [
        f"## {TITLE.format(seconds=args.time_limit)}",
        "",
        f"`.venv/bin/python -m benchmarks.schedule --subset {args.subset or 'all'} --time-limit {args.time_limit:g}"
        f" --workers {args.workers}` (see `benchmarks/schedule/__main__.py`). Makespan of each instance from",
        "`../shared/data` by PlantOps' engine (`plantops.engines.schedule.solve`: CP-SAT's parallel portfolio",
        "from the dispatching-rule schedule for a fifth of the time, then the tabu search of",
        "`plantops.engines.schedule.tabu` from CP-SAT's and the dispatching rule's schedules, one per core;",
        f"CP-SAT gets {SMALL_SHARE:.0%} of the time on job shops of up to {SMALL} operations) and by the plain",
        "textbook CP-SAT model (intervals, no-overlap, optional intervals for alternatives; CP-SAT defaults,",
        "no hint), same time limit, workers and seed (0), run one after the other on the same machine. Gap:",
        "to the best known upper bound (`best_known.json`); geometric mean over a group of (1 + gap), minus 1.",
        "",
        *facts_lines(facts),
        "",
        f"Instances run ({len(rows)}): " + ", ".join(str(row["instance"]) for row in rows) + ".",
        "",
        "Commits that produced the outcomes: " + _commits(rows) + ".",
        "",
        "| group | instances | PlantOps geo-mean gap | textbook geo-mean gap | PlantOps proven optimal |"
        " textbook proven optimal | better |",
        "|:--|--:|--:|--:|--:|--:|:--|",
    ]
    for group in sorted(by_group, key=lambda g: GROUP_ORDER.index(g) if g in GROUP_ORDER else len(GROUP_ORDER)):
        members = by_group[group]
        ours = geomean_gap([gap(row, "plantops") for row in members])
        theirs = geomean_gap([gap(row, "textbook") for row in members])
        proven = sum(bool(row["plantops"]["optimal"]) for row in members)  # type: ignore[index]
        proven_textbook = sum(bool(row["textbook"]["optimal"]) for row in members)  # type: ignore[index]
        better = "PlantOps" if ours < theirs else "textbook" if theirs < ours else "equal"
        lines.append(
            f"| {group} | {len(members)} | {_percent(ours)} | {_percent(theirs)} | {proven} | {proven_textbook} |"
            f" {better} |"
        )
    taillard = [row for row in rows if str(row["group"]).startswith("ta")]
    if taillard:
        lines.append(
            f"| ta (all run) | {len(taillard)} | {_percent(geomean_gap([gap(r, 'plantops') for r in taillard]))} |"
            f" {_percent(geomean_gap([gap(r, 'textbook') for r in taillard]))} | | | |"
        )
    lines += [
        "",
        "| instance | size | best known | PlantOps | gap | proven | s | textbook | gap | proven | s |",
        "|:--|:--|--:|--:|--:|:-:|--:|--:|--:|:-:|--:|",
    ]
    for row in rows:
        cells = [str(row["instance"]), str(row["size"]), str(row["best_upper"])]
        for label in ("plantops", "textbook"):
            found = row[label]
            cells += [
                str(found["makespan"]),  # type: ignore[index]
                _percent(gap(row, label)),
                "yes" if found["optimal"] else "",  # type: ignore[index]
                f"{found['seconds']:.0f}",  # type: ignore[index]
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _commits(rows: list[dict[str, object]]) -> str:
    """Per model, each commit with the number of outcomes it produced (a rerun cell records its own)."""
    parts = []
    for label in MODELS:
        counts: dict[str, int] = {}
        for row in rows:
            commit = str(row[label].get("commit", row["commit"]))  # type: ignore[attr-defined]
            counts[commit] = counts.get(commit, 0) + 1
        parts.append(f"{label} " + ", ".join(f"{commit} ({n})" for commit, n in counts.items()))
    return "; ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--subset", default="", help="e.g. ft,la01-la05,ta01,mk01-mk03 (default: all)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance and model")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--results", type=Path, help="JSON-lines file of finished instances (resumes)")
    parser.add_argument("--no-write", action="store_true", help="do not update BENCHMARKS.md")
    parser.add_argument(
        "--rerun",
        choices=sorted(MODELS),
        help="solve this model again on the subset's instances already in --results (after a change to it),"
        " keeping the other model's outcomes",
    )
    args = parser.parse_args(argv)

    names = select(args.subset)
    done: dict[str, dict[str, object]] = {}
    if args.results and args.results.exists():
        for line in args.results.read_text().splitlines():
            row = json.loads(line)
            done[row["instance"]] = row
    facts = machine()
    facts["Software"] += f", OR-Tools {ortools.__version__}"
    facts["Load average (1 min) at the start"] = f"{os.getloadavg()[0]:.1f} (the machine is shared with other jobs)"
    rows = []
    for position, name in enumerate(names):
        if name in done and not args.rerun:
            rows.append(done[name])
            continue
        if name in done:
            row = done[name] = rerun(done[name], args.rerun, args.time_limit, args.workers, args.seed)
        else:
            row = done[name] = run_instance(name, args.time_limit, args.workers, args.seed, position)
        rows.append(row)
        if args.results:
            _keep(args.results, done)
        print(
            f"{name}: PlantOps {row['plantops']['makespan']} ({_percent(gap(row, 'plantops'))}),"  # type: ignore[index]
            f" textbook {row['textbook']['makespan']} ({_percent(gap(row, 'textbook'))})",  # type: ignore[index]
            flush=True,
        )
    facts["Load average (1 min) at the end"] = f"{os.getloadavg()[0]:.1f}"
    body = render(rows, args, facts)
    print(body)
    if not args.no_write:
        write_section(TITLE.format(seconds=args.time_limit), body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
