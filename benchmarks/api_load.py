"""The HTTP API under load on PostgreSQL, and a worker killed with SIGKILL in the middle of a plan run.

    .venv/bin/python -m benchmarks.api_load                       # about 10 minutes; updates BENCHMARKS.md
    .venv/bin/python -m benchmarks.api_load --seconds 10 --clients 10 --scale 2000 --no-write   # a quick look

**Load.** A fresh database with the demo plant (seed 42), planned once, one planner and
:data:`OPERATORS` operators with bearer tokens. ``plantops serve --workers 2`` (two server
processes behind one port, ``PLANTOPS_SERVER_RUNS_JOBS=false``) and one ``plantops
worker`` run as they would in production. ``--clients`` simulated users (100) then send
requests for ``--seconds`` (120), each the next as soon as the last is answered (a
closed loop, no think time): reads of items, stock balances, both order books, the
planned orders and the job list, and single-line stock receipts and issues of one unit
at the demo plant's locations (:data:`MIX`); beside them a planner starts a plan run (a
job) every ``--plan-every`` seconds. The clients are coroutines of one asyncio loop,
each with its own ``httpx.AsyncClient`` and connection (one client shared by all cost
12 ms of CPU a request in its connection pool, and the client became the bottleneck),
rather than locust: locust would be one more dependency and a gevent runtime for what
forty lines of asyncio do, and its percentiles come from rounded buckets where these are
computed from every latency. An issue refused
for want of stock (409 ``insufficient-stock``) is the business saying no, counted apart;
every other answer than the endpoint's own (5xx, a transport error, any unexpected
status) is an error, and there must be none. Afterwards the ledger must be sound
(:func:`plantops.services.inventory.balances.verify`), every posting answered 2xx must be
in the ledger with its move and no other posting by the clients' users may be there,
and every plan job must have succeeded. The clients run on the same two cores as the
servers, the worker and PostgreSQL; the section gives each one's share of the CPU.

**Kill.** A fresh database with a synthetic plant (``plantops demo --scale N``, large
enough that a plan run takes tens of seconds), one server and one worker
(``PLANTOPS_WORKER_STALL_SECONDS=10``). A first plan run (a job) becomes the plan in
force; a second is started and its worker killed (SIGKILL) once that run has been in its
``write`` step for half as long as the first run's write took. Then the plan in force
must still be the first run, with all its planned orders, and no row of the second may
be anywhere (plan runs, planned orders, MRP records, exception messages by run). A
second worker is started; the section gives the seconds until the job is queued again,
taken up and ended, its outcome and its attempts.

Both databases are dropped at the end (``--keep`` keeps them). The exit status is 1 if
anything that must hold did not.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psutil
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from benchmarks.report import BENCHMARKS_MD, facts_lines, fresh_postgres_database, machine, write_section
from plantops.bootstrap import PlantOps, build
from plantops.config import Settings
from plantops.db.inventory import StockMove, StockPosting
from plantops.db.planning import MrpRecord, PlanException, PlannedOrder, PlanRun
from plantops.errors import PlantOpsError
from plantops.services.access import add_user, issue_token
from plantops.services.demo import seed_demo_plant
from plantops.services.inventory import balances
from plantops.services.planning.problem import PlanRequest
from plantops.services.planning.runs import run_plan
from plantops.vocabulary import Role

SERVER_URL = os.environ.get("PLANTOPS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
LOAD_DATABASE = "plantops_bench_api_load"
KILL_DATABASE = "plantops_bench_worker_kill"
SECTION = "API under load and a worker killed mid-plan"
ROOT = Path(__file__).resolve().parents[1]
PLANTOPS = Path(sys.executable).parent / "plantops"
SEED = 42
CLIENTS = 100
SECONDS = 120.0
PLAN_EVERY = 15.0
SCALE = 80_000
OPERATORS = 10
PLANNER = "load-planner"
STALL_SECONDS = 10
JOB_ATTEMPTS = 2
PLAN_WEEKS = 52
INSUFFICIENT_STOCK = "urn:plantops:problem:insufficient-stock"
#: How long a process may take to answer at all, a job to end.
START_SECONDS = 60.0
JOB_SECONDS = 900.0
#: A client drops an idle connection after this long, before uvicorn does (after 5 s).
KEEPALIVE_SECONDS = 2.0


class BenchmarkError(PlantOpsError):
    """The benchmark could not measure what it set out to: a process did not start, a job did not end."""


# --------------------------------------------------------------------------- processes


@dataclass
class Started:
    """A PlantOps process this benchmark started, its output going to ``log``."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def tree(self) -> list[psutil.Process]:
        """The process and its children (the server processes of ``serve --workers N``)."""
        try:
            parent = psutil.Process(self.popen.pid)
            return [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def tail(self, characters: int = 2000) -> str:
        return self.log.read_text(errors="replace")[-characters:]


def environment(database_url: str) -> dict[str, str]:
    """The settings every process of a run shares: servers queue jobs, only workers run them."""
    return {
        **os.environ,
        "PLANTOPS_DATABASE_URL": database_url,
        "PLANTOPS_SERVER_RUNS_JOBS": "false",
        "PLANTOPS_WORKER_STALL_SECONDS": str(STALL_SECONDS),
        "PLANTOPS_JOB_ATTEMPTS": str(JOB_ATTEMPTS),
        "PLANTOPS_FAN_OUT": "false",
    }


def start(name: str, database_url: str, logs: Path, *args: str) -> Started:
    """``plantops ARGS`` in a session of its own (so that stopping it stops its children)."""
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(
            [str(PLANTOPS), *args],
            cwd=ROOT,
            env=environment(database_url),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Started(name, popen, log)


def stop(process: Started) -> None:
    """SIGTERM to the process's group, then SIGKILL to it if it has not ended within 20 s."""
    if process.popen.poll() is None:
        os.killpg(process.popen.pid, signal.SIGTERM)
        try:
            process.popen.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.popen.pid, signal.SIGKILL)
            process.popen.wait(10)


@contextmanager
def processes(logs: Path | None) -> Iterator[tuple[Path, list[Started]]]:
    """A folder for the processes' logs (``logs``, or a temporary one) and the list of processes
    started; all stopped at the end."""
    started: list[Started] = []
    if logs:
        logs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="plantops-api-load-") as folder:
        try:
            yield logs or Path(folder), started
        finally:
            for process in reversed(started):
                stop(process)


