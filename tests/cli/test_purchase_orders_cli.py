"""``plantops purchase order|receive|return|invoice|scorecard`` end to end, and errors naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.services.minimal_plant import write_plant
from tests.services.test_purchasing import PURCHASING


@pytest.fixture
def buying(run: Invoke, tmp_path: Path) -> Invoke:
    assert run("import", str(write_plant(tmp_path / "plant", PURCHASING))).exit_code == 0
    return run


def _sent(run: Invoke, line: str = "TUBE=500@2026-12-04") -> str:
    created = run("purchase", "order", "create", "S1", "P1", "--line", line)
    assert created.exit_code == 0, created.output
    number = created.output.split("Purchase order ", 1)[1].split(" ", 1)[0]
    for step in ("approve", "send"):
        done = run("purchase", "order", step, number)
        assert done.exit_code == 0, done.output
    return number


def test_an_order_is_sent_received_in_two_parts_invoiced_and_scored(buying: Invoke, tmp_path: Path) -> None:
    number = _sent(buying)
    confirmed = buying("purchase", "order", "confirm", number, "--line", "1=2026-12-07")
    pdf = buying("purchase", "order", "pdf", number, "--out", str(tmp_path / "po.pdf"))
    first = buying("purchase", "receive", number, "1", "200", "P1/RM", "--lot", "L-9")
    last = buying("purchase", "receive", number, f"{number}/1", "300", "P1/RM", "--lot", "L-9")
    back = buying("purchase", "return", number, "1", "20", "P1/RM", "--lot", "L-9", "--reason", "rust")
    invoice = buying(
        "purchase", "invoice", "enter", "S1", "INV-1", "--date", "2026-12-08", "--line", f"{number}/1=480@2.6"
    )
    approved = buying("purchase", "invoice", "approve", "S1", "INV-1")
    listed = buying("purchase", "order", "list", "--supplier", "S1", "--format", "csv")
    card = buying("purchase", "scorecard", "S1", "--months", "2", "--format", "csv")

    assert confirmed.exit_code == 0 and "is confirmed" in confirmed.output and "2026-12-07" in confirmed.output
    assert pdf.exit_code == 0 and (tmp_path / "po.pdf").read_bytes().startswith(b"%PDF")
    assert first.exit_code == 0 and "TUBE +200 at P1/RM lot L-9" in first.output and "partly received" in first.output
    assert last.exit_code == 0 and f"{number} is received." in last.output
    assert back.exit_code == 0 and "TUBE -20 at P1/RM lot L-9" in back.output and "partly received" in back.output
    assert invoice.exit_code == 0 and "matched" in invoice.output
    assert approved.exit_code == 0 and "approved" in approved.output
    assert f"{number},S1,P1,partly received," in listed.output
    assert card.exit_code == 0 and card.output.splitlines()[0].startswith("Month,Lines due,OTIF %")


def test_bad_input_exits_2_naming_the_field(buying: Invoke) -> None:
    number = _sent(buying)

    over = buying("purchase", "receive", number, "1", "526", "P1/RM", "--lot", "L-9")
    other_order = buying("purchase", "receive", number, "PO-000009/1", "1", "P1/RM", "--lot", "L-9")
    bad_line = buying("purchase", "order", "create", "S1", "P1", "--line", "TUBE=5")
    too_dear = buying("purchase", "order", "create", "S1", "P1", "--line", "TUBE=100000@2026-12-04")
    no_reason = buying("purchase", "return", number, "1", "1", "P1/RM", "--reason", "")
    unknown = buying("purchase", "order", "show", "PO-NOPE")

    assert over.exit_code == 2 and "quantity" in over.output and "tolerance" in over.output
    assert other_order.exit_code == 2 and "is a line of PO-000009" in other_order.output
    assert bad_line.exit_code == 2 and "ITEM=QUANTITY@DUE" in bad_line.output
    assert too_dear.exit_code == 0  # 240,000 EUR: above a buyer's limit, within an administrator's
    dear = too_dear.output.split("Purchase order ", 1)[1].split(" ", 1)[0]
    assert buying("purchase", "order", "approve", dear).exit_code == 0  # the shell user acts as an administrator
    assert no_reason.exit_code == 2 and "reason" in no_reason.output
    assert unknown.exit_code == 2 and "PO-NOPE" in unknown.output


def test_sourcing_advice_prints_each_supplier_with_its_share(buying: Invoke) -> None:
    advice = buying("purchase", "sourcing", "TUBE", "--stockout-cost", "40", "--demand", "5000", "--format", "csv")
    bad = buying("purchase", "sourcing", "TUBE", "--stockout-cost", "40", "--demand", "5000", "--disruption", "S1")

    assert advice.exit_code == 0, advice.output
    assert advice.output.splitlines()[1].startswith("S1,1,2.60,0.00,1.0,never more than 7 days late in 0 lines,100%")
    assert bad.exit_code == 2 and "SUPPLIER:RATE:RECOVERY" in bad.output
