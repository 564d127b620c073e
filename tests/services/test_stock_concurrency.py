"""Concurrent writers on the stock ledger: no negative stock, no over-reservation, no lost
or doubled posting, and no transient conflict (deadlock, serialization failure, busy
database) ever reaching a caller.

Every worker is a thread with a PlantOps (engine, connection) of its own and a fixed
seed; psycopg and sqlite3 release the GIL while they wait on the database, so the
transactions really interleave. The workers hammer a few hot balances with receipts,
issues, moves, reservations, releases, issues against reservations and receipts
that share an idempotency key across workers; each records what it was told
succeeded. Afterwards the database must agree with those records exactly and
:func:`balances.verify` must find the ledger sound. The assertions are on invariants,
never on timings, so the outcome does not depend on how the threads were scheduled.
"""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import DBAPIError

from plantops.bootstrap import PlantOps, build
from plantops.config import Settings
from plantops.db.catalog import Item
from plantops.db.inventory import StockBalance, StockMove, StockPosting
from plantops.db.session import is_transient
from plantops.db.sites import Location
from plantops.services import master_data
from plantops.services.inventory import balances, reservations, stock
from plantops.services.inventory.ledger import InsufficientStockError
from plantops.services.inventory.stock import StockLine, Who

#: Two items that must never go negative (one counted in pieces, one weighed to grams)
#: and one that explicitly may.
BOLT, OIL, SHIM = "BOLT", "OIL", "SHIM"
STRICT_ITEMS = (BOLT, OIL)
ITEMS = (BOLT, OIL, SHIM)
LOCATIONS = ("P1/A", "P1/B", "P1/C")
OPENING = {(BOLT, "P1/A"): Decimal(12), (OIL, "P1/B"): Decimal("7.5"), (SHIM, "P1/C"): Decimal(4)}
DECIMALS = {BOLT: 0, OIL: 3, SHIM: 0}
#: Every worker posts these receipts under the same idempotency key: each must post once.
SHARED_KEYS = 4
#: A lot-tracked item, for the race to create a lot.
LOT_ITEM = {
    "code": "RESIN",
    "name": "Resin",
    "item_type": "raw_material",
    "unit": "kg",
    "procurement": "buy",
    "tracking": "lot",
}
SEED = 20_260_515

PLANT: master_data.MasterData = {
    "units": [
        {"code": "pcs", "name": "pieces", "dimension": "count", "decimals": 0},
        {"code": "kg", "name": "kilogram", "dimension": "mass", "decimals": 3},
    ],
    "sites": [{"code": "P1", "name": "Plant one", "kind": "plant", "time_zone": "Europe/Berlin"}],
    "locations": [{"code": code, "name": f"Bin {code}", "site": "P1", "kind": "storage"} for code in LOCATIONS],
    "items": [
        {"code": BOLT, "name": "Bolt", "item_type": "raw_material", "unit": "pcs", "procurement": "buy"},
        {"code": OIL, "name": "Oil", "item_type": "raw_material", "unit": "kg", "procurement": "buy"},
        {
            "code": SHIM,
            "name": "Shim",
            "item_type": "raw_material",
            "unit": "pcs",
            "procurement": "buy",
            "allow_negative_stock": True,
        },
    ],
    "opening_stock": [
        {"item": item, "location": location, "lot": None, "quantity": quantity, "unit_cost": Decimal(1)}
        for (item, location), quantity in OPENING.items()
    ],
}

Place = tuple[str, str]
K = TypeVar("K")


@dataclass
class Held:
    """A reservation a worker made, and what it still holds by the worker's own account."""

    number: str
    place: Place
    outstanding: Decimal


@dataclass
class Record:
    """What one worker was told happened."""

    postings: int = 0  # new postings (a replayed idempotency key is not one)
    moves: int = 0
    delta: defaultdict[Place, Decimal] = field(default_factory=lambda: defaultdict(Decimal))  # on-hand change
    received: defaultdict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    issued: defaultdict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    refused: Counter[str] = field(default_factory=Counter)  # InsufficientStockError, per operation
    refused_items: Counter[str] = field(default_factory=Counter)  # the same, per item
    succeeded: Counter[str] = field(default_factory=Counter)
    shared: dict[str, tuple[int, bool]] = field(default_factory=dict)  # key -> (posting id, replayed)
    held: list[Held] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    transient_retries: int = 0  # conflicts the unit of work retried (seen on the engine)


