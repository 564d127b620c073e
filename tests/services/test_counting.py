"""Cycle counting: due lists by ABC class, recorded counts, posted differences, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, update

from plantops.bootstrap import PlantOps
from plantops.db.catalog import Item
from plantops.db.inventory import CycleCount, CycleCountLine, Lot, StockBalance, StockMove, StockPosting
from plantops.db.sites import Location
from plantops.errors import NotFoundError, PlantOpsError, ValidationError
from plantops.services import master_data
from plantops.services.inventory.counting import (
    CountIncompleteError,
    CountListPostedError,
    NothingToCountError,
    create_count_list,
    post_count,
    read_count_list,
    record_counts,
)
from plantops.vocabulary import AbcClass, CountStatus, MoveType

TODAY = dt.date(2026, 3, 2)
NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
A = {AbcClass.A}

PLANT: dict[str, str] = {
    "units": "code,name,dimension,decimals\npcs,pieces,count,0\nkg,kilogram,mass,3\n",
    "sites": "code,name,kind,time_zone\nP1,Plant one,plant,Europe/Berlin\n",
    "locations": "code,name,site,kind\nP1/A,Aisle A,P1,storage\nP1/B,Aisle B,P1,storage\n",
    "items": "code,name,item_type,unit,procurement,abc_class,tracking,standard_cost\n"
    "AX,Axle,raw_material,pcs,buy,A,none,12\n"
    "AY,Alloy,raw_material,kg,buy,A,lot,3\n"
    "BX,Bolt,raw_material,pcs,buy,B,none,1\n"
    "CX,Cap,raw_material,pcs,buy,C,none,1\n"
    "NX,Nut,raw_material,pcs,buy,,none,1\n",
    "lots": "item,code\nAY,L1\nAY,L2\n",
    "opening_stock": "item,location,lot,quantity,unit_cost\n"
    "AX,P1/A,,10,12\nAX,P1/B,,5,12\nAY,P1/A,L1,4,3\nAY,P1/A,L2,6,3\n"
    "BX,P1/A,,20,1\nCX,P1/A,,30,1\nNX,P1/A,,40,1\n",
}
A_LINES = [("AX", "P1/A", None), ("AX", "P1/B", None), ("AY", "P1/A", "L1"), ("AY", "P1/A", "L2")]


def _rows(text: str) -> list[dict[str, Any]]:
    return list(csv.DictReader(io.StringIO(text)))


def _load(ops: PlantOps, sheets: dict[str, str]) -> None:
    master_data.load(ops.uow(), {name: _rows(text) for name, text in sheets.items()}, source="test", posted_by="t")


@pytest.fixture
def plant(ops: PlantOps) -> PlantOps:
    _load(ops, PLANT)
    return ops


def _on_hand(ops: PlantOps, item: str, location: str, lot: str | None = None) -> Decimal:
    with ops.uow() as uow:
        query = (
            select(StockBalance.on_hand)
            .join(Item, Item.id == StockBalance.item_id)
            .join(Location, Location.id == StockBalance.location_id)
            .outerjoin(Lot, Lot.id == StockBalance.lot_id)
            .where(Item.code == item, Location.code == location)
        )
        query = query.where(Lot.code == lot) if lot else query.where(StockBalance.lot_id.is_(None))
        return uow.session.scalar(query) or Decimal(0)


def _count_rows(ops: PlantOps, model: type) -> int:
    with ops.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model)) or 0


def _keys(count_list: Any) -> list[tuple[str, str, str | None]]:
    return [(line.item, line.location, line.lot) for line in count_list.lines]


def _count_a_items_as_expected(ops: PlantOps, *, now: dt.datetime = NOW) -> str:
    """Make a list of the A items, count what the ledger holds, post it; returns its number."""
    count_list = create_count_list(ops.uow(), today=now.date(), abc_classes=A, created_by="clerk", now=now)
    record_counts(
        ops.uow(),
        count_list.number,
        [(*key, line.expected) for key, line in zip(_keys(count_list), count_list.lines, strict=True)],
    )
    post_count(ops.uow(), count_list.number, posted_by="clerk", now=now)
    return count_list.number


# --- choosing what is due ------------------------------------------------------------


def test_count_list_of_a_items_snapshots_their_on_hand(plant: PlantOps) -> None:
    count_list = create_count_list(plant.uow(), today=TODAY, abc_classes=A, created_by="clerk", now=NOW)

    assert count_list.number == "CC-000001" and count_list.status is CountStatus.OPEN
    assert _keys(count_list) == A_LINES
    assert [line.expected for line in count_list.lines] == [Decimal(10), Decimal(5), Decimal(4), Decimal(6)]
    assert all(line.counted is None for line in count_list.lines)
    assert read_count_list(plant.uow(), "CC-000001") == count_list


def test_never_counted_stock_is_listed_a_first_and_limit_and_location_narrow_the_list(plant: PlantOps) -> None:
    first = create_count_list(plant.uow(), today=TODAY, location="P1/B", created_by="clerk", now=NOW)
    second = create_count_list(plant.uow(), today=TODAY, limit=2, created_by="clerk", now=NOW)
    third = create_count_list(plant.uow(), today=TODAY, created_by="clerk", now=NOW)

    assert first.number == "CC-000001" and _keys(first) == [("AX", "P1/B", None)]
    # Balances on an open list are not listed again; A items come first.
    assert second.number == "CC-000002" and _keys(second) == [("AX", "P1/A", None), ("AY", "P1/A", "L1")]
    assert third.number == "CC-000003"
    assert _keys(third) == [("AY", "P1/A", "L2"), ("BX", "P1/A", None), ("CX", "P1/A", None), ("NX", "P1/A", None)]


def test_items_just_counted_are_not_due_until_their_class_frequency_has_passed(plant: PlantOps) -> None:
    _count_a_items_as_expected(plant)

    with pytest.raises(NothingToCountError, match="nothing is due for counting on 2026-03-02 \\(ABC class A\\)"):
        create_count_list(plant.uow(), today=TODAY, abc_classes=A, created_by="clerk", now=NOW)
    others = create_count_list(plant.uow(), today=TODAY, created_by="clerk", now=NOW)
    assert {line.item for line in others.lines} == {"BX", "CX", "NX"}
    with pytest.raises(NothingToCountError):  # 30 days: not yet more than 30
        create_count_list(plant.uow(), today=TODAY + dt.timedelta(days=30), abc_classes=A, created_by="c", now=NOW)
    due_again = create_count_list(
        plant.uow(), today=TODAY + dt.timedelta(days=31), abc_classes=A, created_by="clerk", now=NOW
    )
    assert _keys(due_again) == A_LINES


def test_limit_takes_never_counted_stock_before_overdue_stock(plant: PlantOps) -> None:
    _count_a_items_as_expected(plant)
    later = TODAY + dt.timedelta(days=100)  # A items 70 days overdue; B, C and unclassified never counted

    first = create_count_list(plant.uow(), today=later, limit=3, created_by="clerk", now=NOW)
    second = create_count_list(plant.uow(), today=later, limit=1, created_by="clerk", now=NOW)

    assert [line.item for line in first.lines] == ["BX", "CX", "NX"]
    assert _keys(second) == [("AX", "P1/A", None)]


def test_last_count_date_is_the_posting_day_in_the_sites_time_zone(plant: PlantOps) -> None:
    # 23:30 UTC on 1 March is 00:30 on 2 March in Berlin.
    _count_a_items_as_expected(plant, now=dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC))

    with pytest.raises(NothingToCountError):  # 30 days after 2 March
        create_count_list(plant.uow(), today=dt.date(2026, 4, 1), abc_classes=A, created_by="clerk", now=NOW)
    assert _keys(create_count_list(plant.uow(), today=dt.date(2026, 4, 2), abc_classes=A, created_by="c", now=NOW))


def test_unknown_location_and_bad_limit_make_no_list(plant: PlantOps) -> None:
    with pytest.raises(NotFoundError, match="unknown location 'P1/Z'"):
        create_count_list(plant.uow(), today=TODAY, location="P1/Z", created_by="clerk", now=NOW)
    with pytest.raises(ValidationError, match="count list: limit: must be at least 1"):
        create_count_list(plant.uow(), today=TODAY, limit=0, created_by="clerk", now=NOW)

    assert _count_rows(plant, CycleCount) == 0


# --- recording and posting -----------------------------------------------------------


def test_posting_moves_on_hand_to_the_counts_and_the_ledger_gets_the_differences(plant: PlantOps) -> None:
    count_list = create_count_list(plant.uow(), today=TODAY, abc_classes=A, created_by="clerk", now=NOW)
    # After the list was made, 2 more AX arrive at P1/A (10 -> 12): the count must be
    # compared with 12, not with the snapshot of 10.
    _load(plant, {"opening_stock": "item,location,lot,quantity\nAX,P1/A,,12\n"})
    moves_before = _count_rows(plant, StockMove)
    recorded = record_counts(
        plant.uow(),
        count_list.number,
        [("AX", "P1/A", None, Decimal(9)), ("AX", "P1/B", None, Decimal(5)), ("AY", "P1/A", "L1", Decimal(4))],
    )
    recorded = record_counts(plant.uow(), count_list.number, [("AY", "P1/A", "L2", Decimal("6.25"))])

    assert [line.counted for line in recorded.lines] == [Decimal(9), Decimal(5), Decimal(4), Decimal("6.25")]
    result = post_count(plant.uow(), count_list.number, posted_by="clerk", now=NOW)

    assert [(d.item, d.expected, d.on_hand, d.counted, d.difference) for d in result.adjusted] == [
        ("AX", Decimal(10), Decimal(12), Decimal(9), Decimal(-3)),
        ("AY", Decimal(6), Decimal(6), Decimal("6.25"), Decimal("0.25")),
    ]
    assert _on_hand(plant, "AX", "P1/A") == Decimal(9)
    assert _on_hand(plant, "AX", "P1/B") == Decimal(5)
    assert _on_hand(plant, "AY", "P1/A", "L2") == Decimal("6.25")
    assert _count_rows(plant, StockMove) == moves_before + 2
    with plant.uow() as uow:
        moves = uow.session.execute(
            select(StockMove.move_type, StockMove.quantity, StockMove.unit_cost, StockPosting.reason)
            .join(StockPosting, StockPosting.id == StockMove.posting_id)
            .where(StockMove.posting_id == result.posting_id)
            .order_by(StockMove.quantity)
        ).all()
        count = uow.session.scalar(select(CycleCount).where(CycleCount.number == count_list.number))
        assert count is not None and count.status is CountStatus.POSTED and count.posting_id == result.posting_id
    assert [(m.move_type, m.quantity, m.reason) for m in moves] == [
        (MoveType.ADJUSTMENT, Decimal(-3), "cycle count CC-000001"),
        (MoveType.ADJUSTMENT, Decimal("0.25"), "cycle count CC-000001"),
    ]
    assert moves[1].unit_cost == Decimal(3)  # a gain is valued at standard cost


def test_counts_that_agree_post_no_moves_but_close_the_list(plant: PlantOps) -> None:
    moves_before = _count_rows(plant, StockMove)
    number = _count_a_items_as_expected(plant)

    assert _count_rows(plant, StockMove) == moves_before
    assert read_count_list(plant.uow(), number).status is CountStatus.POSTED
    with plant.uow() as uow:
        posting_id = uow.session.scalar(select(CycleCount.posting_id).where(CycleCount.number == number))
        reason = uow.session.scalar(select(StockPosting.reason).where(StockPosting.id == posting_id))
    assert reason == f"cycle count {number}"


def test_uncounted_lines_are_named_and_nothing_is_posted(plant: PlantOps) -> None:
    count_list = create_count_list(plant.uow(), today=TODAY, abc_classes=A, created_by="clerk", now=NOW)
    record_counts(plant.uow(), count_list.number, [("AX", "P1/A", None, Decimal(1)), ("AY", "P1/A", "L1", Decimal(0))])
    moves_before = _count_rows(plant, StockMove)

    with pytest.raises(CountIncompleteError) as raised:
        post_count(plant.uow(), count_list.number, posted_by="clerk", now=NOW)

    assert raised.value.lines == ["item AX at P1/B", "item AY at P1/A lot L2"]
    assert "not counted yet: item AX at P1/B, item AY at P1/A lot L2" in str(raised.value)
    assert _count_rows(plant, StockMove) == moves_before
    assert _on_hand(plant, "AX", "P1/A") == Decimal(10)
    assert read_count_list(plant.uow(), count_list.number).status is CountStatus.OPEN


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ([("BX", "P1/A", None, Decimal(20))], "count list CC-000001: item: item BX at P1/A is not on the count list"),
        ([("AY", "P1/A", "L9", Decimal(1))], "item AY at P1/A lot L9 is not on the count list"),
        ([("AX", "P1/B", None, Decimal(-1))], "counted_quantity: item AX at P1/B: must be at least 0, got -1"),
        ([("AX", "P1/B", None, Decimal("1.5"))], "item AX at P1/B: 1.5 has more than 0 decimal places"),
        ([("AY", "P1/A", "L1", Decimal("1.0005"))], "1.0005 has more than 3 decimal places"),
        ([("AX", "P1/B", None, Decimal(1)), ("AX", "P1/B", None, Decimal(2))], "item AX at P1/B is counted twice"),
    ],
)
def test_bad_count_is_refused_and_records_nothing(
    plant: PlantOps, counts: list[tuple[str, str, str | None, Decimal]], message: str
) -> None:
    count_list = create_count_list(plant.uow(), today=TODAY, abc_classes=A, created_by="clerk", now=NOW)

    with pytest.raises(ValidationError) as raised:
        # A good count first: it must not be kept either.
        record_counts(plant.uow(), count_list.number, [("AX", "P1/A", None, Decimal(7)), *counts])

    assert message in str(raised.value)
    assert all(line.counted is None for line in read_count_list(plant.uow(), count_list.number).lines)


def test_posted_list_can_neither_be_recounted_nor_posted_again(plant: PlantOps) -> None:
    number = _count_a_items_as_expected(plant)
    postings = _count_rows(plant, StockPosting)

    with pytest.raises(CountListPostedError, match=f"count list {number} is already posted"):
        record_counts(plant.uow(), number, [("AX", "P1/A", None, Decimal(1))])
    with pytest.raises(CountListPostedError):
        post_count(plant.uow(), number, posted_by="clerk", now=NOW)

    assert issubclass(CountListPostedError, PlantOpsError)
    assert _count_rows(plant, StockPosting) == postings
    assert _on_hand(plant, "AX", "P1/A") == Decimal(10)


def test_unknown_count_list_is_not_found(plant: PlantOps) -> None:
    with pytest.raises(NotFoundError, match="unknown count list 'CC-999999'"):
        record_counts(plant.uow(), "CC-999999", [])
    with pytest.raises(NotFoundError):
        post_count(plant.uow(), "CC-999999", posted_by="clerk", now=NOW)


def test_count_below_reserved_stock_is_refused_and_posts_nothing(plant: PlantOps) -> None:
    count_list = create_count_list(plant.uow(), today=TODAY, location="P1/B", created_by="clerk", now=NOW)
    with plant.uow() as uow:  # 4 of the 5 AX at P1/B set aside for an order
        location_id = uow.session.scalar(select(Location.id).where(Location.code == "P1/B"))
        uow.session.execute(update(StockBalance).where(StockBalance.location_id == location_id).values(reserved=4))
        uow.commit()
    record_counts(plant.uow(), count_list.number, [("AX", "P1/B", None, Decimal(3))])

    with pytest.raises(ValidationError, match="item AX at P1/B: counted 3 is below the 4 reserved there"):
        post_count(plant.uow(), count_list.number, posted_by="clerk", now=NOW)

    assert _on_hand(plant, "AX", "P1/B") == Decimal(5)
    assert read_count_list(plant.uow(), count_list.number).status is CountStatus.OPEN
    assert _count_rows(plant, CycleCountLine) == 1
