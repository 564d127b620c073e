"""``plantops orders``: the order books, a promise and a cancellation from the command line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.services.minimal_plant import write_plant


@pytest.fixture
def plant(run: Invoke, tmp_path: Path) -> Invoke:
    assert run("import", str(write_plant(tmp_path / "plant"))).exit_code == 0
    return run


def test_the_purchase_book_prints_a_suppliers_orders_as_csv(plant: Invoke) -> None:
    printed = plant("orders", "book", "purchase", "--partner", "S1", "--format", "csv")
    assert printed.exit_code == 0, printed.output
    rows = list(csv.DictReader(io.StringIO(printed.output)))
    assert [(r["Order"], r["Next due"], r["Open quantity"]) for r in rows] == [("PO-1", "2026-11-30", "400")]


def test_a_promise_and_a_cancellation_are_told_and_a_bad_sort_is_refused(plant: Invoke) -> None:
    promised = plant("orders", "promise", "TUBE", "P1", "10", "--wanted", "2030-01-07")
    assert promised.exit_code == 0 and "can be promised on 2030-01-07" in promised.output
    assert plant("orders", "cancel", "SO-1").exit_code == 0
    again = plant("orders", "cancel", "SO-1")
    assert again.exit_code == 2 and "only a draft or open order" in again.output
    refused = plant("orders", "book", "sales", "--sort", "colour")
    assert refused.exit_code == 2 and "unknown column 'colour'" in refused.output