def run_cli(database_url: str, *args: str) -> float:
    """Run ``plantops ARGS`` to its end; its wall time."""
    began = time.perf_counter()
    done = subprocess.run(
        [str(PLANTOPS), *args], cwd=ROOT, env=environment(database_url), capture_output=True, text=True
    )
    if done.returncode != 0:
        raise BenchmarkError(f"plantops {' '.join(args)} failed: {done.stdout[-2000:]}{done.stderr[-2000:]}")
    return time.perf_counter() - began


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(what: str, check: Callable[[], Any], seconds: float, every: float = 0.1) -> Any:
    """Call ``check`` until it returns something true; that value."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise BenchmarkError(f"{what} did not happen within {seconds:g} s")


def wait_for_server(base: str, token: str, server: Started) -> None:
    """Until ``answers`` consecutive requests are answered (every process of ``--workers N`` is up)."""

    def answers() -> bool:
        if server.popen.poll() is not None:
            raise BenchmarkError(f"the server stopped: {server.tail()}")
        try:
            return all(
                httpx.get(f"{base}/api/v1/jobs?limit=1", headers=bearer(token)).status_code == 200 for _ in range(10)
            )
        except httpx.TransportError:
            return False

    wait_until("the server's first answers", answers, START_SECONDS, every=0.5)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def cpu_by_process(group: Sequence[psutil.Process]) -> dict[int, float]:
    """User and system CPU time so far of each of these processes and of its children that have ended
    (PostgreSQL's sessions, for its postmaster), by pid; processes that ended are left out."""
    found = {}
    for process in group:
        try:
            times = process.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        found[process.pid] = times.user + times.system + times.children_user + times.children_system
    return found


def postgres_processes() -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["name"]) if p.info["name"] in ("postgres", "postmaster")]


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent on anything but idling, summed over its cores."""
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


# --------------------------------------------------------------------------- the load


@dataclass(frozen=True)
class Plant:
    """What the clients ask about and post to: the demo plant's codes and the users' tokens."""

    items: tuple[str, ...]
    #: (item, location) of every balance held without a lot: receipts and issues of one unit go there.
    places: tuple[tuple[str, str], ...]
    operator_tokens: tuple[str, ...]
    planner_token: str
    plan_in_force: str


@dataclass(frozen=True)
class Call:
    """One request of the mix: its endpoint's name, whether it reads or posts, and what it sends."""

    endpoint: str
    method: str
    path: str
    token: str
    body: dict[str, Any] | None = None
    key: str | None = None


Pick = Callable[[random.Random, Plant, str], Call]
"""Draws one call of a kind; the third argument is a key unique to the call (for an ``Idempotency-Key``)."""


def _items(rng: random.Random, plant: Plant, _key: str) -> Call:
    return Call("items", "GET", f"/api/v1/items?limit=50&offset={rng.randrange(0, len(plant.items), 50)}", "")


def _balances(rng: random.Random, plant: Plant, _key: str) -> Call:
    return Call("balances", "GET", f"/api/v1/stock/balances?item={rng.choice(plant.items)}", "")


def _book(book: str) -> Pick:
    return lambda _rng, _plant, _key: Call(f"{book} orders", "GET", f"/api/v1/order-book/{book}?limit=50", "")


def _planned(_rng: random.Random, _plant: Plant, _key: str) -> Call:
    return Call("planned orders", "GET", "/api/v1/plan/orders?limit=50", "")


def _jobs(_rng: random.Random, _plant: Plant, _key: str) -> Call:
    return Call("jobs", "GET", "/api/v1/jobs?limit=20", "")


