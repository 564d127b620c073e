"""Inventory valuation on read: a backdated receipt revalues later dates without any repost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from plantops.bootstrap import PlantOps
from plantops.db.catalog import Item
from plantops.db.inventory import StockBalance, StockMove, StockPosting
from plantops.db.sites import Location
from plantops.errors import NotFoundError, ValidationError
from plantops.services import master_data
from plantops.services.inventory.ledger import MoveLine, Posting, post_moves
from plantops.services.inventory.valuation import InventoryValuation, value_inventory
from plantops.vocabulary import MoveType, ValuationMethod

MASTER_DATA: master_data.MasterData = {
    "units": [
        {"code": "pcs", "name": "pieces", "dimension": "count", "decimals": 0},
        {"code": "kg", "name": "kilogram", "dimension": "mass", "decimals": 3},
    ],
    "sites": [{"code": "P1", "name": "Plant one", "kind": "plant", "time_zone": "Europe/Berlin"}],
    "locations": [
        {"code": "P1/A", "name": "Store A", "site": "P1", "kind": "storage"},
        {"code": "P1/B", "name": "Store B", "site": "P1", "kind": "storage"},
    ],
    "items": [
        {
            "code": code,
            "name": code.title(),
            "item_type": "raw_material",
            "unit": unit,
            "procurement": "buy",
            "valuation_method": method,
            "standard_cost": standard,
        }
        for code, unit, method, standard in [
            ("WIDGET", "pcs", "fifo", "0"),
            ("GADGET", "pcs", "moving_average", "0"),
            ("BOLT", "kg", "standard", "2.5"),
            ("NUT", "pcs", "standard", "0.4"),
        ]
    ],
}


def _at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2026, month, day, 8, 0, tzinfo=dt.UTC)


def _post(
    ops: PlantOps, effective_at: dt.datetime, now: dt.datetime, *moves: tuple[MoveType, str, str, str, str]
) -> None:
    """Post ``(type, item, location, quantity, unit cost)`` lines as one posting."""
    with ops.uow() as uow:
        items = dict(uow.session.execute(select(Item.code, Item.id)).all())
        locations = dict(uow.session.execute(select(Location.code, Location.id)).all())
        lines = [
            MoveLine(kind, items[item], locations[location], None, Decimal(quantity), Decimal(cost))
            for kind, item, location, quantity, cost in moves
        ]
        post_moves(uow.session, Posting(posted_by="t", effective_at=effective_at), lines, now=now)
        uow.commit()


def _row_counts(ops: PlantOps) -> tuple[int, ...]:
    with ops.uow() as uow:
        return tuple(
            uow.session.scalar(select(func.count()).select_from(table)) or 0
            for table in (StockMove, StockPosting, StockBalance)
        )


def _values(valuation: InventoryValuation) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    return {code: (line.quantity, line.value, line.unit_cost) for code, line in valuation.items.items()}


@pytest.fixture
def plant(ops: PlantOps) -> PlantOps:
    """Four items and the January ledger, keyed on 2 February.

    Jan 1   receipt WIDGET 100 @ 10, GADGET 100 @ 10, BOLT 40 kg @ 3 (all at P1/A)
    Jan 10  issue   WIDGET 60, GADGET 60, BOLT 10.5 kg
    Jan 20  transfer WIDGET 20 from P1/A to P1/B
    Jan 25  issue   WIDGET 15 at P1/B
    NUT never moves.
    """
    master_data.load(ops.uow(), MASTER_DATA, source="test", posted_by="t")
    keyed = _at(2, 2)
    _post(
        ops,
        _at(1, 1),
        keyed,
        (MoveType.RECEIPT, "WIDGET", "P1/A", "100", "10"),
        (MoveType.RECEIPT, "GADGET", "P1/A", "100", "10"),
        (MoveType.RECEIPT, "BOLT", "P1/A", "40", "3"),
    )
    _post(
        ops,
        _at(1, 10),
        keyed,
        (MoveType.ISSUE, "WIDGET", "P1/A", "-60", "0"),
        (MoveType.ISSUE, "GADGET", "P1/A", "-60", "0"),
        (MoveType.ISSUE, "BOLT", "P1/A", "-10.5", "0"),
    )
    _post(
        ops,
        _at(1, 20),
        keyed,
        (MoveType.TRANSFER_OUT, "WIDGET", "P1/A", "-20", "10"),
        (MoveType.TRANSFER_IN, "WIDGET", "P1/B", "20", "10"),
    )
    _post(ops, _at(1, 25), keyed, (MoveType.ISSUE, "WIDGET", "P1/B", "-15", "0"))
    return ops


def _backdate_receipts(ops: PlantOps) -> None:
    """On 3 February, the receipts of 5 January are keyed: WIDGET and GADGET 50 @ 13."""
    _post(
        ops,
        _at(1, 5),
        _at(2, 3),
        (MoveType.RECEIPT, "WIDGET", "P1/A", "50", "13"),
        (MoveType.RECEIPT, "GADGET", "P1/A", "50", "13"),
    )


def test_backdated_receipt_revalues_later_dates_and_leaves_earlier_ones(plant: PlantOps) -> None:
    # Before the backdated receipt, as of 1 Feb:
    #   WIDGET (FIFO): 100 - 60 - 15 = 25 left of the 100 @ 10 -> 250.00 (the transfer is neutral)
    #   GADGET (moving average): 40 @ 10 -> 400.00
    #   BOLT (standard 2.5): 40 - 10.5 = 29.5 kg x 2.5 -> 73.75
    before = value_inventory(plant.uow(), as_of=_at(2, 1))
    assert _values(before) == {
        "BOLT": (Decimal("29.5"), Decimal("73.75"), Decimal("2.5")),
        "GADGET": (Decimal(40), Decimal("400.00"), Decimal(10)),
        "WIDGET": (Decimal(25), Decimal("250.00"), Decimal(10)),
    }
    assert before.total_value == Decimal("723.75")
    with plant.uow() as uow:
        january_moves = uow.session.execute(select(StockMove.__table__).order_by(StockMove.id)).all()

    _backdate_receipts(plant)

    # As of 1 Feb, with 50 @ 13 received on 5 Jan:
    #   WIDGET: receipts 100 @ 10, 50 @ 13; issues 60 + 15 = 75 come out of the first layer
    #           -> 25 @ 10 + 50 @ 13 = 250 + 650 = 900.00 for 75, unit cost 12
    #   GADGET: 5 Jan (100 x 10 + 50 x 13) / 150 = 1650 / 150 = 11; the issue of 60 keeps 11
    #           -> 90 @ 11 = 990.00
    #   BOLT:   unchanged 73.75; total 900 + 990 + 73.75 = 1963.75
    after = value_inventory(plant.uow(), as_of=_at(2, 1))
    assert _values(after) == {
        "BOLT": (Decimal("29.5"), Decimal("73.75"), Decimal("2.5")),
        "GADGET": (Decimal(90), Decimal("990.00"), Decimal(11)),
        "WIDGET": (Decimal(75), Decimal("900.00"), Decimal(12)),
    }
    assert after.total_value == Decimal("1963.75")
    # As of 7 Jan: 100 @ 10 + 50 @ 13 = 1650 for 150 (unit 11) for both WIDGET and GADGET.
    assert _values(value_inventory(plant.uow(), as_of=_at(1, 7)))["WIDGET"] == (
        Decimal(150),
        Decimal("1650.00"),
        Decimal(11),
    )
    assert _values(value_inventory(plant.uow(), as_of=_at(1, 7)))["GADGET"][1] == Decimal("1650.00")
    # As of 3 Jan, before the backdated date: only the 100 @ 10 of 1 Jan.
    early = value_inventory(plant.uow(), as_of=_at(1, 3))
    assert early.items["WIDGET"].value == early.items["GADGET"].value == Decimal("1000.00")
    assert early.items["BOLT"].value == Decimal("100.00")  # 40 kg x 2.5
    # No repost: every January move is exactly as it was.
    with plant.uow() as uow:
        assert uow.session.execute(select(StockMove.__table__).order_by(StockMove.id)).all()[:9] == january_moves


def test_valuing_writes_nothing(plant: PlantOps) -> None:
    _backdate_receipts(plant)
    counts = _row_counts(plant)
    with plant.uow() as uow:
        balances = uow.session.execute(select(StockBalance.__table__).order_by(StockBalance.id)).all()

    value_inventory(plant.uow(), as_of=_at(2, 1))
    value_inventory(plant.uow(), as_of=_at(1, 7), item="WIDGET")

    assert counts == (11, 5, 4)  # 3 + 3 + 2 + 1 + 2 moves; 5 postings; 3 items at A, WIDGET at B
    assert _row_counts(plant) == counts
    with plant.uow() as uow:
        assert uow.session.execute(select(StockBalance.__table__).order_by(StockBalance.id)).all() == balances


def test_as_of_is_an_instant_whatever_its_zone_and_includes_moves_effective_then(plant: PlantOps) -> None:
    # 10 Jan 08:00 UTC is 09:00 in Berlin: the issues of that instant count.
    berlin = dt.timezone(dt.timedelta(hours=1))
    valuation = value_inventory(plant.uow(), as_of=dt.datetime(2026, 1, 10, 9, 0, tzinfo=berlin))

    assert valuation.as_of == _at(1, 10)
    assert valuation.items["WIDGET"].quantity == Decimal(40)
    assert value_inventory(plant.uow(), as_of=_at(1, 10) - dt.timedelta(microseconds=1)).items[
        "WIDGET"
    ].quantity == Decimal(100)


def test_one_item_is_valued_alone_even_before_it_ever_moved(plant: PlantOps) -> None:
    widget = value_inventory(plant.uow(), as_of=_at(2, 1), item="WIDGET")
    nut = value_inventory(plant.uow(), as_of=_at(2, 1), item="NUT")
    nothing_yet = value_inventory(plant.uow(), as_of=_at(1, 1) - dt.timedelta(days=1))

    assert list(widget.items) == ["WIDGET"] and widget.total_value == Decimal("250.00")
    assert widget.items["WIDGET"].method is ValuationMethod.FIFO
    assert _values(nut) == {"NUT": (Decimal(0), Decimal(0), Decimal("0.4"))}
    assert "NUT" not in value_inventory(plant.uow(), as_of=_at(2, 1)).items
    assert nothing_yet.items == {} and nothing_yet.total_value == 0


def test_unknown_item_and_naive_as_of_are_refused(plant: PlantOps) -> None:
    with pytest.raises(NotFoundError, match="unknown item 'NOPE'"):
        value_inventory(plant.uow(), as_of=_at(2, 1), item="NOPE")
    with pytest.raises(ValidationError, match="valuation: as_of: 2026-02-01T00:00:00 needs a time zone"):
        value_inventory(plant.uow(), as_of=dt.datetime(2026, 2, 1))
