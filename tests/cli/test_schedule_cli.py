"""``plantops schedule``: schedule, show, disrupt and rush from the command line."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.services.test_scheduling import SHOP

FIRST_MONDAY = dt.date(2026, 11, 23)  # the shop's work orders start in the week of this Monday


@pytest.fixture
def shop(run: Invoke, tmp_path: Path) -> dt.date:
    """The scheduling test shop, its dates moved to next week (repairs start from now); returns that Monday."""
    today = dt.date.today()
    monday = today + dt.timedelta(days=7 - today.weekday())
    shift = monday - FIRST_MONDAY
    folder = tmp_path / "shop"
    folder.mkdir()
    for name, body in SHOP.items():
        moved = re.sub(r"\d{4}-\d{2}-\d{2}", lambda m: str(dt.date.fromisoformat(m.group()) + shift), body)
        (folder / f"{name}.csv").write_text(moved, encoding="utf-8")
    assert run("import", str(folder)).exit_code == 0
    return monday


def _schedule(run: Invoke, monday: dt.date) -> str:
    result = run("schedule", "--start", f"{monday}T05:00Z", "--weeks", "1", "--time-limit", "5", "--seed", "1")
    assert result.exit_code == 0, result.output
    return result.output


def test_schedule_then_show_sequences_late_orders_and_a_gantt_chart(run: Invoke, shop: dt.date) -> None:
    output = _schedule(run, shop)
    shown = run("schedule", "show", "--resource", "PAINT", "--days", "5", "--width", "60")
    late = run("schedule", "show", "--late")

    assert "SCH-000001: 8 operations of 5 orders scheduled" in output
    assert shown.exit_code == 0, shown.output
    assert "PAINT Paint line (1 unit," in shown.output and "SAW" not in shown.output
    assert "WO-4" in shown.output and "WO-5" in shown.output
    [chart] = [line for line in shown.output.splitlines() if line.startswith("unit 1")]
    assert len(chart.split()[-1]) == 60 and set(chart.split()[-1]) >= {"A", "B"}
    assert "A=WO-" in shown.output
    assert late.exit_code == 0 and "Late orders" in late.output and "Paint line" not in late.output


def test_disrupt_repairs_the_schedule_and_prints_what_moved(run: Invoke, shop: dt.date) -> None:
    _schedule(run, shop)

    result = run(
        "schedule",
        "disrupt",
        "SAW",
        "--from",
        f"{shop}T06:00",
        "--to",
        f"{shop}T10:00",
        "--reason",
        "blade broke",
        "--time-limit",
        "3",
    )
    shown = run("schedule", "show", "--resource", "SAW")

    assert result.exit_code == 0, result.output
    assert "SCH-000002" in result.output
    moved = re.search(r"(\d+) operations? moved", result.output)
    assert moved and int(moved.group(1)) >= 1
    assert "Moved operations" in result.output
    assert "repair: SAW down" in shown.output and "blade broke" in shown.output


def test_a_rush_order_is_released_and_scheduled(run: Invoke, shop: dt.date) -> None:
    _schedule(run, shop)

    result = run("schedule", "rush", "PANEL", "8", "--due", str(shop), "--time-limit", "5")
    shown = run("schedule", "show", "--resource", "PAINT")

    assert result.exit_code == 0, result.output
    assert "SCH-000002" in result.output and "RUSH-0001" in shown.output


def test_mistakes_are_reported_on_one_line_with_exit_code_2(run: Invoke, shop: dt.date) -> None:
    before = run("schedule", "show")
    assert before.exit_code == 2 and "no schedule yet" in before.output

    _schedule(run, shop)
    cases = [
        (("schedule", "--weeks", "0"), "weeks"),
        (("schedule", "disrupt", "LASER", "--from", f"{shop}T06:00", "--to", f"{shop}T08:00"), "unknown work center"),
        (("schedule", "disrupt", "SAW", "--from", f"{shop}T08:00", "--to", f"{shop}T06:00"), "disruption: to"),
        (("schedule", "disrupt", "SAW", "--from", "soon", "--to", f"{shop}T06:00"), "--from"),
        (("schedule", "rush", "STEEL", "1", "--due", str(shop)), "has no BOM with a routing"),
        (("schedule", "show", "--resource", "LASER"), "unknown work center"),
    ]
    for args, message in cases:
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
    assert "SCH-000001" in run("schedule", "show").output


def test_the_demo_plants_work_is_scheduled_from_the_command_line(run: Invoke) -> None:
    today = dt.date.today()
    assert run("demo", "--as-of", str(today)).exit_code == 0
    assert run("plan", "--start", str(today), "--weeks", "8").exit_code == 0

    result = run("schedule", "--weeks", "2", "--time-limit", "5", "--seed", "1")
    shown = run("schedule", "show", "--resource", "WC-ASSY")

    assert result.exit_code == 0, result.output
    assert re.search(r"SCH-000001: \d+ operations of \d+ orders scheduled", result.output)
    assert shown.exit_code == 0 and "WC-ASSY Final assembly line (2 units" in shown.output
    assert "unit 2" in shown.output