def _posting(kind: str) -> Pick:
    def pick(rng: random.Random, plant: Plant, key: str) -> Call:
        item, location = rng.choice(plant.places)
        body = {"item": item, "location": location, "quantity": "1", "document": "LOAD"}
        return Call(f"stock {kind}", "POST", f"/api/v1/stock/{kind}", "", body, key)

    return pick


#: The clients' mix: (weight, what to send). Reads are 70 %, single-line postings 30 %.
MIX: tuple[tuple[int, Pick], ...] = (
    (14, _items),
    (14, _balances),
    (14, _book("purchase")),
    (14, _book("sales")),
    (7, _planned),
    (7, _jobs),
    (15, _posting("receipts")),
    (15, _posting("issues")),
)
#: What each endpoint answers when it does what it was asked.
EXPECTED = {"stock receipts": 201, "stock issues": 201, "plan runs": 202}
POSTS = frozenset(EXPECTED)


@dataclass
class Tally:
    """Every answer of the measured window: latencies by endpoint, refusals, errors, what was posted."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)
    posting_ids: list[int] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)

    def error(self, endpoint: str, said: str) -> None:
        self.errors[endpoint] = self.errors.get(endpoint, 0) + 1
        if len(self.error_samples) < 20:
            self.error_samples.append(f"{endpoint}: {said}")


async def send(client: httpx.AsyncClient, call: Call, tally: Tally | None) -> None:
    """Send ``call`` and file its answer; a warm-up call (no ``tally``) must simply succeed."""
    headers = bearer(call.token)
    if call.key:
        headers["Idempotency-Key"] = call.key
    began = time.perf_counter()
    try:
        answer = await client.request(call.method, call.path, json=call.body, headers=headers)
    except httpx.TransportError as error:
        if tally is None:
            raise BenchmarkError(f"warm-up {call.endpoint}: {type(error).__name__}: {error}") from error
        tally.error(call.endpoint, f"{type(error).__name__}: {error}")
        return
    latency = time.perf_counter() - began
    if tally is None:
        if answer.status_code != EXPECTED.get(call.endpoint, 200):
            raise BenchmarkError(f"warm-up {call.endpoint}: {answer.status_code} {answer.text[:300]}")
        return
    if answer.status_code == EXPECTED.get(call.endpoint, 200):
        tally.latencies.setdefault(call.endpoint, []).append(latency)
        if call.endpoint == "plan runs":
            tally.jobs.append(answer.json()["number"])
        elif call.endpoint in POSTS:
            tally.posting_ids.append(int(answer.json()["posting_id"]))
    elif answer.status_code == 409 and answer.json().get("type") == INSUFFICIENT_STOCK:
        tally.latencies.setdefault(call.endpoint, []).append(latency)
        tally.refused[call.endpoint] = tally.refused.get(call.endpoint, 0) + 1
    else:
        tally.error(call.endpoint, f"{answer.status_code} {answer.text[:300]}")


PICKS = tuple(pick for _, pick in MIX)
WEIGHTS = tuple(weight for weight, _ in MIX)


@dataclass
class Gate:
    """Where the clients wait after their warm-up until all of them are ready, and when the window ends."""

    opened: asyncio.Event
    ready: int = 0
    deadline: float = float("inf")


def http_client(base: str) -> httpx.AsyncClient:
    """One simulated user's connection to the server.

    Its idle connection is dropped after :data:`KEEPALIVE_SECONDS`, before the server's own limit
    (uvicorn's 5 s): a request sent on a connection the server is closing at that moment would
    fail on the way, a failure of the client's configuration rather than of the server."""
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1, keepalive_expiry=KEEPALIVE_SECONDS)
    return httpx.AsyncClient(base_url=base, limits=limits, timeout=httpx.Timeout(120.0))


async def client_loop(number: int, base: str, plant: Plant, tally: Tally, gate: Gate) -> None:
    """One simulated user: a warm-up read, then the mix until the deadline, each call after the last's answer."""
    rng = random.Random(SEED * 1000 + number)
    token = plant.operator_tokens[number % len(plant.operator_tokens)]
    async with http_client(base) as client:
        await send(client, Call("items", "GET", "/api/v1/items?limit=1", token), None)
        gate.ready += 1
        await gate.opened.wait()
        sent = 0
        while time.perf_counter() < gate.deadline:
            call = rng.choices(PICKS, WEIGHTS)[0](rng, plant, f"load-{number}-{sent}")
            await send(client, dataclasses.replace(call, token=token), tally)
            sent += 1


async def planner_loop(base: str, plant: Plant, tally: Tally, gate: Gate, every: float) -> None:
    """The planner: a plan run of the whole plant every ``every`` seconds, the first when the window opens."""
    async with http_client(base) as client:
        await gate.opened.wait()
        while time.perf_counter() < gate.deadline:
            call = Call("plan runs", "POST", "/api/v1/plan/runs", plant.planner_token, {"weeks": 26})
            await send(client, call, tally)
            await asyncio.sleep(max(0.0, min(every, gate.deadline - time.perf_counter())))


