"""Receipts against purchase orders per second through the HTTP API on PostgreSQL, 16 clients at once.

    .venv/bin/python -m benchmarks.purchasing_receipts            # about 2 minutes; updates BENCHMARKS.md
    .venv/bin/python -m benchmarks.purchasing_receipts --seconds 5 --no-write   # a quick look

A fresh database (``plantops_bench_receipts``) with one plant, one supplier (no over-receipt
tolerance) and :data:`N_ITEMS` items; :data:`N_ORDERS` purchase orders are created, approved,
sent and confirmed through the API, each with one line per item of :data:`LINE_QUANTITY`.
``plantops serve --workers 2`` answers; ``--clients`` operators (coroutines of one asyncio
loop, each with its own connection, as in :mod:`benchmarks.api_load`) then post receipts of
:data:`RECEIPT_QUANTITY` against random lines of random orders (seed :data:`SEED`) for
``--seconds``, each the next as soon as the last is answered. A receipt that would take a
line past its ordered quantity is refused (422 naming ``quantity``): the business saying no,
counted apart; anything else than 201 or that refusal is an error. The orders are few, so
clients collide on the same order rows all the time (the order row is locked while a receipt
posts).

Invariants checked afterwards, in the database: for every line, received quantity = the sum
of its receipts = the sum of the ledger's moves posted under its order for its item, and never
more than ordered; every receipt answered 201 is there, and no other; the ledger is sound
(:func:`plantops.services.inventory.balances.verify`). The figure is receipts answered 201 per
second; the run is repeated ``--repeats`` times on fresh orders and the median reported.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal

import httpx
from sqlalchemy import func, select

from benchmarks.api_load import (
    BenchmarkError,
    bearer,
    free_port,
    http_client,
    processes,
    start,
    stop,
    wait_for_server,
)
from benchmarks.report import facts_lines, fresh_postgres_database, machine, write_section
from benchmarks.stock_postings import SERVER_URL
from plantops.bootstrap import build
from plantops.config import Settings
from plantops.db.inventory import StockMove, StockPosting
from plantops.db.procurement import PurchaseOrder, PurchaseOrderLine, PurchaseReceipt
from plantops.services import master_data
from plantops.services.access import add_user, issue_token
from plantops.services.inventory import balances
from plantops.vocabulary import Role

DATABASE = "plantops_bench_receipts"
SECTION = "Purchasing: receipts against purchase orders through the API (PostgreSQL)"
SEED = 20_261_207
N_ITEMS = 10
N_ORDERS = 8
LINE_QUANTITY = 400
RECEIPT_QUANTITY = 5
CLIENTS = 16
SECONDS = 20.0
REPEATS = 3
BUYER = "bench-buyer"


def plant() -> master_data.MasterData:
    """One plant with a receiving location, one supplier of ten untracked items at 2.5 each."""
    items = [f"PART-{n:03d}" for n in range(N_ITEMS)]
    return {
        "units": [{"code": "pcs", "name": "pieces", "dimension": "count", "decimals": 0}],
        "sites": [{"code": "P1", "name": "Plant one", "kind": "plant", "time_zone": "Europe/Berlin"}],
        "locations": [{"code": "P1/IN", "name": "Receiving", "site": "P1", "kind": "receiving"}],
        "items": [
            {"code": code, "name": code, "item_type": "raw_material", "unit": "pcs", "procurement": "buy"}
            for code in items
        ],
        "suppliers": [{"code": "S1", "name": "Supplier one", "currency": "EUR"}],
        "supplier_items": [{"supplier": "S1", "item": code, "lead_time_days": Decimal(5)} for code in items],
        "price_breaks": [
            {"supplier": "S1", "item": code, "min_quantity": Decimal(0), "unit_price": Decimal("2.5")} for code in items
        ],
        "purchase_approval_limits": [{"role": "buyer", "max_amount": Decimal(1_000_000)}],
    }


@dataclass
class Tally:
    received: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)


def open_orders(base: str, token: str) -> list[str]:
    """:data:`N_ORDERS` orders sent and confirmed through the API, one line per item."""
    numbers = []
    with httpx.Client(base_url=base, headers=bearer(token), timeout=60) as client:
        for _ in range(N_ORDERS):
            lines = [
                {"item": f"PART-{n:03d}", "quantity": str(LINE_QUANTITY), "due_date": "2026-12-20"}
                for n in range(N_ITEMS)
            ]
            made = client.post("/api/v1/purchasing/orders", json={"supplier": "S1", "site": "P1", "lines": lines})
            if made.status_code != 201:
                raise BenchmarkError(f"creating an order failed: {made.text}")
            number = made.json()["number"]
            for step in ("approve", "send"):
                if client.post(f"/api/v1/purchasing/orders/{number}/{step}").status_code != 200:
                    raise BenchmarkError(f"{step} {number} failed")
            numbers.append(number)
    return numbers


async def receive_for(base: str, token: str, orders: list[str], seconds: float, number: int, tally: Tally) -> None:
    rng = random.Random(SEED + number)
    deadline = time.monotonic() + seconds
    async with http_client(base) as client:
        while time.monotonic() < deadline:
            order = rng.choice(orders)
            body = {
                "lines": [{"line": rng.randint(1, N_ITEMS), "quantity": str(RECEIPT_QUANTITY), "location": "P1/IN"}]
            }
            began = time.perf_counter()
            try:
                answer = await client.post(
                    f"/api/v1/purchasing/orders/{order}/receipts", json=body, headers=bearer(token)
                )
            except httpx.TransportError as error:
                tally.errors.append(f"transport: {error!r}")
                continue
            tally.latencies.append(time.perf_counter() - began)
            if answer.status_code == 201:
                tally.received += 1
            elif answer.status_code == 422 and '"field":"quantity"' in answer.text.replace(" ", ""):
                tally.refused += 1
            else:
                tally.errors.append(f"{answer.status_code}: {answer.text[:300]}")


async def load(base: str, tokens: list[str], orders: list[str], clients: int, seconds: float) -> Tally:
    tally = Tally()
    await asyncio.gather(
        *(receive_for(base, tokens[n % len(tokens)], orders, seconds, n, tally) for n in range(clients))
    )
    return tally


def check(database_url: str, orders: list[str], received: int) -> list[str]:
    """What does not hold in the database after a run (empty: everything holds)."""
    ops = build(Settings(database_url=database_url))
    problems: list[str] = []
    try:
        with ops.uow() as uow:
            session = uow.session
            lines = session.execute(
                select(PurchaseOrder.number, PurchaseOrderLine.id, PurchaseOrderLine.item_id)
                .join(PurchaseOrderLine, PurchaseOrderLine.order_id == PurchaseOrder.id)
                .add_columns(PurchaseOrderLine.quantity, PurchaseOrderLine.received_quantity)
                .where(PurchaseOrder.number.in_(orders))
            ).all()
            counted = 0
            for number, line_id, item_id, quantity, line_received in lines:
                receipts = session.execute(
                    select(func.coalesce(func.sum(PurchaseReceipt.quantity), 0), func.count()).where(
                        PurchaseReceipt.order_line_id == line_id
                    )
                ).one()
                moved = session.scalar(
                    select(func.coalesce(func.sum(StockMove.quantity), 0))
                    .join(StockPosting, StockPosting.id == StockMove.posting_id)
                    .where(StockPosting.source_document == number, StockMove.item_id == item_id)
                )
                counted += receipts[1]
                if not line_received == receipts[0] == moved:
                    problems.append(
                        f"{number} line of item {item_id}: received {line_received}, receipts "
                        f"{receipts[0]}, ledger {moved}"
                    )
                if line_received > quantity:
                    problems.append(f"{number} line of item {item_id}: received {line_received} > ordered {quantity}")
            if counted != received:
                problems.append(f"{counted} receipts in the database, {received} answered 201")
        problems += balances.verify(ops.uow()).problems
    finally:
        ops.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--no-write", action="store_true", help="print the table, leave BENCHMARKS.md alone")
    args = parser.parse_args(argv)

    database_url = fresh_postgres_database(SERVER_URL, DATABASE)
    ops = build(Settings(database_url=database_url))
    ops.migrate()
    master_data.load(ops.uow(), plant(), source="benchmark", posted_by="bench")
    add_user(ops.uow(), BUYER, roles=[Role.BUYER])
    operators = [f"bench-operator-{n}" for n in range(4)]
    for name in operators:
        add_user(ops.uow(), name, roles=[Role.OPERATOR])
    buyer_token = issue_token(ops.uow(), BUYER).secret
    tokens = [issue_token(ops.uow(), name).secret for name in operators]
    ops.close()
    facts = machine(database_url)

    runs: list[tuple[float, Tally, list[str]]] = []
    with processes(None) as (logs, started):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start("serve", database_url, logs, "serve", "--port", str(port), "--workers", "2")
        started.append(server)
        wait_for_server(base, buyer_token, server)
        for _ in range(args.repeats):
            orders = open_orders(base, buyer_token)
            began = time.perf_counter()
            tally = asyncio.run(load(base, tokens, orders, args.clients, args.seconds))
            elapsed = time.perf_counter() - began
            runs.append((tally.received / elapsed, tally, check(database_url, orders, tally.received)))
        stop(server)

    rates = [rate for rate, _, _ in runs]
    latencies = sorted(latency for _, tally, _ in runs for latency in tally.latencies)
    errors = [error for _, tally, _ in runs for error in tally.errors]
    violations = [problem for _, _, problems in runs for problem in problems]
    p50 = latencies[len(latencies) // 2] * 1000 if latencies else float("nan")
    p95 = latencies[int(len(latencies) * 0.95)] * 1000 if latencies else float("nan")
    table = "\n".join(
        [
            "| clients | receipts/s (median) | refused (line full) | errors | p50 ms | p95 ms | invariant violations |",
            "|--------:|--------------------:|--------------------:|-------:|-------:|-------:|---------------------:|",
            f"| {args.clients} | {statistics.median(rates):,.0f} | {sum(t.refused for _, t, _ in runs):,} | "
            f"{len(errors)} | {p50:.0f} | {p95:.0f} | {len(violations)} |",
        ]
    )
    body = "\n".join(
        [
            f"## {SECTION}",
            "",
            "`.venv/bin/python -m benchmarks.purchasing_receipts`. "
            f"{N_ORDERS} orders of {N_ITEMS} lines of {LINE_QUANTITY} each, receipts of {RECEIPT_QUANTITY} against "
            f"random lines by {args.clients} clients for {args.seconds:g} s, {args.repeats} runs on fresh orders; "
            "`plantops serve --workers 2` on the same machine as the clients and PostgreSQL. A receipt is one "
            "stock posting, its receipt record and the line's received quantity in one transaction, under a lock "
            "of the order row. Afterwards, per line: received = sum of receipts = sum of the ledger's moves under "
            "the order, never above ordered; receipts in the database = receipts answered 201; the ledger sound.",
            "",
            *facts_lines(facts),
            "",
            table,
            "",
            "All runs (receipts/s): " + ", ".join(f"{rate:,.0f}" for rate in rates) + ".",
            "",
            "A receipt is heavier than a stock posting (section above: one autocommitted statement): it reads "
            "and locks the order, checks each line against its tolerance and the location against the order's "
            "site, posts the moves, adds to the lines, records the receipt, moves the order's status on, "
            "matches its open invoices again and answers with the order's lines, about 18 statements in one "
            "transaction while the order row is locked. With 16 clients on 8 orders, receipts against the same "
            "order wait for each other; the two cores are shared by the two server processes, PostgreSQL and "
            "the clients.",
            *([f"Errors (first 5): {errors[:5]}"] if errors else []),
            *([f"Violations (first 5): {violations[:5]}"] if violations else []),
        ]
    )
    print(body)
    if not args.no_write:
        write_section(SECTION, body)
    return 1 if errors or violations else 0


if __name__ == "__main__":
    sys.exit(main())