def _quantity(rng: random.Random, item: str, low: int, high: int) -> Decimal:
    whole = Decimal(rng.randint(low, high))
    if DECIMALS[item]:
        return whole + Decimal(rng.randint(0, 999)) / 1000
    return whole


def _shared_receipt(key: int) -> tuple[StockLine, Who]:
    """The same receipt for every worker: same payload, same key."""
    item = ITEMS[key % len(ITEMS)]
    line = StockLine(item, LOCATIONS[key % len(LOCATIONS)], Decimal(3))
    return line, Who("scanner", document=f"GR-{key}", idempotency_key=f"shared-receipt-{key}")


class Worker:
    def __init__(self, number: int, database_url: str, operations: int, start: threading.Barrier) -> None:
        self.number = number
        self.rng = random.Random(SEED + number)
        self.operations = operations
        self.start = start
        self.record = Record()
        self.database_url = database_url

    def run(self) -> None:
        ops = build(Settings(database_url=self.database_url))
        event.listen(ops.engine, "handle_error", self._count_transient)
        try:
            self.start.wait()
            shared_at = {self.operations * (k + 1) // (SHARED_KEYS + 1): k for k in range(SHARED_KEYS)}
            for step in range(self.operations):
                if step in shared_at:
                    key = shared_at[step]
                    self._guarded("shared receipt", _shared_receipt(key)[0].item, partial(self._shared, ops, key))
                else:
                    self._guarded(*self._pick(ops, step))
        except BaseException as error:  # a broken barrier or a bug in the worker itself
            self.record.unexpected.append(f"worker {self.number}: {error!r}")
        finally:
            ops.close()

    def _count_transient(self, context: Any) -> None:
        if isinstance(context.sqlalchemy_exception, DBAPIError) and is_transient(context.sqlalchemy_exception):
            self.record.transient_retries += 1

    def _guarded(self, name: str, item: str, operation: Callable[[], None]) -> None:
        try:
            operation()
        except InsufficientStockError:
            self.record.refused[name] += 1
            self.record.refused_items[item] += 1
        except Exception as error:
            self.record.unexpected.append(f"worker {self.number} {name}: {type(error).__name__}: {error}")
        else:
            self.record.succeeded[name] += 1

    def _pick(self, ops: PlantOps, step: int) -> tuple[str, str, Callable[[], None]]:
        """The next operation: its name, its item and the call."""
        rng = self.rng
        item = rng.choice(ITEMS)
        location = rng.choice(LOCATIONS)
        who = Who(f"worker-{self.number}", document=f"W{self.number}-{step}")
        roll = rng.random()
        if roll < 0.25:
            line = StockLine(item, location, _quantity(rng, item, 1, 6))
            return "receipt", item, lambda: self._receive(ops, line, who)
        if roll < 0.55:
            line = StockLine(item, location, _quantity(rng, item, 1, 10))
            return "issue", item, lambda: self._issue(ops, line, who)
        if roll < 0.75:
            target = rng.choice([code for code in LOCATIONS if code != location])
            line = StockLine(item, location, _quantity(rng, item, 1, 6))
            return "move", item, lambda: self._move(ops, line, target, who)
        open_ = [held for held in self.record.held if held.outstanding > 0]
        if roll < 0.88 or not open_:
            strict = rng.choice(STRICT_ITEMS)
            quantity = _quantity(rng, strict, 1, 4)
            return "reservation", strict, lambda: self._reserve(ops, (strict, location), quantity, who)
        held = rng.choice(open_)
        if roll < 0.94:
            return "release", held.place[0], lambda: self._release(ops, held)
        quantity = _quantity(rng, held.place[0], 1, 5)
        return "issue against reservation", held.place[0], lambda: self._issue_reserved(ops, held, quantity, who)

    def _posted(self, summary: stock.PostingSummary) -> None:
        if summary.replayed:
            return
        self.record.postings += 1
        self.record.moves += len(summary.moves)
        for move in summary.moves:
            self.record.delta[(move.item, move.location)] += move.quantity

    def _receive(self, ops: PlantOps, line: StockLine, who: Who) -> None:
        summary = stock.receive(ops.uow(), line, who)
        self._posted(summary)
        self.record.received[line.item] += line.quantity

    def _issue(self, ops: PlantOps, line: StockLine, who: Who) -> None:
        summary = stock.issue(ops.uow(), line, who)
        self._posted(summary)
        self.record.issued[line.item] += line.quantity

    def _move(self, ops: PlantOps, line: StockLine, target: str, who: Who) -> None:
        self._posted(stock.move(ops.uow(), line, target, who))

    def _shared(self, ops: PlantOps, key: int) -> None:
        line, who = _shared_receipt(key)
        summary = stock.receive(ops.uow(), line, who)
        self.record.shared[who.idempotency_key or ""] = (summary.posting_id, summary.replayed)
        self._posted(summary)
        if not summary.replayed:
            self.record.received[line.item] += line.quantity

    def _reserve(self, ops: PlantOps, place: Place, quantity: Decimal, who: Who) -> None:
        made = reservations.reserve(
            ops.uow(), item=place[0], location=place[1], quantity=quantity, document=who.document, user=who.user
        )
        assert sum((r.quantity for r in made), Decimal(0)) == quantity
        self.record.held.extend(Held(r.number, (r.item, r.location), r.reserved_quantity) for r in made)

    def _release(self, ops: PlantOps, held: Held) -> None:
        reservations.release(ops.uow(), held.number)
        held.outstanding = Decimal(0)

    def _issue_reserved(self, ops: PlantOps, held: Held, quantity: Decimal, who: Who) -> None:
        line = StockLine(held.place[0], held.place[1], quantity)
        summary = stock.issue(ops.uow(), line, who, reservation=held.number)
        self._posted(summary)
        self.record.issued[line.item] += quantity
        held.outstanding -= min(quantity, held.outstanding)


@dataclass(frozen=True)
class Ledger:
    """What the database says: postings, moves, balances and the postings per idempotency key."""

    postings: int
    moves: int
    on_hand: dict[Place, Decimal]
    reserved: dict[Place, Decimal]
    keyed: dict[str, list[int]]


def _ledger(ops: PlantOps) -> Ledger:
    with ops.uow() as uow:
        session = uow.session
        rows = session.execute(
            select(Item.code, Location.code, StockBalance.on_hand, StockBalance.reserved)
            .join(Item, Item.id == StockBalance.item_id)
            .join(Location, Location.id == StockBalance.location_id)
        ).all()
        keyed: dict[str, list[int]] = defaultdict(list)
        for key, posting_id in session.execute(
            select(StockPosting.idempotency_key, StockPosting.id).where(StockPosting.idempotency_key.is_not(None))
        ):
            keyed[key or ""].append(posting_id)
        return Ledger(
            postings=session.scalar(select(func.count()).select_from(StockPosting)) or 0,
            moves=session.scalar(select(func.count()).select_from(StockMove)) or 0,
            on_hand={(item, location): on_hand for item, location, on_hand, _ in rows},
            reserved={(item, location): reserved for item, location, _, reserved in rows},
            keyed=dict(keyed),
        )


def _total(counters: Iterable[Counter[str]]) -> Counter[str]:
    """Add counters keeping zero entries (``Counter.__add__`` drops them)."""
    total: Counter[str] = Counter()
    for counter in counters:
        total.update(counter)
    return total


def _sum(quantities: Iterable[Mapping[K, Decimal]]) -> defaultdict[K, Decimal]:
    total: defaultdict[K, Decimal] = defaultdict(Decimal)
    for mapping in quantities:
        for key, quantity in mapping.items():
            total[key] += quantity
    return total


def _check_concurrent_writers(ops: PlantOps, *, workers: int, operations: int) -> None:
    master_data.load(ops.uow(), PLANT, source="concurrency", posted_by="tester")
    before = _ledger(ops)
    start = threading.Barrier(workers)
    crew = [Worker(n, ops.settings.database_url, operations, start) for n in range(workers)]
    threads = [threading.Thread(target=w.run, name=f"stock-worker-{w.number}") for w in crew]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a worker never finished"
    records = [w.record for w in crew]
    after = _ledger(ops)

    # No deadlock, serialization failure or busy database reached a caller: the only
    # failures are business refusals (not enough stock), never for the item that may go
    # negative. And none had to be retried either: every posting takes its balances' locks
    # in one order, so opposite transfers queue instead of deadlocking.
    assert [u for r in records for u in r.unexpected] == []
    assert sum(r.transient_retries for r in records) == 0, "a posting hit a deadlock or conflict and was retried"
    done = _total(r.succeeded for r in records)
    refused = _total(r.refused for r in records)
    assert sum(done.values()) + sum(refused.values()) == workers * operations
    assert _total(r.refused_items for r in records)[SHIM] == 0
    # The mix really contended: issues were refused, and every kind of write succeeded.
    assert refused["issue"] > 0
    assert all(done[name] > 0 for name in ("receipt", "issue", "move", "reservation", "release"))

    # The ledger proves itself: on-hand equals the moves, nothing negative, reserved
    # within on-hand and equal to what the open reservations hold.
    check = balances.verify(ops.uow())
    assert check.sound, check.problems
    for (item, location), on_hand in after.on_hand.items():
        reserved = after.reserved[(item, location)]
        assert reserved >= 0, (item, location, reserved)
        if item in STRICT_ITEMS:
            assert on_hand >= 0, (item, location, on_hand)
            assert reserved <= on_hand, (item, location, reserved, on_hand)

    # No posting lost, none doubled: the database holds exactly what the workers were told.
    posting_operations = ("receipt", "issue", "move", "issue against reservation")
    assert after.postings - before.postings == sum(done[name] for name in posting_operations) + SHARED_KEYS
    assert after.postings - before.postings == sum(r.postings for r in records)
    assert after.moves - before.moves == sum(r.moves for r in records)
    delta = _sum(r.delta for r in records)
    for place in set(after.on_hand) | set(before.on_hand) | set(delta):
        expected = before.on_hand.get(place, Decimal(0)) + delta[place]
        assert after.on_hand.get(place, Decimal(0)) == expected, place
    received = _sum(r.received for r in records)
    issued = _sum(r.issued for r in records)
    for item in ITEMS:
        net = sum((q for (i, _), q in after.on_hand.items() if i == item), Decimal(0))
        opening = sum((q for (i, _), q in before.on_hand.items() if i == item), Decimal(0))
        assert net == opening + received[item] - issued[item], item
    held: defaultdict[Place, Decimal] = defaultdict(Decimal)
    for record in records:
        for reservation in record.held:
            held[reservation.place] += reservation.outstanding
    assert {p: q for p, q in after.reserved.items() if q} == {p: q for p, q in held.items() if q}

    # Each shared idempotency key posted once; every worker got that one posting back.
    for key in range(SHARED_KEYS):
        name = _shared_receipt(key)[1].idempotency_key or ""
        assert len(after.keyed.get(name, [])) == 1, name
        answers = [r.shared[name] for r in records]
        assert {posting for posting, _ in answers} == set(after.keyed[name])
        assert sum(not replayed for _, replayed in answers) == 1


@pytest.mark.slow
def test_concurrent_writers_never_break_a_ledger_invariant(ops: PlantOps) -> None:
    """16 writers on PostgreSQL (8 on SQLite, whose writers queue for one lock) posting 60 operations each."""
    postgres = ops.engine.dialect.name == "postgresql"
    _check_concurrent_writers(ops, workers=16 if postgres else 8, operations=60)


def test_concurrent_first_receipts_of_a_new_lot_all_post(ops: PlantOps) -> None:
    """Eight receipts racing to create the same new lots: each must post (the lot is made once)."""
    plant = {**PLANT, "items": [*PLANT["items"], LOT_ITEM]}
    master_data.load(ops.uow(), plant, source="concurrency", posted_by="tester")
    workers, lots = 8, 6
    start = threading.Barrier(workers)
    failures: list[str] = []

    def receive_lots(number: int) -> None:
        own = build(Settings(database_url=ops.settings.database_url))
        try:
            start.wait()
            for lot in range(lots):
                line = StockLine(LOT_ITEM["code"], "P1/A", Decimal(1), lot=f"L-{lot}")
                try:
                    stock.receive(own.uow(), line, Who(f"worker-{number}"))
                except Exception as error:
                    failures.append(f"{type(error).__name__}: {str(error).splitlines()[0]}")
        finally:
            own.close()

    threads = [threading.Thread(target=receive_lots, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    on_hand = {b.lot: b.on_hand for b in balances.on_hand(ops.uow(), item=LOT_ITEM["code"])}
    assert on_hand == {f"L-{lot}": workers for lot in range(lots)}