@dataclass(frozen=True)
class Window:
    """The measured window: its length and the CPU seconds each party used in it."""

    seconds: float
    cpu: dict[str, float]


Watched = dict[str, Callable[[], list[psutil.Process]]]
"""Groups of processes whose CPU time is measured, each listed afresh when measured."""


def cpu_now(watched: Watched) -> dict[str, dict[int, float]]:
    """CPU seconds so far of this process (the clients), of each watched group's processes (by pid) and of
    the whole machine."""
    return {
        "load clients (this process)": {0: time.process_time()},
        **{name: cpu_by_process(group()) for name, group in watched.items()},
        "whole machine": {0: machine_busy_seconds()},
    }


async def drive(
    base: str, plant: Plant, clients: int, seconds: float, plan_every: float, watched: Watched
) -> tuple[Tally, Window]:
    """All the clients and the planner against ``base`` for ``seconds``, counted from the end of their warm-up."""
    tally, gate = Tally(), Gate(asyncio.Event())
    tasks = [asyncio.create_task(client_loop(n, base, plant, tally, gate)) for n in range(clients)]
    tasks.append(asyncio.create_task(planner_loop(base, plant, tally, gate, plan_every)))
    while gate.ready < clients:
        for task in tasks:
            if task.done():
                task.result()  # a warm-up that failed raises here
        await asyncio.sleep(0.05)
    before = cpu_now(watched)
    began = time.perf_counter()
    gate.deadline = began + seconds
    gate.opened.set()
    await asyncio.gather(*tasks)
    window = time.perf_counter() - began
    after = cpu_now(watched)
    # a process started in the window counts from zero (a new database session); one that ended in it counts
    # in its parent's time of ended children (PostgreSQL's postmaster), its time before the window twice
    used = {name: sum(cpu - before[name].get(pid, 0.0) for pid, cpu in after[name].items()) for name in after}
    return tally, Window(window, used)


def load_plant(url: str) -> Plant:
    """Migrate, seed the demo plant, plan it once, add the users; what the clients need to know."""
    ops = build(Settings(database_url=url, server_runs_jobs=False))
    try:
        ops.migrate()
        today = dt.date.today()
        seed_demo_plant(ops.uow(), as_of=today, seed=SEED)
        add_user(ops.uow(), PLANNER, roles=[Role.PLANNER])
        operators = [f"load-operator-{n:02d}" for n in range(OPERATORS)]
        for name in operators:
            add_user(ops.uow(), name, roles=[Role.OPERATOR])
        summary = run_plan(ops.uow(), PlanRequest(start=today, weeks=26), run_by=PLANNER)
        held = balances.on_hand(ops.uow())
        return Plant(
            items=tuple(sorted({b.item for b in held})),
            places=tuple(sorted({(b.item, b.location) for b in held if b.lot is None})),
            operator_tokens=tuple(issue_token(ops.uow(), name).secret for name in operators),
            planner_token=issue_token(ops.uow(), PLANNER).secret,
            plan_in_force=summary.number,
        )
    finally:
        ops.close()


def job_view(base: str, token: str, number: str) -> dict[str, Any] | None:
    """The job as the API answers it; None while the server cannot be reached."""
    try:
        answer = httpx.get(f"{base}/api/v1/jobs/{number}", headers=bearer(token), timeout=30)
    except httpx.TransportError:
        return None
    if answer.status_code != 200:
        raise BenchmarkError(f"job {number}: {answer.status_code} {answer.text[:300]}")
    found: dict[str, Any] = answer.json()
    return found


FINISHED = frozenset({"succeeded", "failed", "cancelled"})


def job_end(base: str, token: str, number: str) -> dict[str, Any]:
    """The job once it has ended."""
    view: dict[str, Any] = wait_until(
        f"the end of job {number}",
        lambda: (view := job_view(base, token, number)) and view["status"] in FINISHED and view,
        JOB_SECONDS,
        every=0.2,
    )
    return view


@dataclass(frozen=True)
class LoadOutcome:
    clients: int
    plan_every: float
    plant: Plant
    tally: Tally
    window: Window
    ledger: balances.LedgerCheck
    postings_in_ledger: int
    moves_of_postings: int
    missing: int
    extra: int
    job_statuses: dict[str, int]
    #: Database sessions opened while the clients ran (warm-up included): connections the servers' pools opened.
    sessions_opened: int

    @property
    def posted(self) -> int:
        return len(self.tally.posting_ids)

    def problems(self) -> list[str]:
        found = [f"{sum(self.tally.errors.values())} errors: {'; '.join(self.tally.error_samples[:5])}"]
        found = found if self.tally.errors else []
        found += self.ledger.problems
        if self.missing or self.extra:
            found.append(f"{self.missing} postings answered 2xx are not in the ledger, {self.extra} others are")
        if self.moves_of_postings != self.postings_in_ledger:
            found.append(f"{self.postings_in_ledger} postings have {self.moves_of_postings} moves, not one each")
        if set(self.job_statuses) - {"succeeded"}:
            found.append(f"plan jobs ended {self.job_statuses}")
        return found


