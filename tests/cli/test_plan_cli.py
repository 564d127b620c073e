"""``plantops plan`` end to end on the demo plant."""

from __future__ import annotations

import re

from tests.cli.conftest import Invoke


def test_plan_show_exceptions_orders_peg_firm_and_release(run: Invoke) -> None:
    assert run("demo", "--as-of", "2026-11-16").exit_code == 0

    planned = run("plan", "--start", "2026-11-16", "--weeks", "26")
    shown = run("plan", "show", "BIKE-CITY-L", "--site", "DC-NORTH", "--weeks", "6")
    exceptions = run("plan", "exceptions", "--kind", "cancel")
    orders = run("plan", "orders", "--kind", "make", "--limit", "5")  # the well-stocked demo buys nothing yet
    number = re.search(r"│ (P1-\d+) ", orders.output)
    assert number is not None, orders.output
    pegged = run("plan", "peg", number.group(1))
    firmed = run("plan", "firm", number.group(1))
    released = run("plan", "release", number.group(1))
    again = run("plan", "release", number.group(1))

    assert planned.exit_code == 0 and "PLAN-000001:" in planned.output and "planned orders" in planned.output
    assert "Gross requirements" in shown.output and "Planned order releases" in shown.output
    assert "DC-NORTH" in shown.output
    assert exceptions.exit_code == 0 and "cancel PO-" in exceptions.output
    assert pegged.exit_code == 0 and "Pegging of" in pegged.output
    assert "(firm)" in firmed.output
    assert released.exit_code == 0 and f"released as WO-{number.group(1)}" in released.output
    assert again.exit_code == 2 and "already released" in again.output


def test_plan_commands_before_any_plan_say_so(run: Invoke) -> None:
    run("init")

    result = run("plan", "orders")

    assert result.exit_code == 2 and "there is no plan yet: run `plantops plan` first" in result.output
