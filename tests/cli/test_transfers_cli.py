"""``plantops transfer`` end to end: create, ship and receive in parts, in transit, cancel, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.services.minimal_plant import write_plant
from tests.services.test_transfers import TWO_SITES


@pytest.fixture
def two_sites(run: Invoke, tmp_path: Path) -> Invoke:
    assert run("import", str(write_plant(tmp_path / "plant", TWO_SITES))).exit_code == 0
    return run


def _create(run: Invoke) -> str:
    created = run(
        "transfer", "create", "P1", "DC1", "--line", "TUBE=100", "--ship-date", "2026-12-01", "--due-date", "2026-12-04"
    )
    assert created.exit_code == 0, created.output
    return created.output.split("Transfer order ", 1)[1].split(" ", 1)[0]


def test_an_order_ships_and_arrives_in_two_parts(two_sites: Invoke) -> None:
    number = _create(two_sites)

    shipped = two_sites("transfer", "ship", number, "1", "100", "P1/RM")
    transit = two_sites("transfer", "in-transit", "--site", "DC1")
    first = two_sites("transfer", "receive", number, "1", "40", "DC1/FG", "--lot", "L-001")
    last = two_sites("transfer", "receive", number, "1", "60", "DC1/FG")
    listed = two_sites("transfer", "list", "--status", "closed", "--format", "csv")

    assert shipped.exit_code == 0, shipped.output
    assert "TUBE -30 at P1/RM lot L-002" in shipped.output and "TUBE +70 at DC1-TRANSIT lot L-001" in shipped.output
    assert f"│ TUBE │ DC1     │ {number} │ L-001 │ 70       │ 2.5       │ 175   │" in transit.output
    assert first.exit_code == 0 and ": open," in first.output
    assert last.exit_code == 0 and ": closed," in last.output
    assert f"{number},P1,DC1,closed,2026-12-01,2026-12-04,1,100" in listed.output


def test_bad_input_exits_2_naming_the_field(two_sites: Invoke) -> None:
    number = _create(two_sites)

    over = two_sites("transfer", "ship", number, "1", "101", "P1/RM", "--lot", "L-001")
    wrong_site = two_sites("transfer", "ship", number, "1", "1", "DC1/FG", "--lot", "L-001")
    not_a_number = two_sites("transfer", "ship", number, "1", "ten", "P1/RM")
    bad_line = two_sites(
        "transfer", "create", "P1", "DC1", "--line", "TUBE", "--ship-date", "2026-12-01", "--due-date", "2026-12-04"
    )
    unknown = two_sites("transfer", "show", "TO-NOPE")

    assert over.exit_code == 2 and "quantity" in over.output and "100 left to ship" in over.output
    assert wrong_site.exit_code == 2 and "location" in wrong_site.output
    assert not_a_number.exit_code == 2 and "'ten' is not a number" in not_a_number.output
    assert bad_line.exit_code == 2 and "ITEM=QUANTITY" in bad_line.output
    assert unknown.exit_code == 2 and "TO-NOPE" in unknown.output
    assert "│ 1    │ TUBE │ kg   │ 100      │ 0       │" in two_sites("transfer", "show", number).output


def test_cancel_after_a_part_shipped_keeps_what_is_on_its_way(two_sites: Invoke) -> None:
    number = _create(two_sites)
    two_sites("transfer", "ship", number, "1", "25", "P1/RM", "--lot", "L-001")

    cut = two_sites("transfer", "cancel", number)
    again = two_sites("transfer", "receive", number, "1", "25", "DC1/FG")

    assert cut.exit_code == 0 and "the unshipped rest is cancelled; it is open" in cut.output
    assert again.exit_code == 0 and ": closed," in again.output