def load_run(url: str, clients: int, seconds: float, plan_every: float, logs: Path | None) -> LoadOutcome:
    """The load part: the plant, the processes, the clients, then the ledger's checks."""
    plant = load_plant(url)
    with processes(logs and logs / "load") as (folder, started):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start("server", url, folder, "serve", "--workers", "2", "--port", str(port))
        started.append(server)
        worker = start("worker", url, folder, "worker", "--name", "load")
        started.append(worker)
        wait_for_server(base, plant.planner_token, server)
        watched: Watched = {
            "servers (2 processes)": server.tree,
            "job worker": worker.tree,
            "PostgreSQL": postgres_processes,
        }
        sessions = database_sessions(url)
        tally, window = asyncio.run(drive(base, plant, clients, seconds, plan_every, watched))
        sessions = database_sessions(url) - sessions - 1  # less the one this count opens
        ends = [job_end(base, plant.planner_token, number) for number in tally.jobs]
    job_statuses: dict[str, int] = {}
    for end in ends:
        job_statuses[end["status"]] = job_statuses.get(end["status"], 0) + 1
    ops = build(Settings(database_url=url, server_runs_jobs=False))
    try:
        ledger = balances.verify(ops.uow())
        with ops.uow() as uow:
            by_clients = select(StockPosting.id).where(StockPosting.posted_by.like("load-operator-%"))
            in_ledger = set(uow.session.scalars(by_clients))
            moves = uow.session.scalar(
                select(func.count()).select_from(StockMove).where(StockMove.posting_id.in_(by_clients))
            )
    finally:
        ops.close()
    answered = set(tally.posting_ids)
    return LoadOutcome(
        clients,
        plan_every,
        plant,
        tally,
        window,
        ledger,
        len(in_ledger),
        moves or 0,
        len(answered - in_ledger),
        len(in_ledger - answered),
        job_statuses,
        sessions,
    )


def database_sessions(url: str) -> int:
    """How many sessions have been opened to the database at ``url`` so far (PostgreSQL's statistics)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            query = text("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
            return int(connection.execute(query).scalar_one())
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- the kill


PLAN_TABLES = {
    "plan runs": PlanRun.id,
    "planned orders": PlannedOrder.run_id,
    "MRP records": MrpRecord.run_id,
    "exception messages": PlanException.run_id,
}


def rows_by_run(ops: PlantOps) -> dict[str, dict[int, int]]:
    """How many rows each plan run has in each of the plan's tables."""
    found = {}
    with ops.uow() as uow:
        for name, run in PLAN_TABLES.items():
            found[name] = {int(r): int(n) for r, n in uow.session.execute(select(run, func.count()).group_by(run))}
    return found


def plan_in_force(ops: PlantOps) -> str | None:
    """The number of the newest plan run: the plan that counts."""
    with ops.uow() as uow:
        newest = select(func.max(PlanRun.id)).scalar_subquery()
        return uow.session.scalar(select(PlanRun.number).where(PlanRun.id == newest))


def sessions_of(ops: PlantOps, process: Started) -> list[tuple[int, str, str]]:
    """The database sessions of ``process`` (matched by their client ports): backend pid, state, and the
    start of its statement (up to its first parenthesis)."""
    try:
        ports = [c.laddr.port for c in psutil.Process(process.popen.pid).net_connections("tcp") if c.raddr]
    except psutil.NoSuchProcess:
        return []
    with ops.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT pid, state, query FROM pg_stat_activity"
                " WHERE client_port = ANY(:ports) AND datname = current_database()"
            ),
            {"ports": ports},
        )
        return [(int(pid), str(state), " ".join(str(query).split("(")[0].split())) for pid, state, query in rows]


def backends_alive(ops: PlantOps, pids: Sequence[int]) -> bool:
    with ops.engine.connect() as connection:
        alive = connection.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)"), {"pids": list(pids)}
        ).scalar()
    return bool(alive)


def post_plan(base: str, token: str) -> str:
    answer = httpx.post(f"{base}/api/v1/plan/runs", json={"weeks": PLAN_WEEKS}, headers=bearer(token), timeout=60)
    if answer.status_code != 202:
        raise BenchmarkError(f"starting a plan run: {answer.status_code} {answer.text[:300]}")
    number: str = answer.json()["number"]
    return number


