"""``plantops purchase`` end to end: requisitions, a proposal confirmed, an RFQ quoted by hand and from
CSV, compared and awarded; bad input exits 2 naming the field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.services.minimal_plant import write_plant
from tests.services.test_sourcing import SUPPLIERS

TODAY = dt.date.today()
DUE = (TODAY + dt.timedelta(days=30)).isoformat()
VALID = (TODAY + dt.timedelta(days=20)).isoformat()


@pytest.fixture
def buying(run: Invoke, tmp_path: Path) -> Invoke:
    assert run("import", str(write_plant(tmp_path / "plant", SUPPLIERS))).exit_code == 0
    return run


def _requisition(run: Invoke, quantity: str = "400") -> str:
    made = run("purchase", "requisition", "create", "TUBE", "P1", quantity, "--due", DUE)
    assert made.exit_code == 0, made.output
    return made.output.split("Requisition ", 1)[1].split(" ", 1)[0]


def test_requisitions_are_proposed_and_confirmed_as_a_draft_order(buying: Invoke) -> None:
    first, second = _requisition(buying, "400"), _requisition(buying, "1000")
    week = f"{(TODAY + dt.timedelta(days=30)).isocalendar()[0]}-W{(TODAY + dt.timedelta(days=30)).isocalendar()[1]:02d}"

    proposed = buying("purchase", "proposals", "list")
    confirmed = buying("purchase", "proposals", "confirm", "S1", "P1", week)
    listed = buying("purchase", "requisition", "list", "--status", "ordered", "--format", "csv")

    assert proposed.exit_code == 0 and f"week {week}: 3,440.00 EUR" in proposed.output
    assert confirmed.exit_code == 0, confirmed.output
    assert f"made of 2 requisitions: {first}, {second}" in confirmed.output
    assert f"{first},TUBE,P1,400," in listed.output and listed.output.count(",ordered,") == 2


def test_an_rfq_is_quoted_compared_and_awarded(buying: Invoke, tmp_path: Path) -> None:
    first, second = _requisition(buying, "400"), _requisition(buying, "100")
    created = buying(
        "purchase",
        "rfq",
        "create",
        "--supplier",
        "S1",
        "--supplier",
        "S2",
        "--requisition",
        first,
        "--requisition",
        second,
    )
    number = created.output.split("RFQ ", 1)[1].split(" ", 1)[0]
    quoted = buying(
        "purchase", "rfq", "quote", number, "S1", "--valid-until", VALID, "--freight", "50",
        "--price", "1:0:2.6:14", "--price", "1:300:2.4:14", "--price", "2:0:2.6:14",
    )  # fmt: skip
    csv = tmp_path / "s2.csv"
    csv.write_text(
        f"supplier,line,min_quantity,unit_price,lead_time_days,valid_until,freight\nS2,2,500,2.0,20,{VALID},0\n"
    )
    imported = buying("purchase", "rfq", "import", number, str(csv))
    compared = buying("purchase", "rfq", "compare", number)
    awarded = buying("purchase", "rfq", "award", number, "--line", "1=S1", "--line", "2=S2")
    listed = buying("purchase", "rfq", "list", "--status", "awarded", "--format", "csv")

    assert created.exit_code == 0, created.output
    assert quoted.exit_code == 0, quoted.output
    assert imported.exit_code == 0 and "S1, S2" in imported.output
    assert compared.exit_code == 0, compared.output
    assert "*960.00 @ 2.4" in compared.output and "1,000.00 @ 2 (min 500)" in compared.output
    assert "no quote" in compared.output and "*1,270.00 EUR" in compared.output
    assert awarded.exit_code == 0, awarded.output
    assert awarded.output.count("PO-") == 2
    assert listed.output.splitlines()[1].startswith(f"{number},P1,awarded")


def test_bad_input_exits_2_naming_the_field(buying: Invoke, tmp_path: Path) -> None:
    number = _requisition(buying)
    one_supplier = buying("purchase", "rfq", "create", "--supplier", "S1", "--requisition", number)
    bad_line = buying("purchase", "rfq", "create", "--supplier", "S1", "--supplier", "S2", "--line", "TUBE=4")
    rfq = buying("purchase", "rfq", "create", "--supplier", "S1", "--supplier", "S2", "--requisition", number)
    code = rfq.output.split("RFQ ", 1)[1].split(" ", 1)[0]
    bad_price = buying("purchase", "rfq", "quote", code, "S1", "--valid-until", VALID, "--price", "1:0:2.6")
    csv = tmp_path / "bad.csv"
    csv.write_text(
        "supplier,line,min_quantity,unit_price,lead_time_days,valid_until,freight\nS1,7,0,x,1,2026-12-31,0\n"
    )
    bad_csv = buying("purchase", "rfq", "import", code, str(csv))
    nothing = buying("purchase", "rfq", "award", code, "--supplier", "S1")
    cancel_in_rfq = buying("purchase", "requisition", "cancel", number)

    assert one_supplier.exit_code == 2 and "suppliers" in one_supplier.output
    assert bad_line.exit_code == 2 and "ITEM=QUANTITY@YYYY-MM-DD" in bad_line.output
    assert bad_price.exit_code == 2 and "price" in bad_price.output
    assert bad_csv.exit_code == 2 and "bad.csv row 2: unit_price" in bad_csv.output
    assert nothing.exit_code == 2 and "no quotation" in nothing.output
    assert cancel_in_rfq.exit_code == 2 and "status" in cancel_in_rfq.output
