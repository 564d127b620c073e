"""How long the web app's list pages take to answer, on the demo plant and on a plant of 10,000 items.

    .venv/bin/python benchmarks/web_lists.py [--runs 5] [--cache DIR]
    .venv/bin/python benchmarks/web_lists.py --profile "/records/items?sort=-standard_cost" --plant scale

The app runs behind FastAPI's TestClient in a worker process of the benchmark (no network, no
server), signed in as an administrator, so a figure is what the app itself takes: routing, the
session, the query, the template. A page that takes longer than a minute to answer is given up
on (its worker is ended and the next page gets a new one). The pages are every page of the navigation
(:data:`plantops.web.templating.NAVIGATION`), the list of every sheet (``/records/<sheet>``),
and /records/items and the order books sorted, filtered and at their last page. Each page is
asked for once to warm up, then ``--runs`` times; the table gives the median and the slowest
answer. Targets: median under 300 ms on the demo plant, under 1 s on the 10,000-item plant.

Both plants live in SQLite files under the cache folder (default ``<tmp>/plantops-benchmarks/
web_lists``), seeded the first time and reused after (delete the folder to seed again; a
newer schema is migrated on the way). The demo plant is planned end to end as ``plantops
demo --plan`` plans it; the synthetic one (``plantops demo --scale 10000``) gets inventory
policies, an MRP plan and a two-week schedule where each succeeds (no forecast: forecasting
10,000 items takes hours), and the section says which steps failed. ``--profile`` runs one
page under cProfile instead and prints where its time goes; BENCHMARKS.md is left alone.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import html
import json
import multiprocessing
import os
import pstats
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from fastapi.testclient import TestClient

from plantops.bootstrap import PlantOps, build
from plantops.config import Settings
from plantops.errors import PlantOpsError
from plantops.services.access import add_user
from plantops.services.demo import (
    DEMO_SCHEDULE_SECONDS,
    DEMO_USER,
    DEMO_WORK_LIMIT,
    plan_end_to_end,
    seed_demo_plant,
    seed_synthetic_plant,
)
from plantops.services.master_data.sheets import SHEETS
from plantops.services.planning.problem import PlanRequest
from plantops.services.planning.runs import run_plan
from plantops.services.policy.apply import apply_policies
from plantops.services.policy.runs import PolicyRequest, compute_policies
from plantops.services.scheduling.runs import ScheduleRequest, schedule_work
from plantops.web.app import create_web_app
from plantops.web.templating import NAVIGATION

if __package__ in (None, ""):  # run as a script: the repository's root holds the benchmarks package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.report import facts_lines, machine, write_section

TITLE = "Web: list pages"
SEED = 42
SCALE = 10_000
USERNAME = "bench-admin"
PASSWORD = "bench-password-1"
#: Targets on the median answer, in seconds, by plant.
TARGETS = {"demo": 0.3, "scale": 1.0}
#: Seconds an answer may take before the page is given up on.
PATIENCE = 60.0
SPAWN = multiprocessing.get_context("spawn")
PLANT_NAMES = {"demo": "demo plant", "scale": f"{SCALE:,}-item plant"}
#: Lists asked for sorted, filtered and at their last page too: (path, sort, filter).
VARIANTS = (
    ("/records/items", "sort=-standard_cost", "procurement=buy&item_type=raw_material"),
    ("/orders/purchase", "sort=-open_value", "status=open"),
    ("/orders/sales", "sort=-open_quantity", "status=open"),
)
LAST_PAGE = re.compile(r'href="([^"]+)" aria-label="Last page"')
#: The shared list's count: "1-50 of 10,000", or "No items" where nothing matches.
TOTAL = re.compile(r'class="muted count">(?:[^<]*?of ([\d,]+)|No )')


def pages() -> list[str]:
    """Every page of the navigation and every sheet's list, each once, then the variants (the
    last page is found on the plant: ``last:`` names the list)."""
    found = [href for _, group in NAVIGATION for href, _ in group]
    found += [f"/records/{sheet.name}" for sheet in SHEETS]
    for path, sort, chosen in VARIANTS:
        found += [f"{path}?{sort}", f"{path}?{chosen}", f"last:{path}"]
    return list(dict.fromkeys(found))


# --- the plants --------------------------------------------------------------------------


def _seed_demo(ops: PlantOps, now: dt.datetime) -> dict[str, str]:
    seed_demo_plant(ops.uow(), as_of=now.date(), seed=SEED)
    plan_end_to_end(ops.uow(), now=now, run_by=DEMO_USER)
    return {"seeded": "`plantops demo`", "planned": "end to end (forecast, policies, MRP, schedule)"}


def _seed_scale(ops: PlantOps, now: dt.datetime) -> dict[str, str]:
    seed_synthetic_plant(ops.uow(), n_items=SCALE, as_of=now.date(), seed=SEED)
    uow = ops.uow().acting_as(DEMO_USER)
    hour = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)

    def policies() -> str:
        run = compute_policies(uow, PolicyRequest(today=now.date()), computed_by=DEMO_USER)
        _, applied = apply_policies(uow, run=run.number, applied_by=DEMO_USER)
        return f"{run.number}, {len(applied):,} applied"

    def plan() -> str:
        run = run_plan(uow, PlanRequest(start=now.date(), weeks=26), run_by=DEMO_USER)
        return f"{run.number}, {run.planned_orders:,} planned orders, {sum(run.exceptions.values()):,} exceptions"

    def schedule() -> str:
        request = ScheduleRequest(
            horizon_start=hour, weeks=2, time_limit_s=DEMO_SCHEDULE_SECONDS, work_limit=DEMO_WORK_LIMIT
        )
        return schedule_work(uow, request, now=hour, run_by=DEMO_USER).number

    steps: dict[str, Callable[[], str]] = {"policies": policies, "plan": plan, "schedule": schedule}
    outcome = {"seeded": f"`plantops demo --scale {SCALE}`"}
    for name, step in steps.items():
        try:
            outcome[name] = step()
        except PlantOpsError as error:
            outcome[name] = f"failed: {error}"
        print(f"  {name}: {outcome[name]}", flush=True)
    return outcome


SEEDERS: dict[str, Callable[[PlantOps, dt.datetime], dict[str, str]]] = {"demo": _seed_demo, "scale": _seed_scale}


def _settings(database: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{database}")


def prepared(plant: str, cache: Path) -> tuple[Path, dict[str, str]]:
    """The SQLite file of ``plant`` (seeded now unless the cache has it) and how it was made.

    The plant is seeded into a file of its own, renamed into place only once complete, so an
    interrupted run leaves nothing half made to be reused.
    """
    database, notes = cache / f"{plant}.db", cache / f"{plant}.json"
    if database.exists() and notes.exists():
        return database, json.loads(notes.read_text())
    cache.mkdir(parents=True, exist_ok=True)
    partial = cache / f"{plant}.partial.db"
    partial.unlink(missing_ok=True)
    print(f"seeding the {plant} plant into {database} ...", flush=True)
    now = dt.datetime.now(dt.UTC)
    ops = build(_settings(partial))
    try:
        ops.migrate()
        outcome = {"date": now.date().isoformat(), **SEEDERS[plant](ops, now)}
        add_user(ops.uow(), USERNAME, roles=["admin"], password=PASSWORD)
    finally:
        ops.close()
    partial.replace(database)
    notes.write_text(json.dumps(outcome, indent=1))
    return database, outcome


@contextmanager
def signed_in(database: Path) -> Iterator[TestClient]:
    """The web app over ``database`` (migrated to the current schema), signed in as the administrator."""
    ops = build(_settings(database))
    try:
        ops.migrate()
        with TestClient(create_web_app(ops), follow_redirects=False) as client:
            answer = client.post("/login", data={"username": USERNAME, "password": PASSWORD, "next": "/"})
            if answer.status_code != 303:
                raise RuntimeError(f"could not sign in: {answer.status_code} {answer.text[:200]}")
            yield client
    finally:
        ops.close()


# --- timing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One answer of a page: its status, size in bytes and seconds, the list's rows in all (None
    where the page shows no shared list) and the address of the list's last page, if any."""

    status: int
    size: int
    seconds: float
    rows: int | None
    last_page: str | None