@dataclass
class KillOutcome:
    scale: int
    seed_seconds: float
    first: dict[str, Any]
    before: dict[str, dict[int, int]]
    step_at_kill: str
    write_seconds_at_kill: float
    killed_session: list[tuple[int, str, str]]
    worker_peak_mib: float
    in_force_after_kill: str | None
    after_kill: dict[str, dict[int, int]]
    requeued_after: float
    running_again_after: float
    second_worker_started_after: float
    ended_after: float
    total_seconds: float
    end: dict[str, Any]
    in_force_at_end: str | None
    at_end: dict[str, dict[int, int]]

    def problems(self) -> list[str]:
        found = []
        in_force = self.first["result"]["number"]
        if self.step_at_kill != "write":
            found.append(f"the worker was killed in the {self.step_at_kill!r} step, not while writing")
        if self.in_force_after_kill != in_force or self.after_kill != self.before:
            found.append(f"after the kill the plan in force is {self.in_force_after_kill}, rows {self.after_kill}")
        if self.end["status"] == "succeeded":
            if self.in_force_at_end != self.end["result"]["number"]:
                found.append(f"the job succeeded but the plan in force is {self.in_force_at_end}")
        elif not self.end["error"]:
            found.append(f"the job ended {self.end['status']} without saying why")
        return found


def kill_run(url: str, scale: int, logs: Path | None) -> KillOutcome:
    """The kill part: a plan in force, a second run whose worker dies while writing, a second worker."""
    seed_seconds = run_cli(url, "demo", "--scale", str(scale), "--seed", str(SEED))
    ops = build(Settings(database_url=url, server_runs_jobs=False))
    try:
        add_user(ops.uow(), PLANNER, roles=[Role.PLANNER])
        token = issue_token(ops.uow(), PLANNER).secret
        with processes(logs and logs / "kill") as (folder, started):
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            server = start("server", url, folder, "serve", "--port", str(port))
            first_worker = start("worker-first", url, folder, "worker", "--name", "first")
            started += [server, first_worker]
            wait_for_server(base, token, server)
            first = job_end(base, token, post_plan(base, token))
            if first["status"] != "succeeded":
                raise BenchmarkError(f"the first plan run {first['status']}: {first['error']}")
            before = rows_by_run(ops)
            posted = time.perf_counter()
            number = post_plan(base, token)
            peak = [0]

            def writing() -> dict[str, Any] | None:
                try:
                    peak[0] = max(peak[0], psutil.Process(first_worker.popen.pid).memory_info().rss)
                except psutil.NoSuchProcess:
                    raise BenchmarkError(f"the first worker stopped: {first_worker.tail()}") from None
                view = job_view(base, token, number)
                return view if view and view["status"] == "running" and view["step"] == "write" else None

            wait_until("the second run's write step", writing, JOB_SECONDS)
            write_began = time.perf_counter()
            while time.perf_counter() - write_began < first["result"]["seconds"]["write"] / 2:
                writing()
                time.sleep(0.1)
            at_kill = job_view(base, token, number) or {"step": "?"}
            session = sessions_of(ops, first_worker)
            first_worker.popen.send_signal(signal.SIGKILL)
            killed = time.perf_counter()
            first_worker.popen.wait(10)
            in_write = killed - write_began
            pids = [pid for pid, _, _ in session]
            wait_until("the killed worker's sessions ending", lambda: not backends_alive(ops, pids), 60)
            in_force_after_kill, after_kill = plan_in_force(ops), rows_by_run(ops)

            second_worker = start("worker-second", url, folder, "worker", "--name", "second")
            started.append(second_worker)
            second_started = time.perf_counter()
            seen: dict[str, float] = {}

            def ended() -> dict[str, Any] | None:
                view = job_view(base, token, number)
                if view is None:
                    return None
                now = time.perf_counter()
                if view["status"] == "queued" or (view["worker"] or "").endswith("/second"):
                    seen.setdefault("queued", now)
                if view["status"] == "running" and (view["worker"] or "").endswith("/second"):
                    seen.setdefault("running", now)
                return view if view["status"] in FINISHED else None

            end = wait_until("the end of the killed run's job", ended, JOB_SECONDS, every=0.05)
            finished = time.perf_counter()
        return KillOutcome(
            scale=scale,
            seed_seconds=seed_seconds,
            first=first,
            before=before,
            step_at_kill=str(at_kill["step"]),
            write_seconds_at_kill=in_write,
            killed_session=session,
            worker_peak_mib=peak[0] / 2**20,
            in_force_after_kill=in_force_after_kill,
            after_kill=after_kill,
            requeued_after=seen.get("queued", finished) - killed,
            running_again_after=seen.get("running", finished) - killed,
            second_worker_started_after=second_started - killed,
            ended_after=finished - killed,
            total_seconds=finished - posted,
            end=end,
            in_force_at_end=plan_in_force(ops),
            at_end=rows_by_run(ops),
        )
    finally:
        ops.close()


# --------------------------------------------------------------------------- report


def _ms(latencies: Sequence[float], q: float) -> str:
    return f"{1000 * float(np.percentile(latencies, q)):,.0f}" if latencies else "-"


