"""The bounds on what a user enters (plantops.bounds), held by every service on SQLite and PostgreSQL.

A quantity at the bound is posted, valued, planned, reversed and reported; one beyond
it is refused at entry naming the field and the bound, and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from plantops import bounds
from plantops.bootstrap import PlantOps, build
from plantops.config import Settings
from plantops.db.inventory import StockBalance, StockMove
from plantops.errors import ImportRejectedError, ValidationError
from plantops.services import master_data
from plantops.services.forecasting import overrides
from plantops.services.inventory import balances, reservations, stock, valuation
from plantops.services.inventory.moves import MoveFilter, list_moves
from plantops.services.inventory.stock import StockLine, Who
from plantops.services.master_data import records
from plantops.services.planning.problem import PlanRequest
from plantops.services.planning.runs import run_plan
from tests.services.minimal_plant import MINIMAL_PLANT, write_plant

WHO = Who("tester", document="DOC-1")
TOP = bounds.MAX_QUANTITY
NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def plant(ops: PlantOps, tmp_path: Path) -> PlantOps:
    master_data.import_path(ops.uow(), write_plant(tmp_path), posted_by="tester")
    return ops


def _moves(ops: PlantOps) -> int:
    with ops.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(StockMove)) or 0


def test_a_quantity_at_the_bound_is_posted_valued_planned_reversed_and_reported(plant: PlantOps) -> None:
    first = stock.receive(plant.uow(), StockLine("BIKE", "P1/FG", TOP, unit_cost=bounds.MAX_AMOUNT), WHO)
    stock.receive(plant.uow(), StockLine("BIKE", "P1/FG", TOP, unit_cost=Decimal("0.000001")), WHO)

    worth = valuation.value_inventory(plant.uow(), as_of=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    assert worth.items["BIKE"].quantity == 7 + 2 * TOP
    plan = run_plan(plant.uow(), PlanRequest(start=dt.date.today(), weeks=4))
    assert plan.planned_orders >= 0
    stock.reverse(plant.uow(), first.posting_id, Who("tester", reason="typed one digit too many"))

    assert sum(b.on_hand for b in balances.on_hand(plant.uow(), item="BIKE")) == 7 + TOP
    check = balances.verify(plant.uow())
    assert check.sound, check.problems
    total, listed = list_moves(plant.uow(), MoveFilter(item="BIKE"))
    assert total == 4 and listed[0].quantity == -TOP


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (StockLine("BIKE", "P1/FG", TOP + 1), "quantity"),
        (StockLine("BIKE", "P1/FG", Decimal("9000000000000")), "quantity"),
        (StockLine("BIKE", "P1/FG", Decimal("1e30")), "quantity"),
        (StockLine("BIKE", "P1/FG", Decimal("NaN")), "quantity"),
        (StockLine("BIKE", "P1/FG", Decimal(1), unit_cost=bounds.MAX_AMOUNT + 1), "unit_cost"),
        (StockLine("BIKE", "P1/FG", Decimal(1), unit_cost=Decimal("1e30")), "unit_cost"),
    ],
)
def test_a_receipt_beyond_the_bound_is_refused_naming_the_field_and_changes_nothing(
    plant: PlantOps, line: StockLine, field: str
) -> None:
    before = _moves(plant)
    with pytest.raises(ValidationError) as refused:
        stock.receive(plant.uow(), line, WHO)
    assert refused.value.field == field
    assert _moves(plant) == before


def test_an_adjustment_beyond_the_bound_is_refused_and_valuation_still_answers(plant: PlantOps) -> None:
    with pytest.raises(ValidationError, match="at most 1,000,000,000"):
        stock.adjust(plant.uow(), StockLine("BIKE", "P1/FG", Decimal("9e12")), Who("t", reason="r"), increase=True)
    assert valuation.value_inventory(plant.uow(), as_of=dt.datetime.now(dt.UTC)).total_value > 0


def test_balances_stay_whole_numbers_after_receipts_at_the_bound(plant: PlantOps) -> None:
    for _ in range(3):
        stock.receive(plant.uow(), StockLine("MILK", "P1/RM", TOP), WHO)
    with plant.uow() as uow:
        (on_hand,) = uow.session.execute(select(StockBalance.on_hand).where(StockBalance.on_hand >= TOP)).one()
    assert on_hand == 3 * TOP and isinstance(on_hand, Decimal)
    assert balances.verify(plant.uow()).sound


@pytest.mark.parametrize(
    ("who", "field"),
    [
        (Who("t", effective_at=dt.datetime.fromisoformat("9999-12-31T23:59-14:00")), "effective_at"),
        (Who("t", effective_at=dt.datetime.fromisoformat("0001-01-01T00:00+14:00")), "effective_at"),
        (Who("t", effective_at=NOW + dt.timedelta(days=bounds.POSTING_DAYS_AHEAD + 1)), "effective_at"),
        (Who("t", effective_at=NOW - dt.timedelta(days=bounds.POSTING_DAYS_BACK + 1)), "effective_at"),
        (Who("t", document="D" * 65), "document"),
        (Who("t", idempotency_key="K" * 129), "key"),
        (Who("t", reason="R" * 201), "reason"),
        (Who("t", document="nul\x00"), "document"),
    ],
)
def test_a_posting_out_of_its_window_or_its_columns_is_refused_and_moves_still_list(
    plant: PlantOps, who: Who, field: str
) -> None:
    before = _moves(plant)
    with pytest.raises(ValidationError) as refused:
        stock.receive(plant.uow(), StockLine("BIKE", "P1/FG", Decimal(1)), who)
    assert refused.value.field == field
    assert _moves(plant) == before
    assert list_moves(plant.uow(), MoveFilter())[0] == before


def test_a_lot_code_longer_than_its_column_is_refused(plant: PlantOps) -> None:
    with pytest.raises(ValidationError) as refused:
        stock.receive(plant.uow(), StockLine("TUBE", "P1/RM", Decimal(1), lot="L" * 65), WHO)
    assert refused.value.field == "lot"


def test_a_reservation_document_longer_than_its_column_is_refused(plant: PlantOps) -> None:
    with pytest.raises(ValidationError) as refused:
        reservations.reserve(
            plant.uow(), item="BIKE", location="P1/FG", quantity=Decimal(1), document="D" * 65, user="t"
        )
    assert refused.value.field == "document"


def test_plan_and_forecast_dates_out_of_bounds_are_refused(plant: PlantOps) -> None:
    with pytest.raises(ValidationError) as plan:
        run_plan(plant.uow(), PlanRequest(start=dt.date(1, 1, 1)))
    assert plan.value.field == "start"
    with pytest.raises(ValidationError) as week:
        overrides.override_forecast(
            plant.uow(), item="BIKE", site="P1", week=dt.date(9999, 12, 31), quantity=1, reason="r", by="t"
        )
    assert week.value.field == "week"
    with pytest.raises(ValidationError) as quantity:
        overrides.override_forecast(
            plant.uow(), item="BIKE", site="P1", week=dt.date.today(), quantity="1e30", reason="r", by="t"
        )
    assert quantity.value.field == "quantity"


@pytest.mark.parametrize(
    ("sheet", "row", "field"),
    [
        ("items", "X,X,raw_material,pcs,buy,1,lot_for_lot,,1e30,1,none", "safety_stock"),
        ("items", "X,X,raw_material,pcs,buy,1,lot_for_lot,,1,1000000001,none", "standard_cost"),
        ("sales_history", "BIKE,P1,9999-12-31,1", "period_start"),
    ],
)
def test_an_import_beyond_the_bounds_names_the_row_and_field(
    ops: PlantOps, tmp_path: Path, sheet: str, row: str, field: str
) -> None:
    body = MINIMAL_PLANT[sheet] + row + "\n"
    with pytest.raises(ImportRejectedError) as rejected:
        master_data.import_path(ops.uow(), write_plant(tmp_path, {sheet: body}), posted_by="tester")
    last_row = body.count("\n")
    assert [(p.source, p.row, p.field) for p in rejected.value.problems] == [(f"{sheet}.csv", last_row, field)]


def test_rows_built_in_memory_beyond_the_bound_are_refused_as_a_file_would_be(plant: PlantOps) -> None:
    """Decimals built by a program (the demo plants) take no shortcut around the bound."""
    row = {"code": "HUGE", "name": "Huge", "item_type": "raw_material", "unit": "pcs", "procurement": "buy",
           "lead_time_days": Decimal(1), "max_order_quantity": Decimal(2_000_000_000)}  # fmt: skip
    with pytest.raises(ImportRejectedError) as rejected:
        master_data.load(plant.uow(), {"items": [row]}, source="memory", posted_by="tester")
    assert [(p.field, p.row) for p in rejected.value.problems] == [("max_order_quantity", 2)]
    assert records.list_records(plant.uow(), "items", search="HUGE").total == 0


@given(st.decimals(allow_nan=True, allow_infinity=True))
def test_the_quantity_bound_accepts_exactly_the_positive_six_place_numbers_up_to_it(value: Decimal) -> None:
    problem = bounds.quantity_problem(value)
    accepted = value.is_finite() and 0 < value <= TOP and value == value.quantize(Decimal("0.000001"))
    assert (problem is None) == accepted


def _shelf_life(ops: PlantOps, item: str, days: int) -> None:
    version = records.get_record(ops.uow(), "items", [item]).version
    records.update_record(ops.uow(), "items", [item], {"shelf_life_days": days}, version=version, posted_by="t")


@pytest.mark.parametrize(
    ("expiry", "why"),
    [(dt.date(2020, 1, 1), "before the receipt"), (dt.date.today() + dt.timedelta(days=30), "shelf life")],
)
def test_an_expiry_past_or_beyond_the_shelf_life_needs_a_reason(plant: PlantOps, expiry: dt.date, why: str) -> None:
    _shelf_life(plant, "TUBE", 3)
    line = StockLine("TUBE", "P1/RM", Decimal(5), lot="L-NEW", expiry=expiry)
    before = _moves(plant)
    with pytest.raises(ValidationError, match=why) as refused:
        stock.receive(plant.uow(), line, WHO)
    assert refused.value.field == "expiry" and _moves(plant) == before

    stock.receive(plant.uow(), line, Who("tester", reason="returned by the customer as it was"))
    assert _moves(plant) == before + 1


def test_an_expiry_within_the_shelf_life_needs_no_reason(plant: PlantOps) -> None:
    _shelf_life(plant, "TUBE", 3)
    stock.receive(plant.uow(), StockLine("TUBE", "P1/RM", Decimal(5), lot="L-OK", expiry=dt.date.today()), WHO)


def test_the_posting_window_is_a_setting(tmp_path: Path) -> None:
    narrow = build(Settings(database_url=f"sqlite:///{tmp_path / 'narrow.db'}", posting_days_back=1))
    narrow.migrate()
    master_data.import_path(narrow.uow(), write_plant(tmp_path / "plant"), posted_by="tester")
    two_days_ago = Who("t", effective_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    yesterday = Who("t", effective_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=20))

    with pytest.raises(ValidationError, match="within 1 day before"):
        stock.receive(narrow.uow(), StockLine("BIKE", "P1/FG", Decimal(1)), two_days_ago)
    stock.receive(narrow.uow(), StockLine("BIKE", "P1/FG", Decimal(1)), yesterday)
    narrow.close()