def answer(client: TestClient, path: str) -> Answer:
    started = time.perf_counter()
    got = client.get(path)
    seconds = time.perf_counter() - started
    total, last = TOTAL.search(got.text), LAST_PAGE.search(got.text)
    return Answer(
        got.status_code,
        len(got.content),
        seconds,
        int((total.group(1) or "0").replace(",", "")) if total else None,
        html.unescape(last.group(1)) if last else None,
    )


def _serve(database: Path, connection: Connection) -> None:
    """A worker process: answers each address the parent sends until it sends None."""
    with signed_in(database) as client:
        connection.send("ready")
        while (path := connection.recv()) is not None:
            connection.send(answer(client, path))


class Worker:
    """The app over one plant in a process of its own, asked for one page at a time. A page that
    does not answer within :data:`PATIENCE` is given up on: the process is ended (freeing what
    the page took) and the next page starts a new one."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.process: BaseProcess | None = None
        self.connection: Connection | None = None

    def ask(self, path: str) -> Answer | None:
        """The answer of ``path``, or None where it took longer than :data:`PATIENCE`."""
        if self.process is None or self.connection is None:
            self.connection, theirs = SPAWN.Pipe()
            self.process = SPAWN.Process(target=_serve, args=(self.database, theirs), daemon=True)
            self.process.start()
            if not self.connection.poll(PATIENCE) or self.connection.recv() != "ready":
                raise RuntimeError(f"the app over {self.database} did not start within {PATIENCE:.0f} s")
        self.connection.send(path)
        if not self.connection.poll(PATIENCE):
            self.close()
            return None
        found: Answer = self.connection.recv()
        return found

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join()
        self.process = self.connection = None


@dataclass(frozen=True)
class Timing:
    """One page on one plant: the address asked for, its status (None where an answer took longer
    than :data:`PATIENCE`), the list's rows in all, the page's size in bytes and the seconds each
    timed answer took (none where it did not answer 200)."""

    path: str
    status: int | None
    rows: int | None
    size: int
    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def slowest(self) -> float:
        return max(self.seconds)


def time_page(worker: Worker, page: str, runs: int) -> Timing:
    """One answer to warm up, then ``runs`` timed; a ``last:`` page is the list's last page, as
    its pager links to it."""
    path = page.removeprefix("last:")
    if page.startswith("last:"):
        first = worker.ask(path)
        path = first.last_page or path if first else path
    warm = worker.ask(path)
    if warm is None or warm.status != 200:
        return Timing(path, warm.status if warm else None, None, warm.size if warm else 0, ())
    seconds = []
    for _ in range(runs):
        timed = worker.ask(path)
        if timed is None:
            return Timing(path, None, warm.rows, warm.size, ())
        seconds.append(timed.seconds)
    return Timing(path, 200, warm.rows, warm.size, tuple(seconds))


def measure(database: Path, runs: int) -> dict[str, Timing]:
    worker = Worker(database)
    try:
        return {page: time_page(worker, page, runs) for page in pages()}
    finally:
        worker.close()


@contextmanager
def profiled_threads() -> Iterator[list[cProfile.Profile]]:
    """A profile of every thread started inside: the app's event loop and worker threads, where
    TestClient runs the pages (cProfile sees only the thread it is enabled in)."""
    profiles: list[cProfile.Profile] = []

    def start(*_: object) -> None:
        profile = cProfile.Profile()
        profiles.append(profile)
        profile.enable()  # replaces this hook in the new thread

    threading.setprofile(start)
    try:
        yield profiles
    finally:
        threading.setprofile(None)


def profile(plant: str, database: Path, page: str, runs: int) -> None:
    """Print where ``runs`` answers of ``page`` spend their time (cProfile, by cumulative and own time)."""
    with profiled_threads() as profiles, signed_in(database) as client:
        path = page.removeprefix("last:")
        path = (answer(client, path).last_page or path) if page.startswith("last:") else path
        client.get(path)
        for found in profiles:
            found.clear()  # the warm-up's calls
        for _ in range(runs):
            client.get(path)
        stats = pstats.Stats(*profiles)
    print(f"{path} on the {plant} plant, {runs} answers:")
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(15)


# --- the report ------------------------------------------------------------------------------


def _label(page: str, timings: dict[str, dict[str, Timing]]) -> str:
    if not page.startswith("last:"):
        return f"`{page}`"
    numbers = ", ".join(f"{PLANT_NAMES[plant]} {_page_number(found[page].path)}" for plant, found in timings.items())
    return f"`{page.removeprefix('last:')}`, last page ({numbers})"


def _page_number(path: str) -> str:
    found = re.search(r"[?&]page=(\d+)", path)
    return found.group(1) if found else "1"


def _cell(timing: Timing) -> tuple[str, str]:
    if timing.status is None:
        return f"over {PATIENCE:,.0f} s", ""
    if not timing.seconds:
        return f"HTTP {timing.status}", ""
    return f"{1000 * timing.median:,.0f}", f"{1000 * timing.slowest:,.0f}"


def _missed(page: str, timings: dict[str, dict[str, Timing]]) -> list[str]:
    """The plants on which ``page`` missed its target: its median at or over it, or given up on."""
    return [
        PLANT_NAMES[plant]
        for plant, by_page in timings.items()
        if by_page[page].status is None or (by_page[page].seconds and by_page[page].median >= TARGETS[plant])
    ]


def _verdict(page: str, timings: dict[str, dict[str, Timing]]) -> str:
    """A page that answered no plant's requests (not served, or an error) is not judged."""
    if all(by_page[page].status is not None and not by_page[page].seconds for by_page in timings.values()):
        return "not judged"
    missed = _missed(page, timings)
    return f"**missed** ({', '.join(missed)})" if missed else "met"