def load_table(outcome: LoadOutcome) -> str:
    """Answers per second and latency percentiles: all, reads, posts, then each endpoint."""
    tally, window = outcome.tally, outcome.window
    endpoints = [pick(random.Random(0), outcome.plant, "").endpoint for pick in PICKS] + ["plan runs"]
    groups: list[tuple[str, list[str]]] = [
        ("**all**", endpoints),
        ("**reads**", [e for e in endpoints if e not in POSTS]),
        ("**posts**", [e for e in endpoints if e in POSTS]),
        *[(e, [e]) for e in endpoints],
    ]
    lines = [
        "| requests | answered | per second | p50 ms | p95 ms | p99 ms | max ms | refused: no stock | errors |",
        "|:---------|---------:|-----------:|-------:|-------:|-------:|-------:|------------------:|-------:|",
    ]
    for label, names in groups:
        latencies = [x for name in names for x in tally.latencies.get(name, [])]
        refused = sum(tally.refused.get(name, 0) for name in names)
        errors = sum(tally.errors.get(name, 0) for name in names)
        lines.append(
            f"| {label} | {len(latencies):,} | {len(latencies) / window.seconds:,.1f} | {_ms(latencies, 50)} "
            f"| {_ms(latencies, 95)} | {_ms(latencies, 99)} | {_ms(latencies, 100)} | {refused:,} | {errors:,} |"
        )
    return "\n".join(lines)


def cpu_lines(window: Window) -> list[str]:
    cores = os.cpu_count() or 1
    said = ", ".join(f"{name} {seconds / window.seconds:.2f}" for name, seconds in window.cpu.items())
    return [
        f"CPU in the window, in cores busy on average (of {cores}): {said}. The clients share the machine with what",
        "they measure, so every figure is lower than separate client machines would see.",
    ]


def load_body(outcome: LoadOutcome, seconds: float) -> list[str]:
    ledger = outcome.ledger
    jobs = ", ".join(f"{n} {status}" for status, n in outcome.job_statuses.items()) or "none"
    return [
        f"### The API under load: {outcome.clients} clients for {seconds:g} s (one run)",
        "",
        f"`plantops serve --workers 2` and one `plantops worker` on the demo plant (seed {SEED}), planned once",
        f"({outcome.plant.plan_in_force}); {outcome.clients} clients (asyncio coroutines in this process, each with",
        "its own `httpx.AsyncClient` and connection, sending its next request when the last is answered) as",
        f"{OPERATORS} operators: reads 70 % (items, balances of an item, both order books, planned orders, the job",
        "list) and postings 30 % (receipts and issues of one unit of an item without lots where it is held,",
        f"{len(outcome.plant.places)} item-location pairs, each with an `Idempotency-Key`); a planner starts a plan",
        f"run (a job, 26 weeks) every {outcome.plan_every:g} s. Latencies are from sending to the whole answer read,",
        "in the client; the window starts once every client has had one answer, and lasted",
        f"{outcome.window.seconds:.1f} s (requests under way at the end are waited for).",
        "",
        load_table(outcome),
        "",
        *cpu_lines(outcome.window),
        f"Database sessions opened while the clients ran: {outcome.sessions_opened:,} (each server process keeps",
        "a pool of 5 connections and opens up to 10 more when busy, closing each of those when it is given back).",
        "",
        "Errors (5xx, transport errors, any other status than the endpoint's own):"
        f" {sum(outcome.tally.errors.values())}. An issue refused for want of stock (409 `insufficient-stock`)",
        "is the business saying no and is counted apart (its latency is in the table).",
        f"Ledger check after the run (`balances.verify`): {len(ledger.problems)} violations in {ledger.moves:,} moves"
        f" and {ledger.balances:,} balances. Postings answered 201: {outcome.posted:,}; postings by the clients'"
        f" users in the ledger: {outcome.postings_in_ledger:,} ({outcome.missing} of those answered missing,"
        f" {outcome.extra} not answered), with {outcome.moves_of_postings:,} moves (one each).",
        f"Plan jobs started: {len(outcome.tally.jobs)}; ended: {jobs}.",
        *([f"First errors: {'; '.join(outcome.tally.error_samples[:5])}"] if outcome.tally.errors else []),
    ]


def _rows(found: dict[str, dict[int, int]], run: int) -> str:
    return ", ".join(f"{found[name].get(run, 0):,} {name}" for name in PLAN_TABLES if name != "plan runs")


