"""``plantops schedule late | dispatch | move | undo``: why orders are late, a dispatch list, moving an
operation by hand and undoing it, from the command line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from tests.cli.conftest import Invoke
from tests.cli.test_schedule_cli import _schedule, shop  # noqa: F401 (the fixture)


def test_dispatch_lists_a_shifts_operations_in_sequence_as_csv(run: Invoke, shop: dt.date) -> None:  # noqa: F811
    _schedule(run, shop)

    result = run("schedule", "dispatch", "SAW", "--date", str(shop), "--shift", "day", "--format", "csv")

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows and list(rows[0])[:4] == ["order", "item", "step", "operation"]
    assert [r["start"] for r in rows] == sorted(r["start"] for r in rows)
    assert {r["order"] for r in rows} <= {"WO-1", "WO-2", "WO-3"}


def test_dispatch_for_a_shift_the_calendar_lacks_names_the_shifts_it_has(run: Invoke, shop: dt.date) -> None:  # noqa: F811
    _schedule(run, shop)

    result = run("schedule", "dispatch", "SAW", "--date", str(shop), "--shift", "night")

    assert result.exit_code == 2
    assert "shift: SAW has no shift 'night' on Monday" in result.output and "its shifts: day" in result.output


def test_late_says_why_each_order_is_late_as_json(run: Invoke, shop: dt.date) -> None:  # noqa: F811
    _schedule(run, shop)

    result = run("schedule", "late", "--format", "json")

    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert all(row["why"] in ("capacity", "due date past") for row in rows)
    assert {"order", "late by", "earliest completion", "queued"} <= set(rows[0]) if rows else True


def test_move_then_undo_brings_the_schedule_back_and_a_second_undo_is_refused(run: Invoke, shop: dt.date) -> None:  # noqa: F811
    _schedule(run, shop)
    thursday = shop + dt.timedelta(days=3)
    before = run("schedule", "dispatch", "ROBOT", "--date", str(shop), "--format", "csv").output

    moved = run("schedule", "move", "WO-1", "20", "--start", f"{thursday}T08:00", "--time-limit", "5")
    on_thursday = run("schedule", "dispatch", "ROBOT", "--date", str(thursday), "--format", "csv").output
    undone = run("schedule", "undo")
    again = run("schedule", "undo")

    assert moved.exit_code == 0, moved.output
    assert "SCH-000002" in moved.output and "WO-1" in moved.output
    assert "WO-1,FRAME,20,Weld," in on_thursday and f"{thursday}T08:00:00+01:00" in on_thursday
    assert undone.exit_code == 0 and "SCH-000001 is in force again" in undone.output
    assert run("schedule", "dispatch", "ROBOT", "--date", str(shop), "--format", "csv").output == before
    assert again.exit_code == 2 and "nothing to undo" in again.output


def test_a_move_onto_a_saturday_is_refused_and_changes_nothing(run: Invoke, shop: dt.date) -> None:  # noqa: F811
    _schedule(run, shop)
    saturday = shop + dt.timedelta(days=5)

    result = run("schedule", "move", "WO-1", "20", "--start", f"{saturday}T08:00")

    assert result.exit_code == 2
    assert "start: ROBOT does not work at Sat" in result.output
    assert "SCH-000001" in run("schedule", "show", "--late").output
