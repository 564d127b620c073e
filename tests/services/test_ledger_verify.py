"""``balances.verify`` catches a ledger corrupted behind the services' back, on SQLite and PostgreSQL.

Each test breaks one invariant with raw SQL, as a faulty script or a hand edit of the
database would, and checks that the proof names the broken balance and what is wrong.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from plantops.bootstrap import PlantOps
from plantops.services import master_data
from plantops.services.inventory import balances, reservations
from tests.services.minimal_plant import write_plant


@pytest.fixture
def plant(ops: PlantOps, tmp_path: Path) -> PlantOps:
    """The minimal plant (opening stock: 7 BIKE at P1/FG, 250.5 kg TUBE lot L-001 at P1/RM), sound."""
    master_data.import_path(ops.uow(), write_plant(tmp_path), posted_by="tester")
    assert balances.verify(ops.uow()).sound
    return ops


def number(value: int) -> str:
    """A whole quantity as the report prints it on either database (7, 7.0 or 7.000000)."""
    return rf"{value}(\.0+)?"


def corrupt(ops: PlantOps, statement: str) -> None:
    """Run one raw SQL statement in a transaction of its own, bypassing every service."""
    with ops.engine.begin() as connection:
        assert connection.execute(text(statement)).rowcount == 1


def test_a_balance_that_no_longer_equals_its_moves_is_reported_with_both_figures(plant: PlantOps) -> None:
    corrupt(
        plant,
        "UPDATE stock_balance SET on_hand = on_hand * 2 WHERE item_id = (SELECT id FROM item WHERE code = 'BIKE')",
    )

    check = balances.verify(plant.uow())

    assert not check.sound
    assert len(check.problems) == 1
    assert re.fullmatch(f"BIKE at P1/FG: on-hand {number(14)} but its moves sum to {number(7)}", check.problems[0])


def test_a_reservation_that_no_longer_matches_its_balance_is_reported(plant: PlantOps) -> None:
    reservations.reserve(plant.uow(), item="TUBE", location="P1/RM", quantity=Decimal(50), document="WO-1", user="t")
    corrupt(plant, "UPDATE stock_reservation SET reserved_quantity = reserved_quantity / 2 WHERE document = 'WO-1'")

    check = balances.verify(plant.uow())

    assert not check.sound
    assert len(check.problems) == 1
    assert re.fullmatch(
        rf"TUBE at P1/RM lot L-001: reserved {number(50)} but open reservations hold {number(25)}", check.problems[0]
    )


def test_a_balance_reserving_more_than_it_holds_is_reported(plant: PlantOps) -> None:
    corrupt(
        plant,
        "UPDATE stock_balance SET reserved = on_hand * 3 WHERE item_id = (SELECT id FROM item WHERE code = 'BIKE')",
    )

    check = balances.verify(plant.uow())

    assert not check.sound
    assert len(check.problems) == 2
    assert re.fullmatch(f"BIKE at P1/FG: reserved {number(21)} with on-hand {number(7)}", check.problems[0])
    assert re.fullmatch(f"BIKE at P1/FG: reserved {number(21)} but open reservations hold 0", check.problems[1])
