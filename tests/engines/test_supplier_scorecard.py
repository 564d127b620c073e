"""Supplier scorecard: a hand-computed case, the empty month, the lead-time trend and a random case."""

from __future__ import annotations

import math

import numpy as np
import pytest

from plantops.engines.supplier_performance import (
    PurchaseLines,
    Receipts,
    ScorecardTerms,
    on_time_in_full,
    supplier_scorecard,
)
from plantops.errors import ValidationError

MONTHS = np.array(["2024-01-01", "2024-02-01", "2024-03-01"], dtype="datetime64[D]")
LINES = PurchaseLines(
    ordered_quantity=np.array([100.0, 50.0, 10.0]),
    order_date=np.array(["2023-12-20", "2024-01-05", "2024-01-25"], dtype="datetime64[D]"),
    due_date=np.array(["2024-01-10", "2024-01-20", "2024-02-05"], dtype="datetime64[D]"),
    agreed_price=np.array([2.0, 4.0, 1.0]),
)
RECEIPTS = Receipts(
    line=np.array([0, 1, 2]),
    date=np.array(["2024-01-09", "2024-01-22", "2024-02-05"], dtype="datetime64[D]"),
    received_quantity=np.array([100.0, 50.0, 10.0]),
    rejected_quantity=np.array([0.0, 5.0, 0.0]),
    unit_price=np.array([2.1, 4.0, 0.9]),
)


def test_january_by_hand() -> None:
    january = supplier_scorecard(LINES, RECEIPTS, MONTHS).periods[0]
    assert january.lines_due == 2
    assert january.on_time_in_full == pytest.approx(50.0)  # line 0 early and full, line 1 two days late
    assert january.received_quantity == 150.0
    assert january.quality_ppm == pytest.approx(5 / 150 * 1e6)  # 33,333 ppm
    assert january.lead_time_mean == pytest.approx((100 * 20 + 50 * 17) / 150)  # 19 days
    assert january.lead_time_std == pytest.approx(math.sqrt((100 * 1**2 + 50 * 2**2) / 150))  # sqrt(2)
    assert january.lead_time_trend is None  # two receipts
    assert january.price_variance == pytest.approx((2.1 - 2.0) * 100)  # 10
    assert january.price_variance_percent == pytest.approx(10 / (2.0 * 100 + 4.0 * 50) * 100)  # 2.5 %
    # 0.5 * 50 + 0.3 * (100 - 3.3333) + 0.2 * (100 - 2.5) = 25 + 29 + 19.5
    assert january.score == pytest.approx(73.5)
    assert january.poor


def test_february_by_hand_pays_less_than_agreed_without_a_bonus() -> None:
    february = supplier_scorecard(LINES, RECEIPTS, MONTHS).periods[1]
    assert february.on_time_in_full == 100.0  # received on its due date
    assert february.price_variance == pytest.approx((0.9 - 1.0) * 10)  # -1
    assert february.price_variance_percent == pytest.approx(-10.0)
    assert february.quality_ppm == 0.0
    assert february.score == pytest.approx(100.0)  # the price component is capped at 100
    assert not february.poor


def test_a_month_without_lines_or_receipts_has_no_scores() -> None:
    march = supplier_scorecard(LINES, RECEIPTS, MONTHS).periods[2]
    assert march.start == np.datetime64("2024-03-01")
    assert march.lines_due == 0 and march.receipts == 0
    assert march.on_time_in_full is None
    assert march.quality_ppm is None and march.lead_time_mean is None and march.price_variance_percent is None
    assert march.score is None
    assert not march.poor


def test_overall_by_hand_and_a_falling_lead_time_trend() -> None:
    overall = supplier_scorecard(LINES, RECEIPTS, MONTHS).overall
    assert overall.on_time_in_full == pytest.approx(200 / 3)
    assert overall.quality_ppm == pytest.approx(5 / 160 * 1e6)  # 31,250 ppm
    assert overall.lead_time_mean == pytest.approx((2000 + 850 + 110) / 160)  # 18.5 days
    # lead times 20, 17, 11 days on days 8, 21, 35 of the span, weighted by 100, 50, 10 units
    slope = np.polyfit([8.0, 21.0, 35.0], [20.0, 17.0, 11.0], 1, w=np.sqrt([100.0, 50.0, 10.0]))[0]
    assert overall.lead_time_trend == pytest.approx(30 * slope)
    assert overall.lead_time_trend is not None and overall.lead_time_trend < 0
    # 0.5 * 66.667 + 0.3 * (100 - 3.125) + 0.2 * (100 - 9 / 410 * 100)
    assert overall.score == pytest.approx(0.5 * 200 / 3 + 0.3 * 96.875 + 0.2 * (100 - 900 / 410))
    assert not overall.poor


def test_lateness_and_shortfall_tolerances_turn_lines_on_time_in_full() -> None:
    assert on_time_in_full(LINES, RECEIPTS).tolist() == [True, False, True]
    assert on_time_in_full(LINES, RECEIPTS, ScorecardTerms(late_days=2)).tolist() == [True, False, True]  # 45 of 50
    lenient = ScorecardTerms(late_days=2, under_delivery_tolerance=0.1)
    assert on_time_in_full(LINES, RECEIPTS, lenient).tolist() == [True, True, True]
    assert on_time_in_full(LINES, RECEIPTS, ScorecardTerms(early_days=0)).tolist() == [False, False, True]


