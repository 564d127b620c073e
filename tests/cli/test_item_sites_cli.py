"""``plantops show item`` shows the item's planning per site, and ``plantops import`` reads item sites."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Invoke
from tests.services.minimal_plant import WITH_A_DC, write_plant

TWO_SITES = {
    **WITH_A_DC,
    "item_sites": "item,site,procurement,transfer_from_site,lead_time_days,safety_stock\n"
    "BIKE,DC1,transfer,P1,3,4\nBIKE,P1,,,,0\n",
}


def test_show_item_marks_each_site_value_and_the_item_defaults(run: Invoke, tmp_path: Path) -> None:
    imported = run("import", str(write_plant(tmp_path / "in", TWO_SITES)))
    shown = run("show", "item", "BIKE")

    assert imported.exit_code == 0, imported.output
    assert shown.exit_code == 0, shown.output
    assert "Planning per site" in shown.output
    rows = {line.split("│")[1].strip(): line for line in shown.output.splitlines() if line.count("│") >= 3}
    assert "transfer" in rows["procurement"] and "make *" in rows["procurement"]
    assert "P1" in rows["transfer_from_site"]
    assert "3" in rows["lead_time_days"] and "2 *" in rows["lead_time_days"]


def test_a_bad_item_site_is_refused_on_import_naming_row_and_field(run: Invoke, tmp_path: Path) -> None:
    bad = {**TWO_SITES, "item_sites": "item,site,procurement,transfer_from_site\nBIKE,DC1,transfer,\n"}

    imported = run("import", str(write_plant(tmp_path / "in", bad)))

    assert imported.exit_code == 2
    assert "item_sites.csv row 2: transfer_from_site" in imported.output