def kill_body(outcome: KillOutcome) -> list[str]:
    first, end = outcome.first, outcome.end
    first_id = int(first["result"]["number"].removeprefix("PLAN-"))
    runs_after_kill = sorted(outcome.after_kill["plan runs"])
    seconds = first["result"]["seconds"]
    done = end["result"] or {}
    new_id = int(done["number"].removeprefix("PLAN-")) if done else first_id
    busy = [f"{state}: `{query}`" for _, state, query in outcome.killed_session if state != "idle"]
    session = "; ".join(busy) or "none busy"
    rows = [
        ("plant", f"`plantops demo --scale {outcome.scale:,}` (seed {SEED}), seeded in {outcome.seed_seconds:.0f} s"),
        (
            "plan in force (a first job)",
            f"{first['result']['number']}: {_rows(outcome.before, first_id)};"
            f" read {seconds['read']:.1f} s, plan {seconds['plan']:.1f} s, write {seconds['write']:.1f} s",
        ),
        (
            "killed (SIGKILL)",
            f"worker `first`, {outcome.write_seconds_at_kill:.1f} s into the `{outcome.step_at_kill}`"
            f" step of the second run; its busy database session: {session};"
            f" worker peak RSS {outcome.worker_peak_mib:,.0f} MiB",
        ),
        (
            "right after the kill",
            f"plan in force {outcome.in_force_after_kill}; plan runs in the database:"
            f" {', '.join(f'PLAN-{r:06d}' for r in runs_after_kill)}; {_rows(outcome.after_kill, first_id)}"
            f" (as before: {'yes' if outcome.after_kill == outcome.before else 'NO'})",
        ),
        ("second worker started", f"{outcome.second_worker_started_after:.1f} s after the kill"),
        (
            "job queued again",
            f"{outcome.requeued_after:.1f} s after the kill (stall limit {STALL_SECONDS} s, maintenance every 15 s)",
        ),
        ("job running on the second worker", f"{outcome.running_again_after:.1f} s after the kill"),
        (
            "job ended",
            f"{outcome.ended_after:.1f} s after the kill: **{end['status']}**, attempts {end['attempts']},"
            f' worker {end["worker"]}; recorded reason: "{end["error"]}"',
        ),
        (
            "plan in force at the end",
            f"{outcome.in_force_at_end}: {_rows(outcome.at_end, new_id)}; plan runs in the database:"
            f" {', '.join(f'PLAN-{r:06d}' for r in sorted(outcome.at_end['plan runs']))}",
        ),
        ("total", f"{outcome.total_seconds:.1f} s from posting the run to its end"),
    ]
    return [
        f"### A worker killed mid-plan ({outcome.scale:,} items, one run)",
        "",
        f"One `plantops serve` and one `plantops worker` (`PLANTOPS_WORKER_STALL_SECONDS={STALL_SECONDS}`,"
        f" `PLANTOPS_JOB_ATTEMPTS={JOB_ATTEMPTS}`); plan runs of {PLAN_WEEKS} weeks posted to `/api/v1/plan/runs`",
        "and followed at `/api/v1/jobs/{number}`. The worker is killed once the second run has been writing for half",
        "as long as the first run's write took; then a second worker is started. The job is read every 0.05 s:",
        "a job queued again and taken up between two reads shows both at the same time.",
        "",
        "| | |",
        "|:--|:--|",
        *[f"| {what} | {value} |" for what, value in rows],
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--server", default=SERVER_URL, help="PostgreSQL server URL to create the databases on")
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--seconds", type=float, default=SECONDS, help="length of the measured window")
    parser.add_argument("--plan-every", type=float, default=PLAN_EVERY, help="seconds between plan runs under load")
    parser.add_argument("--scale", type=int, default=SCALE, help="items of the synthetic plant of the kill")
    parser.add_argument("--only", choices=("load", "kill"), help="run one part only (BENCHMARKS.md is left alone)")
    parser.add_argument("--keep", action="store_true", help="keep the two databases")
    parser.add_argument("--logs", type=Path, help="keep the servers' and workers' logs in this folder")
    parser.add_argument("--no-write", action="store_true", help=f"do not update {BENCHMARKS_MD.name}")
    args = parser.parse_args(argv)

    facts = machine(args.server)
    facts["Load average (1 min) at the start"] = f"{os.getloadavg()[0]:.1f}"
    body, problems = [], []
    urls = []
    try:
        if args.only != "kill":
            urls.append(fresh_postgres_database(args.server, LOAD_DATABASE))
            loaded = load_run(urls[-1], args.clients, args.seconds, args.plan_every, args.logs)
            body += [*load_body(loaded, args.seconds), ""]
            problems += loaded.problems()
        if args.only != "load":
            urls.append(fresh_postgres_database(args.server, KILL_DATABASE))
            killed = kill_run(urls[-1], args.scale, args.logs)
            body += [*kill_body(killed), ""]
            problems += killed.problems()
    finally:
        if not args.keep:
            for url in urls:
                drop_database(args.server, url)
    text_ = "\n".join(
        [
            f"## {SECTION}",
            "",
            "`.venv/bin/python -m benchmarks.api_load` (see `benchmarks/README.md`): the HTTP API on PostgreSQL under",
            "load, then a job worker killed with SIGKILL in the middle of a plan run. Clients, servers, workers and",
            "PostgreSQL all run on this one machine.",
            "",
            *facts_lines(facts),
            "",
            *body,
            f"Checks: {'all held' if not problems else 'FAILED: ' + '; '.join(problems)}.",
        ]
    )
    print(text_)
    if not args.no_write and not args.only:
        write_section(SECTION, text_)
        print(f"wrote the section '{SECTION}' of {BENCHMARKS_MD}")
    return 1 if problems else 0


def drop_database(server_url: str, url: str) -> None:
    name = make_url(url).database
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