def table(timings: dict[str, dict[str, Timing]]) -> str:
    lines = [
        "| page | rows (demo / 10,000) | KiB (demo / 10,000) | demo median ms | demo max ms "
        "| 10,000 median ms | 10,000 max ms | target |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for page in pages():
        demo, scale = timings["demo"][page], timings["scale"][page]
        rows = " / ".join("-" if t.rows is None else f"{t.rows:,}" for t in (demo, scale))
        size = " / ".join("-" if t.status is None else f"{t.size / 1024:,.0f}" for t in (demo, scale))
        lines.append(
            f"| {_label(page, timings)} | {rows} | {size} | {' | '.join(_cell(demo))} | {' | '.join(_cell(scale))} "
            f"| {_verdict(page, timings)} |"
        )
    return "\n".join(lines)


WHERE_THE_TIME_GOES = (
    "Where the time goes (`--profile`, 2026-12-07). The 10,000-item plant's plan is large: 7,895,578 planned "
    "orders and 3,573,419 exception messages (1,786,585 late demands, 1,786,626 past due), where the 100,000-item "
    "plant of 'MRP: plantops plan end to end' has 3,115,625 planned orders. `/` (the dashboard) reads every "
    "exception of the plan in force (`queries.plan_exceptions` without a limit) to count them by kind and lists "
    "every late demand in its table; a run left to finish grew past 7 GiB before it was stopped. Before the plant "
    "was planned the dashboard took 0.76 s there, 90% of it in `value_inventory`, the whole plant's valuation on "
    "every visit. `/mrp` spends nearly all its time in SQLite in `planned_order_page` (an answer of 4.4 s under "
    "the profiler): counting the run's planned orders (1.8 s) and sorting all of them by release date and item "
    "code for the first page (2.6 s). `/audit` reads "
    "every entry of the trail to show the first 50 (an ORM result's `fetchmany` still loads every row): 20,007 "
    "entries per answer here, a time that grows with the trail. The 10,000-item plant has no schedule (an "
    "operation longer than the two-week horizon, as the plant line says) and no forecast, so `/schedule` and "
    "`/forecast` there are the pages without one."
)


def _plant_line(plant: str, outcome: dict[str, str]) -> str:
    steps = "; ".join(f"{name}: {value}" for name, value in outcome.items() if name not in ("date", "seeded"))
    made = f"{outcome['seeded']}, seed {SEED}, seeded {outcome['date']}"
    return f"- {PLANT_NAMES[plant].capitalize()} ({made}): {steps}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed answers of every page, after one to warm up")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "plantops-benchmarks" / "web_lists",
        help="where the plants' SQLite files are kept between runs",
    )
    parser.add_argument("--profile", metavar="PATH", help="profile this page instead (e.g. /records/items)")
    parser.add_argument("--plant", choices=sorted(SEEDERS), default="scale", help="the plant --profile reads")
    options = parser.parse_args()
    plants = {plant: prepared(plant, options.cache) for plant in SEEDERS}
    if options.profile:
        profile(options.plant, plants[options.plant][0], options.profile, options.runs)
        return
    load = os.getloadavg()[0]
    timings = {}
    for plant, (database, _) in plants.items():
        print(f"timing the {plant} plant's pages ...", flush=True)
        timings[plant] = measure(database, options.runs)
    load_after = os.getloadavg()[0]
    result = table(timings)
    print(result)
    missed = [p for p in pages() if _missed(p, timings)]
    body = "\n".join(
        [
            f"## {TITLE}",
            "",
            "`.venv/bin/python benchmarks/web_lists.py` (see the module's docstring): each page asked for through "
            "FastAPI's TestClient (the app in a worker process, no network), signed in as an administrator, once "
            f"to warm up, then {options.runs} times; median and slowest answer in milliseconds, given up after "
            f"{PATIENCE:.0f} s. Pages: the navigation's, every "
            "sheet's list, and three lists sorted, filtered and at their last page. Target: median under 300 ms on "
            "the demo plant, under 1 s on the 10,000-item plant (SQLite).",
            "",
            *facts_lines(machine()),
            f"- Load average (1 min): {load:.1f} at the start, {load_after:.1f} at the end (other jobs share the "
            "machine)",
            *(_plant_line(plant, outcome) for plant, (_, outcome) in plants.items()),
            "",
            result,
            "",
            f"Targets missed by {len(missed)} of {len(pages())} pages: "
            + ", ".join(f"{_label(p, timings)} ({', '.join(_missed(p, timings))})" for p in missed)
            + "."
            if missed
            else f"Every page of {len(pages())} met its targets.",
            "",
            WHERE_THE_TIME_GOES,
        ]
    )
    write_section(TITLE, body)


if __name__ == "__main__":
    main()
