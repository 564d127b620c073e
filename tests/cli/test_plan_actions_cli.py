"""``plantops plan``: pegging down from a sales order and up from a purchase order, changing,
firming and releasing several planned orders, and acting on exception messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.services.minimal_plant import MINIMAL_PLANT, write_plant


@pytest.fixture
def planned(run: Invoke, tmp_path: Path) -> Invoke:
    """300 bikes due 2026-12-10, planned from 23 November: tube on order (PO-1/1) is needed a week early."""
    lines = MINIMAL_PLANT["sales_order_lines"].replace("SO-1,1,BIKE,20,", "SO-1,1,BIKE,300,")
    assert run("init").exit_code == 0
    assert run("import", str(write_plant(tmp_path / "in", {"sales_order_lines": lines}))).exit_code == 0
    assert run("plan", "--start", "2026-11-23", "--weeks", "8").exit_code == 0
    return run


def _numbers(run: Invoke, *args: str) -> list[str]:
    listed = run("plan", "orders", "--format", "csv", *args)
    return re.findall(r"^(P\d+-\d+),", listed.output, flags=re.MULTILINE)


def test_peg_a_sales_order_down_and_a_purchase_order_up(planned: Invoke) -> None:
    down = planned("plan", "peg", "--demand", "SO-1/1")
    up = planned("plan", "peg", "PO-1/1")
    neither = planned("plan", "peg")
    unknown = planned("plan", "peg", "--demand", "SO-9")

    assert down.exit_code == 0, down.output
    assert "Orders serving SO-1/1 in PLAN-000001" in down.output and "PO-1/1" in down.output
    assert "Limited by lead time: TUBE at P1" in down.output
    assert up.exit_code == 0 and "Pegging of PO-1/1" in up.output and "SO-1/1" in up.output
    assert neither.exit_code == 2 and "name an order, or a demand with --demand" in neither.output
    assert unknown.exit_code == 2 and "SO-9" in unknown.output


def test_change_then_firm_and_release_several(planned: Invoke) -> None:
    tube = _numbers(planned, "--item", "TUBE")[0]
    frames = _numbers(planned, "--item", "FRAME")

    negative = planned("plan", "change", tube, "--quantity", "-5")
    nothing = planned("plan", "change", tube, "--quantity", "ten")
    changed = planned("plan", "change", tube, "--quantity", "400", "--due", "2026-12-28")
    some_unknown = planned("plan", "firm", frames[0], "P1-999")
    firmed = planned("plan", "firm", *frames[:2])
    released = planned("plan", "release", *frames[:3])

    assert negative.exit_code == 2 and "planned order: quantity: must be greater than 0" in negative.output
    assert nothing.exit_code == 2 and "planned order: quantity: 'ten' is not a number" in nothing.output
    assert changed.exit_code == 0 and f"{tube}: buy 400 TUBE" in changed.output
    assert "due 2026-12-28 (firm)" in changed.output
    assert some_unknown.exit_code == 2 and "P1-999" in some_unknown.output
    assert firmed.exit_code == 0 and firmed.output.count("(firm)") == 2
    assert released.exit_code == 0 and released.output.count("released as WO-") == 3


def test_act_on_an_exception(planned: Invoke) -> None:
    listed = planned("plan", "exceptions", "--kind", "expedite", "--format", "csv")
    number = re.search(r"^(E\d+-\d+),", listed.output, flags=re.MULTILINE)
    assert number is not None, listed.output

    wrong = planned("plan", "act", number.group(1), "defer")
    done = planned("plan", "act", number.group(1), "expedite")
    again = planned("plan", "act", number.group(1), "expedite")

    assert "expedite PO-1/1" in listed.output
    assert wrong.exit_code == 2 and "it allows expedite" in wrong.output
    assert done.exit_code == 0 and "PO-1/1 is now due on 2026-11-23" in done.output
    assert again.exit_code == 2 and "changed since the plan" in again.output
