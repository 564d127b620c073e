"""Tables are printed whole when piped, list commands print table, CSV or JSON, and a cut list says so."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from plantops.cli.common import console
from tests.cli.conftest import Invoke
from tests.services.minimal_plant import write_plant

LONG_LOT = "LOT-2026-11-16-NIGHT-SHIFT-LINE-3"
LONG_DOCUMENT = "GR-DELIVERY-NOTE-4711-0815"


@pytest.fixture
def planned(run: Invoke, tmp_path: Path) -> Invoke:
    """The minimal plant, planned for 12 weeks, with a receipt of a lot whose code is long."""
    assert run("import", str(write_plant(tmp_path / "plant"))).exit_code == 0
    received = run("stock", "receive", "TUBE", "P1/RM", "5", "--lot", LONG_LOT, "--document", LONG_DOCUMENT)
    assert received.exit_code == 0, received.output
    assert run("plan", "--start", "2026-11-16", "--weeks", "12").exit_code == 0
    return run


@pytest.fixture
def piped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output to no terminal, which Rich takes to be 80 columns wide (the suite's COLUMNS says 200)."""
    monkeypatch.setattr(console, "width", 80)


@pytest.mark.usefixtures("piped")
def test_piped_plan_show_prints_every_week_and_row_whole(planned: Invoke) -> None:
    shown = planned("plan", "show", "BIKE")

    assert shown.exit_code == 0, shown.output
    assert "…" not in shown.output
    header = next(line for line in shown.output.splitlines() if "16 Nov" in line)
    assert "01 Feb" in header  # twelve weeks side by side on one line
    assert "│ Planned order releases │ 13 " in shown.output


@pytest.mark.usefixtures("piped")
def test_piped_stock_moves_print_long_codes_whole_on_one_line(planned: Invoke) -> None:
    listed = planned("stock", "moves", "--item", "TUBE")

    assert listed.exit_code == 0, listed.output
    assert "…" not in listed.output
    assert any(LONG_LOT in line and LONG_DOCUMENT in line for line in listed.output.splitlines())


def test_a_list_cut_by_its_limit_says_how_many_there_are(planned: Invoke) -> None:
    every = json.loads(planned("plan", "orders", "--format", "json").output)
    cut = planned("plan", "orders", "--limit", "1")
    whole = planned("plan", "orders", "--limit", str(len(every)))

    assert len(every) > 1
    assert f"(1 of {len(every)}; --limit shows more)" in cut.output
    assert "--limit" not in whole.output


@pytest.mark.parametrize(
    "command",
    [("stock", "onhand"), ("stock", "moves"), ("plan", "orders"), ("plan", "exceptions")],
    ids=" ".join,
)
def test_csv_and_json_hold_the_same_rows_as_the_table(planned: Invoke, command: tuple[str, ...]) -> None:
    as_csv = planned(*command, "--format", "csv")
    as_json = planned(*command, "--format", "json")

    assert as_csv.exit_code == 0 and as_json.exit_code == 0, as_csv.output + as_json.output
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    records = json.loads(as_json.output)
    assert rows and len(rows) == len(records)
    assert [{k: "" if v is None else str(v) for k, v in r.items()} for r in records] == rows


def test_json_keeps_quantities_exact_and_codes_whole(planned: Invoke) -> None:
    [lot] = [r for r in json.loads(planned("stock", "onhand", "--format", "json").output) if r["lot"] == LONG_LOT]

    assert lot == {
        "item": "TUBE",
        "site": "P1",
        "location": "P1/RM",
        "lot": LONG_LOT,
        "expiry": None,
        "on hand": "5",
        "reserved": "0",
        "available": "5",
    }


def test_an_unknown_format_is_refused_naming_the_option(planned: Invoke) -> None:
    refused = planned("stock", "onhand", "--format", "xml")

    assert refused.exit_code == 2
    assert "--format" in refused.output and "'xml'" in refused.output
