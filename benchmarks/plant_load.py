"""Build the synthetic ``--scale`` plant and load it through the master data import.

    .venv/bin/python -m benchmarks.plant_load [--sizes 10000,100000] [--repeats 3]

For each size: the time to generate the plant (pure numpy), and the time to validate
and write it (every row through the same import a user's file takes) on SQLite and on
PostgreSQL, medians of the repeats; peak resident memory of the process. Writes the
section "Synthetic plant: generate and load" of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.report import facts_lines, fresh_postgres_database, machine, write_section
from plantops.bootstrap import build
from plantops.config import Settings
from plantops.engines.plantgen.synthetic import build_synthetic_plant
from plantops.services import master_data

TITLE = "Synthetic plant: generate and load"
SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
AS_OF = dt.date(2026, 11, 16)
SEED = 42


def load_once(n_items: int, database_url: str) -> tuple[float, float, int]:
    """(generate seconds, load seconds, rows) for one fresh database."""
    ops = build(Settings(database_url=database_url))
    ops.migrate()
    started = time.perf_counter()
    data = build_synthetic_plant(n_items, as_of=AS_OF, seed=SEED)
    generated = time.perf_counter()
    report = master_data.load(ops.uow(), data, source="synthetic", posted_by="benchmark")
    loaded = time.perf_counter()
    ops.close()
    return generated - started, loaded - generated, report.total


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--server", default=SERVER_URL)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    rows = []
    for n_items in (int(s) for s in args.sizes.split(",")):
        for backend in ("SQLite", "PostgreSQL"):
            runs = []
            for _ in range(args.repeats):
                if backend == "SQLite":
                    folder = tempfile.mkdtemp(prefix="plantops-bench-")
                    url = f"sqlite:///{Path(folder) / 'plant.db'}"
                else:
                    url = fresh_postgres_database(args.server, "plantops_bench_load")
                runs.append(load_once(n_items, url))
            generate = statistics.median(r[0] for r in runs)
            load = statistics.median(r[1] for r in runs)
            rows.append((n_items, backend, runs[0][2], generate, load))
            print(
                f"{n_items:>7} items {backend:<10} {runs[0][2]:>9} rows  generate {generate:6.2f} s  load {load:6.2f} s"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    body = "\n".join(
        [
            f"## {TITLE}",
            "",
            "`.venv/bin/python -m benchmarks.plant_load`: the `plantops demo --scale N` plant (seed 42),",
            "generated in memory, then validated and written through the master data import (the same",
            f"path as a user's CSV files) into a fresh database. Medians of {args.repeats} runs.",
            "",
            *facts_lines(machine(args.server)),
            "",
            "| items | database | rows | generate (s) | validate + write (s) |",
            "|------:|:---------|-----:|-------------:|---------------------:|",
            *[f"| {n:,} | {b} | {r:,} | {g:.2f} | {w:.2f} |" for n, b, r, g, w in rows],
            "",
            f"Peak resident memory of the benchmark process: {peak:,.0f} MiB.",
            "",
        ]
    )
    print(body)
    if not args.no_write:
        write_section(TITLE, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
