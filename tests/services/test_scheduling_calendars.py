"""Working windows from shifts, breaks, holidays and downtimes, in the site's time zone."""

from __future__ import annotations

import datetime as dt

from plantops.services.scheduling.calendars import PatternEntry, subtract, union, working_windows
from plantops.vocabulary import ShiftKind

BERLIN = "Europe/Berlin"
MONDAY = dt.datetime(2026, 11, 23, 5, 0, tzinfo=dt.UTC)  # 06:00 in Berlin (UTC+1)


def _t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def _day_shift(weekdays: range = range(5)) -> list[PatternEntry]:
    return [
        entry
        for day in weekdays
        for entry in (
            PatternEntry(day, ShiftKind.SHIFT, _t("06:00"), _t("14:00")),
            PatternEntry(day, ShiftKind.BREAK, _t("10:00"), _t("10:30")),
        )
    ]


def test_a_shift_with_a_break_gives_two_windows_in_local_time() -> None:
    windows = working_windows(
        _day_shift(), [], [], zone=BERLIN, horizon_start=MONDAY, horizon_end=MONDAY + dt.timedelta(days=1)
    )

    assert windows == [(0, 240), (270, 480)]


def test_a_week_of_day_shifts_has_no_work_at_night_or_at_the_weekend() -> None:
    windows = working_windows(
        _day_shift(), [], [], zone=BERLIN, horizon_start=MONDAY, horizon_end=MONDAY + dt.timedelta(weeks=1)
    )

    assert len(windows) == 10
    assert sum(b - a for a, b in windows) == 5 * 450
    assert windows[-1] == (4 * 1440 + 270, 4 * 1440 + 480)  # Friday after the break


def test_a_night_shift_runs_into_the_next_day_and_stretches_when_the_clocks_go_back() -> None:
    nights = [PatternEntry(5, ShiftKind.SHIFT, _t("22:00"), _t("06:00"))]  # Saturday night
    saturday = dt.datetime(2026, 10, 24, 12, 0, tzinfo=dt.UTC)  # summer time ends on Sunday 25 October

    windows = working_windows(
        nights, [], [], zone=BERLIN, horizon_start=saturday, horizon_end=saturday + dt.timedelta(days=2)
    )

    # 22:00 CEST is 20:00 UTC; 06:00 CET is 05:00 UTC: nine hours of work in an eight-hour shift
    assert windows == [(8 * 60, 17 * 60)]


def test_a_holiday_takes_the_whole_local_day_and_a_downtime_its_window() -> None:
    downtime = (MONDAY + dt.timedelta(days=1, hours=1), MONDAY + dt.timedelta(days=1, hours=2))

    windows = working_windows(
        _day_shift(),
        [dt.date(2026, 11, 25)],
        [downtime],
        zone=BERLIN,
        horizon_start=MONDAY,
        horizon_end=MONDAY + dt.timedelta(days=3),
    )

    tuesday = 1440
    assert windows == [
        (0, 240),
        (270, 480),
        (tuesday, tuesday + 60),
        (tuesday + 120, tuesday + 240),
        (tuesday + 270, tuesday + 480),
    ]


def test_windows_are_clipped_to_the_horizon() -> None:
    start = MONDAY + dt.timedelta(hours=2)  # 08:00 local

    windows = working_windows(
        _day_shift(range(1)), [], [], zone=BERLIN, horizon_start=start, horizon_end=start + dt.timedelta(hours=3)
    )

    assert windows == [(0, 120), (150, 180)]


def test_union_merges_touching_spans_and_subtract_cuts_holes() -> None:
    assert union([(5, 7), (0, 2), (2, 4), (6, 9)]) == [(0, 4), (5, 9)]
    assert subtract([(0, 10), (20, 30)], [(-5, 1), (4, 6), (9, 21), (29, 40)]) == [(1, 4), (6, 9), (21, 29)]
