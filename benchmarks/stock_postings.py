"""Stock ledger postings per second on PostgreSQL, next to the raw INSERT + COMMIT rate.

    .venv/bin/python -m benchmarks.stock_postings            # full run, updates BENCHMARKS.md
    .venv/bin/python -m benchmarks.stock_postings --no-write # print the table only

The script creates a fresh database (``plantops_bench`` on the server at
``PLANTOPS_BENCH_POSTGRES_URL``, default the local test server), migrates it and loads
a small plant through the master data import: 20 items in 3 locations, each balance
with a large opening stock. Then, for 1, 4 and 16 concurrent clients (separate
processes, so the GIL does not serialise them), it measures for a fixed time:

* **postings/s**: each client posts a single-line receipt or issue (half each, random
  item, location and quantity from a fixed seed) through
  :mod:`plantops.services.inventory.stock`, i.e. the whole use case as the CLI and the
  API run it: resolve the codes, check the line, insert the posting and its move, update
  the balance with its conditional check, summarise, commit. On PostgreSQL that is one
  autocommitted statement (:func:`plantops.services.inventory.ledger.post_single_line`);
* **raw INSERT+COMMIT/s**: each client runs plain psycopg ``INSERT`` of one row into
  a table with a bigserial key, then ``COMMIT``: the rate at which this server can
  commit a transaction at all, the ceiling for any transactional write path.

Each figure is the median of ``--repeats`` runs (raw and postings interleaved, so drift
affects both alike), and the ratio is postings/s over raw/s. Afterwards
:func:`plantops.services.inventory.balances.verify` must find the ledger sound and the
number of postings in the database must equal those the clients counted.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from multiprocessing.synchronize import Barrier
from typing import Any

import psycopg
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from benchmarks.report import BENCHMARKS_MD, facts_lines, fresh_postgres_database, machine, write_section
from plantops.bootstrap import build
from plantops.config import Settings
from plantops.db.inventory import StockPosting
from plantops.services import master_data
from plantops.services.inventory import balances, stock
from plantops.services.inventory.ledger import InsufficientStockError
from plantops.services.inventory.stock import StockLine, Who

SERVER_URL = os.environ.get("PLANTOPS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATABASE = "plantops_bench"
CLIENTS = (1, 4, 16)
REPEATS = 5
SECONDS = 3.0
WARMUP_POSTINGS = 5
SEED = 20_260_515
N_ITEMS = 20
LOCATIONS = ("P1/RM", "P1/WIP", "P1/FG")
OPENING_STOCK = Decimal(1_000_000)
SECTION = "Stock ledger postings (PostgreSQL)"
#: The same benchmark before single-line postings became one statement (commit 734f247, same machine).
BEFORE = [
    "Before single-line postings became one statement (commit 734f247, 2026-11-21, same machine, load 2.3",
    "at the start): 16 clients raw 4,446/s, postings 497/s, ratio 0.11, client CPU 2.73 ms per posting",
    "(0.20 per raw transaction); 4 clients ratio 0.18; 1 client ratio 0.20.",
]
ITEM_CODES = tuple(f"PART-{n:03d}" for n in range(N_ITEMS))


def plant() -> master_data.MasterData:
    """A small plant: one site, three storage locations, 20 items, stock everywhere."""
    return {
        "units": [{"code": "pcs", "name": "pieces", "dimension": "count", "decimals": 0}],
        "sites": [{"code": "P1", "name": "Plant one", "kind": "plant", "time_zone": "Europe/Berlin"}],
        "locations": [{"code": code, "name": code, "site": "P1", "kind": "storage"} for code in LOCATIONS],
        "items": [
            {
                "code": code,
                "name": f"Part {code}",
                "item_type": "raw_material",
                "unit": "pcs",
                "procurement": "buy",
                "standard_cost": Decimal("1.25"),
            }
            for code in ITEM_CODES
        ],
        "opening_stock": [
            {"item": item, "location": location, "lot": None, "quantity": OPENING_STOCK, "unit_cost": Decimal("1.25")}
            for item in ITEM_CODES
            for location in LOCATIONS
        ],
    }


# --------------------------------------------------------------------------- clients


@dataclass(frozen=True)
class ClientResult:
    done: int  # transactions committed inside the measured window
    refused: int  # postings refused for want of stock (none expected with the opening stock)
    seconds: float
    cpu_seconds: float  # the client process's own CPU time in the window
    total: int  # every posting committed, warm-up included (for the ledger cross-check)
    error: str | None = None


def _posting_client(url: str, seed: int) -> Callable[[], bool]:
    """One posting per call through the stock use cases; False when refused."""
    ops = build(Settings(database_url=url))
    rng = random.Random(seed)
    who = Who(f"bench-{seed}", document="BENCH")

    def post() -> bool:
        line = StockLine(rng.choice(ITEM_CODES), rng.choice(LOCATIONS), Decimal(rng.randint(1, 10)))
        try:
            if rng.random() < 0.5:
                stock.receive(ops.uow(), line, who)
            else:
                stock.issue(ops.uow(), line, who)
        except InsufficientStockError:
            return False
        return True

    return post


def _raw_client(url: str, seed: int) -> Callable[[], bool]:
    """One single-row INSERT + COMMIT per call, plain psycopg."""
    connection = psycopg.connect(_libpq_url(url))
    cursor = connection.cursor()
    counter = iter(range(sys.maxsize))

    def insert() -> bool:
        cursor.execute("INSERT INTO raw_insert (client, n) VALUES (%s, %s)", (seed, next(counter)))
        connection.commit()
        return True

    return insert


CLIENT_KINDS: dict[str, Callable[[str, int], Callable[[], bool]]] = {"postings": _posting_client, "raw": _raw_client}


def _client_main(kind: str, url: str, seed: int, seconds: float, start: Barrier, results: Any) -> None:
    try:
        step = CLIENT_KINDS[kind](url, seed)
        warm = sum(step() for _ in range(WARMUP_POSTINGS))
    except Exception as error:
        start.abort()
        results.put(ClientResult(0, 0, 0.0, 0.0, 0, f"{type(error).__name__}: {error}"))
        return
    try:
        start.wait()
        began, cpu = time.perf_counter(), time.process_time()
        deadline = began + seconds
        done = refused = 0
        while time.perf_counter() < deadline:
            if step():
                done += 1
            else:
                refused += 1
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
        results.put(ClientResult(done, refused, elapsed, cpu, warm + done))
    except Exception as error:
        results.put(ClientResult(0, 0, 0.0, 0.0, 0, f"{type(error).__name__}: {error}"))


@dataclass(frozen=True)
class Measurement:
    rate: float  # transactions per second, all clients together
    cpu_ms: float  # client CPU per transaction, milliseconds
    refused: int
    total: int


def measure(kind: str, url: str, clients: int, seconds: float, seed: int) -> Measurement:
    """Run ``clients`` processes of ``kind`` for ``seconds``; committed transactions per second."""
    context = mp.get_context("fork")
    start = context.Barrier(clients)
    results = context.Queue()
    processes = [
        context.Process(target=_client_main, args=(kind, url, seed + n, seconds, start, results))
        for n in range(clients)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120 + seconds) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    errors = [o.error for o in outcomes if o.error]
    if errors:
        raise RuntimeError(f"{kind} client failed: {errors[0]}")
    window = max(o.seconds for o in outcomes)
    return Measurement(
        rate=sum(o.done for o in outcomes) / window,
        cpu_ms=1000 * sum(o.cpu_seconds for o in outcomes) / max(1, sum(o.done for o in outcomes)),
        refused=sum(o.refused for o in outcomes),
        total=sum(o.total for o in outcomes),
    )


# --------------------------------------------------------------------------- database


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def fresh_database(server_url: str, name: str) -> str:
    """Drop and create database ``name``, migrate it, create the raw table; returns its URL."""
    url = fresh_postgres_database(server_url, name)
    ops = build(Settings(database_url=url))
    try:
        ops.migrate()
        master_data.load(ops.uow(), plant(), source="benchmark", posted_by="bench")
        with ops.engine.begin() as connection:
            connection.execute(
                text(
                    "CREATE TABLE raw_insert (id bigserial PRIMARY KEY, client integer NOT NULL,"
                    " n bigint NOT NULL, at timestamptz NOT NULL DEFAULT now())"
                )
            )
    finally:
        ops.close()
    return url


def postings_in(url: str) -> int:
    ops = build(Settings(database_url=url))
    try:
        with ops.uow() as uow:
            return uow.session.scalar(select(func.count()).select_from(StockPosting)) or 0
    finally:
        ops.close()


def verify_ledger(url: str) -> balances.LedgerCheck:
    ops = build(Settings(database_url=url))
    try:
        return balances.verify(ops.uow())
    finally:
        ops.close()


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


# --------------------------------------------------------------------------- report


@dataclass(frozen=True)
class Row:
    clients: int
    raw: float
    postings: float
    raw_runs: list[float]
    posting_runs: list[float]
    raw_cpu_ms: float
    posting_cpu_ms: float

    @property
    def ratio(self) -> float:
        return self.postings / self.raw


def table(rows: Sequence[Row]) -> str:
    lines = [
        "| clients | raw INSERT+COMMIT/s | postings/s | ratio | client CPU ms per raw txn / posting |",
        "|--------:|--------------------:|-----------:|------:|------------------------------------:|",
    ]
    lines += [
        f"| {r.clients} | {r.raw:,.0f} | {r.postings:,.0f} | {r.ratio:.2f} "
        f"| {r.raw_cpu_ms:.2f} / {r.posting_cpu_ms:.2f} |"
        for r in rows
    ]
    return "\n".join(lines)


def section(rows: Sequence[Row], facts: dict[str, str], *, seconds: float, repeats: int, problems: int) -> str:
    runs = "; ".join(
        f"{r.clients} clients: raw {', '.join(f'{x:,.0f}' for x in r.raw_runs)}, "
        f"postings {', '.join(f'{x:,.0f}' for x in r.posting_runs)}"
        for r in rows
    )
    return "\n".join(
        [
            f"## {SECTION}",
            "",
            "`.venv/bin/python -m benchmarks.stock_postings` (see `benchmarks/README.md`). Each client is a",
            "process; a posting is one single-line receipt or issue through `plantops.services.inventory.stock`",
            f"on {N_ITEMS} items x {len(LOCATIONS)} locations (seed {SEED}); raw is plain psycopg single-row",
            "INSERT + COMMIT into a bigserial table at the same concurrency, in the same run. Rates are",
            f"medians of {repeats} runs of {seconds:g} s each; ratio = postings/s / raw/s. Target: ratio >= 0.5",
            "at 16 clients, with no invariant violation afterwards.",
            "",
            *facts_lines(facts),
            "",
            table(rows),
            "",
            *_limits(rows, facts),
            f"Ledger check after the run (`balances.verify`): {problems} violations.",
            f"All runs (transactions/s): {runs}.",
            "",
        ]
    )


def _limits(rows: Sequence[Row], facts: dict[str, str]) -> list[str]:
    """What bounds the ratio, from this run's own figures."""
    if not rows:
        return []
    last = rows[-1]
    cores = os.cpu_count() or 1
    return [
        f"A posting costs its client {last.posting_cpu_ms:.2f} ms of CPU against {last.raw_cpu_ms:.2f} ms for a raw",
        f"transaction ({last.posting_cpu_ms / last.raw_cpu_ms:.1f}x). Both take few round trips: a posting is one",
        "statement, autocommitted (look up item, unit, location and lot, check the line and the idempotency key,",
        "change the balance on its condition, insert posting and move), a raw transaction three (BEGIN, INSERT,",
        "COMMIT). The rest of a posting's cost is Python (the use case, the pool checkout, switching the connection",
        "to autocommit and back) and, on the server, a statement that writes three rows with their indexes and",
        "foreign-key checks where the raw transaction writes one row with one index.",
        f"With {last.clients} client processes on {cores} logical cores the run is CPU-bound, not commit-bound,",
        "so the ratio tends to the ratio of the whole CPU (client and server) per transaction rather than to 1.",
        "",
        *BEFORE,
        "",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--server", default=SERVER_URL, help="PostgreSQL server URL to create the database on")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--clients", default=",".join(map(str, CLIENTS)), help="comma-separated client counts")
    parser.add_argument("--seconds", type=float, default=SECONDS, help="measured time per run")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--only", choices=sorted(CLIENT_KINDS), help="measure one kind only (for profiling)")
    parser.add_argument("--no-write", action="store_true", help=f"do not update {BENCHMARKS_MD.name}")
    args = parser.parse_args(argv)
    levels = [int(c) for c in args.clients.split(",")]

    url = fresh_database(args.server, args.database)
    committed = postings_in(url)
    facts = machine(url)
    load_before = _load()
    rows = []
    for clients in levels:
        runs: dict[str, list[float]] = {"raw": [], "postings": []}
        cpu: dict[str, list[float]] = {"raw": [], "postings": []}
        for repeat in range(args.repeats):
            for kind in runs:
                if args.only and kind != args.only:
                    continue
                result = measure(kind, url, clients, args.seconds, SEED + 1000 * repeat)
                runs[kind].append(result.rate)
                cpu[kind].append(result.cpu_ms)
                if kind == "postings":
                    committed += result.total
                print(
                    f"{clients:>3} clients  {kind:<8} run {repeat + 1}: {result.rate:>9,.0f}/s"
                    f"  client CPU {result.cpu_ms:.2f} ms/txn",
                    flush=True,
                )
        if args.only:
            continue
        median = statistics.median
        rows.append(
            Row(
                clients,
                median(runs["raw"]),
                median(runs["postings"]),
                runs["raw"],
                runs["postings"],
                median(cpu["raw"]),
                median(cpu["postings"]),
            )
        )
    facts["Load average (1 min) at the start"] = (
        f"{load_before} (other jobs may share the machine; during the run the load includes this benchmark's"
        " own clients and server processes)"
    )

    check = verify_ledger(url)
    in_database = postings_in(url)
    problems = list(check.problems)
    if in_database != committed:
        problems.append(f"{in_database} postings in the database but the clients committed {committed}")
    print()
    for key, value in facts.items():
        print(f"{key}: {value}")
    if rows:
        print(table(rows))
    print(f"ledger: {check.moves} moves, {check.balances} balances, {len(problems)} violations")
    for problem in problems[:20]:
        print(f"  {problem}")
    if rows and not args.no_write and not args.only:
        write_section(SECTION, section(rows, facts, seconds=args.seconds, repeats=args.repeats, problems=len(problems)))
        print(f"wrote the section '{SECTION}' of {BENCHMARKS_MD}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
