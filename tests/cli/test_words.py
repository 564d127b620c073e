"""``plantops --version``, and counts that say "1 unit", never "1 units"."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest

from plantops.cli.common import counted
from tests.cli.conftest import Invoke
from tests.services.minimal_plant import write_plant


def test_version_prints_the_installed_version_and_exits(run: Invoke) -> None:
    result = run("--version")

    assert result.exit_code == 0
    assert result.output == f"plantops {version('plantops')}\n"


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 units"), (1, "1 unit"), (2, "2 units"), (-1, "-1 units")],
)
def test_a_count_takes_the_singular_only_for_exactly_one(count: int, expected: str) -> None:
    assert counted(count, "unit") == expected


def test_a_noun_with_its_own_plural() -> None:
    assert [counted(n, "policy", "policies") for n in (1, 3)] == ["1 policy", "3 policies"]


def test_one_balance_of_one_move_is_counted_in_the_singular(run: Invoke, tmp_path: Path) -> None:
    no_stock = {"opening_stock": "item,location,lot,quantity,unit_cost\n"}
    assert run("import", str(write_plant(tmp_path / "plant", no_stock))).exit_code == 0
    assert run("stock", "receive", "BIKE", "P1/FG", "1").exit_code == 0

    verified = run("stock", "verify")

    assert verified.exit_code == 0
    assert "Ledger sound: 1 balance, each equal to the sum of its moves (1 move in all)." in verified.output
