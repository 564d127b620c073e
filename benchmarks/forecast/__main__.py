"""Forecast accuracy on the M3 (3,003 series) and M1 (1,001 series) competitions.

    flock /tmp/mainwork/bench.lock .venv/bin/python -m benchmarks.forecast            # all of M3 and M1
    .venv/bin/python -m benchmarks.forecast --subset 300 --no-write                   # a quick look

PlantOps' forecast (:func:`plantops.engines.forecast.forecast_demand` with its default
settings on each frequency: the candidates cross-validated on rolling origins, each series
forecast by the mean of the candidates within 1.5 times the best one's MASE) next to what
the same run gives for the single candidate it ranked best ("CV-selected"), seasonal naive
and AutoETS (candidates of the run), and the standard Theta method (statsforecast's
``Theta``, run on the same data). sMAPE (M3's, 0-200) over all forecasts, MASE over series,
per frequency and overall; the published Theta scores on M3 (Makridakis and Hibon 2000)
for reference. Times: wall and CPU seconds per 1,000 series, and per candidate where
they go. The pooling rule was chosen on the Tourism competition's data (not on M1 or M3).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable

import statsforecast
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from benchmarks.forecast.competitions import (
    DATASETS,
    FREQUENCIES,
    METHODS,
    FrequencyRun,
    Scores,
    Timing,
    run_frequency,
    subset,
)
from benchmarks.forecast.profile import model_seconds
from benchmarks.report import facts_lines, machine, write_section

TITLE = "Forecasting: M3 and M1 competitions"
#: Theta's published sMAPE on M3 (Makridakis and Hibon 2000), the best original entry overall.
THETA_M3 = {"yearly": 16.90, "quarterly": 8.96, "monthly": 13.85, "other": 4.41, "all": 13.01}
TARGET = 13.01
PROFILE_SAMPLE = 40


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subset", type=int, help="Only this many series of each dataset, evenly spaced.")
    parser.add_argument("--datasets", default="M3,M1", help="Comma-separated: M3, M1.")
    parser.add_argument("--jobs", type=int, default=2, help="statsforecast worker processes.")
    parser.add_argument("--no-write", action="store_true", help="Print only; leave BENCHMARKS.md alone.")
    options = parser.parse_args()
    load = os.getloadavg()[0]
    started = time.perf_counter()
    runs: list[FrequencyRun] = []
    profiles: dict[str, dict[str, tuple[float, float]]] = {}
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns) as progress:
        for name in options.datasets.split(","):
            chosen = subset(DATASETS[name](), options.subset)
            for frequency in FREQUENCIES:
                series = [s for s in chosen if s.type == frequency]
                if not series:
                    continue
                task = progress.add_task(f"{name} {frequency}", total=len(series))
                runs.append(run_frequency(name, frequency, series, options.jobs, _advancing(progress, task)))
                if name == "M3":
                    profiles[frequency] = model_seconds(series, PROFILE_SAMPLE)
    body = _report(runs, profiles, options, load, time.perf_counter() - started)
    print(body)
    if not options.no_write:
        write_section(TITLE, body)


def _advancing(progress: Progress, task: TaskID) -> Callable[[int, int], None]:
    def advance(done: int, _total: int) -> None:
        progress.update(task, completed=done)

    return advance


def _report(
    runs: list[FrequencyRun],
    profiles: dict[str, dict[str, tuple[float, float]]],
    options: argparse.Namespace,
    load: float,
    seconds: float,
) -> str:
    command = "python -m benchmarks.forecast" + (f" --subset {options.subset}" if options.subset else "")
    lines = [f"## {TITLE}\n"]
    lines.append(
        f"`{command}` (see `benchmarks/forecast/__main__.py`), {options.jobs} worker processes, "
        f"{seconds / 60:.0f} minutes in all. PlantOps: the candidates cross-validated per series on rolling "
        "origins (MASE), the forecast the mean of those within 1.5 times the best one's MASE (the rule was chosen "
        "on the Tourism competition's data, not on M1 or M3). CV-selected: the single candidate the same "
        "cross-validation ranked best. SeasonalNaive and AutoETS are candidates of the same run; Theta is "
        "statsforecast's standard Theta on the same data. sMAPE: the M3 competition's (0-200), averaged over "
        "all forecasts; MASE: scaled by the in-sample seasonal naive forecast, averaged over series.\n"
    )
    facts = machine()
    facts["Software"] += f", statsforecast {statsforecast.__version__}"
    facts["Load average (1 min) at the start"] = f"{load:.1f} (the machine is shared)"
    lines += facts_lines(facts)
    lines.append("")
    lines.append("| data | frequency | series | h | " + " | ".join(METHODS) + " | Theta published |")
    lines.append("|---|---|---:|---:|" + "---:|" * (len(METHODS) + 1))
    totals: dict[str, Scores] = {}
    for run in runs:
        totals.setdefault(run.dataset, Scores()).add(run.scores)
        published = f"{THETA_M3[run.frequency]:.2f}" if run.dataset == "M3" and not options.subset else ""
        lines.append(_row(run.dataset, run.frequency, run.scores, str(run.horizon), published, "smape"))
    for dataset, scores in totals.items():
        published = f"{THETA_M3['all']:.2f}" if dataset == "M3" and not options.subset else ""
        lines.append(_row(f"**{dataset}**", "**all**", scores, "", published, "smape"))
    lines.append("\nsMAPE above; MASE below.\n")
    lines.append("| data | frequency | series | " + " | ".join(METHODS) + " |")
    lines.append("|---|---|---:|" + "---:|" * len(METHODS))
    for run in runs:
        lines.append(_row(run.dataset, run.frequency, run.scores, None, None, "mase"))
    for dataset, scores in totals.items():
        lines.append(_row(f"**{dataset}**", "**all**", scores, None, None, "mase"))
    lines.append("")
    lines += _verdict(totals.get("M3"), options)
    lines += _timing(runs, profiles)
    return "\n".join(lines) + "\n"


def _row(dataset: str, frequency: str, scores: Scores, horizon: str | None, published: str | None, kind: str) -> str:
    values = [scores.smape(m) if kind == "smape" else scores.mean_mase(m) for m in METHODS]
    best = min(values)
    cells = (
        [f"**{v:.2f}**" if v == best else f"{v:.2f}" for v in values]
        if kind == "smape"
        else [f"{v:.3f}" for v in values]
    )
    head = [dataset, frequency, f"{scores.series:,}"] + ([horizon] if horizon is not None else [])
    tail = [published] if published is not None else []
    return "| " + " | ".join(head + cells + tail) + " |"


def _verdict(m3: Scores | None, options: argparse.Namespace) -> list[str]:
    if m3 is None:
        return []
    ours, theta = m3.smape("PlantOps"), m3.smape("Theta")
    if options.subset:
        return [f"A subset of M3: overall sMAPE {ours:.2f} against Theta's {theta:.2f} in the same run.\n"]
    met = "met" if ours < TARGET else "not met"
    return [
        f"Target (overall M3 sMAPE below Theta's published {TARGET}): **{met}**, PlantOps {ours:.2f}; "
        f"statsforecast's Theta in the same run {theta:.2f}.\n"
    ]


def _timing(runs: list[FrequencyRun], profiles: dict[str, dict[str, tuple[float, float]]]) -> list[str]:
    lines = [
        "| data | frequency | series | PlantOps wall s / 1,000 series | PlantOps CPU s / 1,000 "
        "| Theta wall s / 1,000 | pool sizes (series) |"
    ]
    lines.append("|---|---|---:|---:|---:|---:|---|")
    totals: dict[str, Timing] = {}
    for run in runs:
        totals.setdefault(run.dataset, Timing()).add(run.timing)
        pools = ", ".join(f"{size}: {count}" for size, count in sorted(run.pools.items()))
        lines.append(_timing_row(run.dataset, run.frequency, run.timing, pools))
    for dataset, timing in totals.items():
        lines.append(_timing_row(f"**{dataset}**", "**all**", timing, ""))
    if profiles:
        lines.append(
            f"\nWhere the time goes (M3, {PROFILE_SAMPLE} series of the largest cohort per frequency, one process, "
            "CPU ms per series: rolling-origin cross-validation / final fit and forecast). PlantOps' run above also "
            "fits every candidate in the final step, since the benchmark scores them; a production run fits only "
            "the pool.\n"
        )
        names = sorted({name for profile in profiles.values() for name in profile})
        lines.append("| frequency | " + " | ".join(names) + " |")
        lines.append("|---|" + "---:|" * len(names))
        for frequency, profile in profiles.items():
            cells = [f"{profile[n][0]:.0f} / {profile[n][1]:.0f}" if n in profile else "" for n in names]
            lines.append(f"| {frequency} | " + " | ".join(cells) + " |")
    lines.append(f"\nPython {platform.python_version()}.")
    return lines


def _timing_row(dataset: str, frequency: str, timing: Timing, pools: str) -> str:
    per = 1000 / max(timing.series, 1)
    return (
        f"| {dataset} | {frequency} | {timing.series:,} | {timing.plantops_wall * per:,.0f} | "
        f"{timing.plantops_cpu * per:,.0f} | {timing.theta_wall * per:,.1f} | {pools} |"
    )


if __name__ == "__main__":
    main()