def test_a_rising_lead_time_has_a_positive_trend() -> None:
    lines = PurchaseLines(
        ordered_quantity=np.full(4, 10.0),
        order_date=np.array(["2024-01-01", "2024-01-10", "2024-01-20", "2024-01-30"], dtype="datetime64[D]"),
        due_date=np.array(["2024-01-11", "2024-01-20", "2024-01-30", "2024-02-09"], dtype="datetime64[D]"),
        agreed_price=np.ones(4),
    )
    receipts = Receipts(
        line=np.arange(4),
        date=np.array(["2024-01-11", "2024-01-25", "2024-02-09", "2024-02-24"], dtype="datetime64[D]"),
        received_quantity=np.full(4, 10.0),
        rejected_quantity=np.zeros(4),
        unit_price=np.ones(4),
    )
    overall = supplier_scorecard(lines, receipts, MONTHS[:2]).overall
    # lead times 10, 15, 20, 25 days on days 10, 24, 39, 54: about 0.34 days more per day, 10.2 per 30 days
    slope = np.polyfit([10.0, 24.0, 39.0, 54.0], [10.0, 15.0, 20.0, 25.0], 1)[0]
    assert overall.lead_time_trend == pytest.approx(30 * slope)
    assert overall.lead_time_trend is not None and overall.lead_time_trend > 0


def _plain_month(
    lines: PurchaseLines, receipts: Receipts, start: np.datetime64, end: np.datetime64
) -> dict[str, float | None]:
    """The same measures with plain Python loops, for one month [start, end)."""
    ok = []
    for i in range(lines.ordered_quantity.size):
        if start <= lines.due_date[i] < end:
            got = sum(
                receipts.received_quantity[r] - receipts.rejected_quantity[r]
                for r in range(receipts.line.size)
                if receipts.line[r] == i and receipts.date[r] <= lines.due_date[i]
            )
            ok.append(got >= lines.ordered_quantity[i])
    rows = [r for r in range(receipts.line.size) if start <= receipts.date[r] < end]
    received = sum(float(receipts.received_quantity[r]) for r in rows)
    rejected = sum(float(receipts.rejected_quantity[r]) for r in rows)
    variance = sum(
        float((receipts.unit_price[r] - lines.agreed_price[receipts.line[r]]) * receipts.received_quantity[r])
        for r in rows
    )
    lead = sum(
        float(receipts.received_quantity[r] * (receipts.date[r] - lines.order_date[receipts.line[r]]).astype(int))
        for r in rows
    )
    return {
        "otif": 100 * sum(ok) / len(ok) if ok else None,
        "ppm": 1e6 * rejected / received if received else None,
        "variance": variance,
        "lead": lead / received if received else None,
    }


def test_random_case_matches_plain_loops() -> None:
    rng = np.random.default_rng(7)
    n_lines, n_receipts = 60, 150
    order = np.datetime64("2024-01-01") + rng.integers(0, 150, n_lines).astype("timedelta64[D]")
    lines = PurchaseLines(
        ordered_quantity=rng.integers(1, 50, n_lines).astype(np.float64),
        order_date=order,
        due_date=order + rng.integers(5, 40, n_lines).astype("timedelta64[D]"),
        agreed_price=rng.uniform(1, 20, n_lines),
    )
    line = rng.integers(0, n_lines, n_receipts)
    received = rng.integers(1, 30, n_receipts).astype(np.float64)
    receipts = Receipts(
        line=line,
        date=lines.order_date[line] + rng.integers(1, 50, n_receipts).astype("timedelta64[D]"),
        received_quantity=received,
        rejected_quantity=np.floor(received * rng.uniform(0, 0.2, n_receipts)),
        unit_price=lines.agreed_price[line] * rng.uniform(0.9, 1.1, n_receipts),
    )
    months = np.arange("2024-01", "2024-09", dtype="datetime64[M]").astype("datetime64[D]")
    card = supplier_scorecard(lines, receipts, months)
    bounds = np.append(months, np.datetime64("2024-09-01"))
    for k, period in enumerate(card.periods):
        plain = _plain_month(lines, receipts, bounds[k], bounds[k + 1])
        assert period.on_time_in_full == pytest.approx(plain["otif"])
        assert period.quality_ppm == pytest.approx(plain["ppm"])
        assert period.price_variance == pytest.approx(plain["variance"], abs=1e-9)
        assert period.lead_time_mean == pytest.approx(plain["lead"])
    everything = _plain_month(lines, receipts, bounds[0], bounds[-1])
    assert card.overall.on_time_in_full == pytest.approx(everything["otif"])
    assert card.overall.quality_ppm == pytest.approx(everything["ppm"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rejected_quantity": np.array([0.0, 60.0, 0.0])}, "rejected_quantity"),
        ({"line": np.array([0, 1, 7])}, "line"),
        ({"received_quantity": np.array([-1.0, 50.0, 10.0])}, "received_quantity"),
    ],
)
def test_bad_receipts_are_refused_naming_the_field(change: dict[str, np.ndarray], field: str) -> None:
    values = {name: getattr(RECEIPTS, name) for name in RECEIPTS.__dataclass_fields__} | change
    with pytest.raises(ValidationError) as error:
        supplier_scorecard(LINES, Receipts(**values), MONTHS)
    assert error.value.field == field


def test_months_must_increase() -> None:
    with pytest.raises(ValidationError) as error:
        supplier_scorecard(LINES, RECEIPTS, MONTHS[::-1])
    assert error.value.field == "month_starts"
