"""The plantops command end to end on a SQLite file: output, files and exit codes."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Invoke
from tests.services.minimal_plant import MINIMAL_PLANT, write_plant


def test_init_creates_then_reports_up_to_date(run: Invoke) -> None:
    first = run("init")
    second = run("init")

    assert first.exit_code == 0 and "upgraded from empty" in first.output
    assert second.exit_code == 0 and "up to date" in second.output


def test_show_before_init_says_to_run_init(run: Invoke) -> None:
    result = run("show", "item", "BIKE")

    assert result.exit_code == 2
    assert "run `plantops init`" in result.output


def test_import_show_and_export_a_plant(run: Invoke, tmp_path: Path) -> None:
    imported = run("import", str(write_plant(tmp_path / "in")))
    shown = run("show", "item", "CREAM")
    exported = run("export", str(tmp_path / "out"))

    assert imported.exit_code == 0, imported.output
    assert shown.exit_code == 0, shown.output
    assert "separation" in shown.output and "co-product SKIM 88" in shown.output
    assert "MILK x 100 kg" in shown.output
    assert exported.exit_code == 0
    assert (tmp_path / "out" / "bom_outputs.csv").read_text().splitlines()[1] == "B-MILK,SKIM,co_product,88,0.3"


def test_show_item_prints_tree_routing_and_where_used(run: Invoke, tmp_path: Path) -> None:
    run("import", str(write_plant(tmp_path / "in")))

    frame = run("show", "item", "FRAME")

    assert frame.exit_code == 0
    assert "TUBE x 2.5 kg" in frame.output and "scrap 0.05" in frame.output
    assert "Weld" in frame.output and "WELD" in frame.output
    assert "BIKE" in frame.output and "B-BIKE" in frame.output  # where used


def test_bad_import_exits_2_with_every_problem_and_imports_nothing(run: Invoke, tmp_path: Path) -> None:
    items = MINIMAL_PLANT["items"].replace(",pcs,make,2,", ",pcs,make,-2,")
    result = run("import", str(write_plant(tmp_path / "in", {"items": items})))
    after = run("show", "item", "BIKE")

    assert result.exit_code == 2
    assert "items.csv row 2: lead_time_days: must be at least 0, got -2" in result.output
    assert after.exit_code == 2 and "unknown item 'BIKE'" in after.output


def test_unknown_item_is_named(run: Invoke) -> None:
    run("init")

    result = run("show", "item", "NOPE")

    assert result.exit_code == 2
    assert "unknown item 'NOPE'" in result.output


def test_import_of_missing_path_is_a_clear_error(run: Invoke, tmp_path: Path) -> None:
    result = run("import", str(tmp_path / "nowhere"))

    assert result.exit_code == 2
    assert "no such file or folder" in result.output
