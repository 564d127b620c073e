"""Discrete available-to-promise with look-ahead (Vollmann et al., master production scheduling)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plantops.engines.atp import (
    Demand,
    Receipt,
    available_to_promise,
    discrete_atp,
    projected_on_hand,
    weekly_boundaries,
)


def _d(*values: int) -> list[Decimal]:
    return [Decimal(v) for v in values]


# An MPS record of eight weeks, worked by hand.
#
#   week                 1    2    3    4    5    6    7    8
#   booked orders D     20   30   25   10   40   50   15    5     on hand OH = 50
#   MPS receipts R       .   80    .    .   80    .   80    .
#
# Anchors (ATP periods): week 1 and the receipt weeks 2, 5, 7.
#   ATP_1 = OH + R_1 - (D_1)             = 50 + 0 - 20           = 30
#   ATP_2 = R_2 - (D_2 + D_3 + D_4)      = 80 - (30 + 25 + 10)   = 15
#   ATP_5 = R_5 - (D_5 + D_6)            = 80 - (40 + 50)        = -10
#   ATP_7 = R_7 - (D_7 + D_8)            = 80 - (15 + 5)         = 60
# Look-ahead, last anchor first: ATP_5 = -10 is covered by ATP_2: ATP_2 = 15 - 10 = 5,
# ATP_5 = 0.
#   ATP                 30    5    0    0    0    0   60    0
#   cumulative ATP      30   35   35   35   35   35   95   95
#   POH = POH_{t-1} + R_t - D_t:
#                       30   80   55   45   85   35  100   95
TEXTBOOK_OH = Decimal(50)
TEXTBOOK_R = _d(0, 80, 0, 0, 80, 0, 80, 0)
TEXTBOOK_D = _d(20, 30, 25, 10, 40, 50, 15, 5)


def test_textbook_mps_record_gives_hand_worked_atp_with_look_ahead() -> None:
    assert discrete_atp(TEXTBOOK_OH, TEXTBOOK_R, TEXTBOOK_D) == _d(30, 5, 0, 0, 0, 0, 60, 0)


def test_textbook_mps_record_gives_hand_worked_projected_on_hand() -> None:
    assert projected_on_hand(TEXTBOOK_OH, TEXTBOOK_R, TEXTBOOK_D) == _d(30, 80, 55, 45, 85, 35, 100, 95)


def test_dated_textbook_record_buckets_into_weeks_and_accumulates_atp() -> None:
    start = dt.date(2026, 3, 2)  # a Monday
    receipts = [
        Receipt(start + dt.timedelta(days=7 * week + 2), q, f"MPS-{week + 1}") for week, q in enumerate(TEXTBOOK_R) if q
    ]
    demands = [
        Demand(start + dt.timedelta(days=7 * week + 4), q, f"SO-{week + 1}") for week, q in enumerate(TEXTBOOK_D)
    ]

    result = available_to_promise(TEXTBOOK_OH, receipts, demands, weekly_boundaries(start, 8))

    assert [p.start for p in result.periods] == [start + dt.timedelta(days=7 * w) for w in range(8)]
    assert [p.cumulative_atp for p in result.periods] == _d(30, 35, 35, 35, 35, 35, 95, 95)
    assert [p.atp for p in result.periods] == _d(30, 5, 0, 0, 0, 0, 60, 0)
    assert [p.projected_on_hand for p in result.periods] == _d(30, 80, 55, 45, 85, 35, 100, 95)
    assert result.periods[4].receipt_sources == ("MPS-5",) and result.periods[4].demand_labels == ("SO-5",)
    assert result.first_shortage is None


def test_shortfall_is_covered_backwards_through_every_earlier_anchor() -> None:
    # ATP_1 = 10 - 5 = 5, ATP_2 = 20 - 10 = 10, ATP_3 = 20 - 45 = -25.
    # ATP_3 -> ATP_2 = 10 - 25 = -15 -> ATP_1 = 5 - 15 = -10: over-promised by 10.
    atp = discrete_atp(Decimal(10), _d(0, 20, 20), _d(5, 10, 45))

    assert atp == _d(-10, 0, 0)
    assert projected_on_hand(Decimal(10), _d(0, 20, 20), _d(5, 10, 45)) == _d(5, 15, -10)


def test_shortfall_is_taken_only_as_far_back_as_needed() -> None:
    demands = _d(20, 30, 70, 10)
    # Anchors 1, 3: ATP_1 = 0 + 100 - (20 + 30) = 50; ATP_3 = 50 - (70 + 10) = -30 -> ATP_1 = 20.
    assert discrete_atp(Decimal(0), _d(100, 0, 50, 0), demands) == _d(20, 0, 0, 0)
    # Anchors 1, 2, 3: ATP_1 = 100 - 20 = 80; ATP_2 = R_2 - 30; ATP_3 = -30.
    # R_2 = 40: ATP_2 = 10 - 30 = -20 is passed on, ATP_1 = 80 - 20 = 60.
    assert discrete_atp(Decimal(0), _d(100, 40, 50, 0), demands) == _d(60, 0, 0, 0)
    # R_2 = 60: ATP_2 = 30 - 30 = 0, week 1 keeps its 80.
    assert discrete_atp(Decimal(0), _d(100, 60, 50, 0), demands) == _d(80, 0, 0, 0)
    # R_2 = 70: ATP_2 = 40 - 30 = 10 is left over.
    assert discrete_atp(Decimal(0), _d(100, 70, 50, 0), demands) == _d(80, 10, 0, 0)


def test_past_due_demand_and_receipts_fall_into_the_first_week_and_later_ones_are_left_out() -> None:
    start = dt.date(2026, 1, 5)
    receipts = [
        Receipt(dt.date(2026, 1, 1), Decimal(4), "PO-LATE"),
        Receipt(dt.date(2026, 1, 12), Decimal(30), "PO-W2"),
        Receipt(dt.date(2026, 1, 19), Decimal(99), "PO-AFTER"),
    ]
    demands = [
        Demand(dt.date(2025, 12, 29), Decimal(7), "SO-LATE"),
        Demand(dt.date(2026, 1, 11), Decimal(3), "SO-W1"),  # last day of week 1
        Demand(dt.date(2026, 1, 12), Decimal(5), "SO-W2"),  # first day of week 2
        Demand(dt.date(2026, 2, 1), Decimal(50), "SO-AFTER"),
    ]

    result = available_to_promise(Decimal(10), receipts, demands, weekly_boundaries(start, 2))

    first, second = result.periods
    assert (first.demand, first.receipts) == (Decimal(10), Decimal(4))
    assert first.demand_labels == ("SO-LATE", "SO-W1") and first.receipt_sources == ("PO-LATE",)
    assert (second.demand, second.receipts) == (Decimal(5), Decimal(30))
    # POH_1 = 10 + 4 - 10 = 4; POH_2 = 4 + 30 - 5 = 29. ATP_1 = 10 + 4 - 10 = 4; ATP_2 = 30 - 5 = 25.
    assert [p.projected_on_hand for p in result.periods] == _d(4, 29)
    assert [p.atp for p in result.periods] == _d(4, 25)
    assert (result.past_due_demand, result.past_due_receipts) == (Decimal(7), Decimal(4))
    assert (result.beyond_horizon_demand, result.beyond_horizon_receipts) == (Decimal(50), Decimal(99))


def test_first_shortage_is_the_first_week_ending_below_zero() -> None:
    start = dt.date(2026, 1, 5)
    demands = [Demand(dt.date(2026, 1, 13), Decimal(8)), Demand(dt.date(2026, 1, 20), Decimal(8))]

    result = available_to_promise(Decimal(10), [], demands, weekly_boundaries(start, 3))

    assert result.first_shortage is not None and result.first_shortage.start == dt.date(2026, 1, 19)
    assert [p.atp for p in result.periods] == _d(-6, 0, 0)


def test_negative_quantity_and_unordered_boundaries_are_refused() -> None:
    start = dt.date(2026, 1, 5)
    with pytest.raises(ValueError, match="SO-9: quantity must not be negative"):
        available_to_promise(Decimal(0), [], [Demand(start, Decimal(-1), "SO-9")], weekly_boundaries(start, 1))
    with pytest.raises(ValueError, match="boundaries must increase"):
        available_to_promise(Decimal(0), [], [], [start, start])
    with pytest.raises(ValueError, match="at least 1"):
        weekly_boundaries(start, 0)


quantities = st.integers(min_value=0, max_value=60).map(Decimal)


@given(
    on_hand=st.integers(min_value=-20, max_value=80).map(Decimal),
    buckets=st.lists(st.tuples(st.one_of(st.just(Decimal(0)), quantities), quantities), min_size=1, max_size=10),
)
def test_cumulative_atp_is_the_smallest_projected_on_hand_from_then_on(
    on_hand: Decimal, buckets: list[tuple[Decimal, Decimal]]
) -> None:
    receipts = [r for r, _ in buckets]
    demands = [d for _, d in buckets]

    atp = discrete_atp(on_hand, receipts, demands)
    poh = projected_on_hand(on_hand, receipts, demands)

    assert list(itertools.accumulate(atp)) == [min(poh[t:]) for t in range(len(poh))]
    assert all(a == 0 for a, r in zip(atp[1:], receipts[1:], strict=True) if r == 0)
    assert all(a >= 0 for a in atp[1:])
