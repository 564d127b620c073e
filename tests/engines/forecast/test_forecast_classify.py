"""Syntetos-Boylan demand classes from the average inter-demand interval and the sizes' CV²."""

from __future__ import annotations

import numpy as np
import pytest

from plantops.engines.forecast import classify, inter_demand_interval, size_variation
from plantops.vocabulary import DemandClass


def test_adi_counts_periods_per_period_with_demand() -> None:
    y = np.array([0, 0, 4, 0, 4, 0, 0, 0, 4.0])

    assert inter_demand_interval(y) == 3.0
    assert size_variation(y) == 0.0
    assert inter_demand_interval(np.zeros(5)) == float("inf")


def test_cv2_is_the_squared_coefficient_of_variation_of_the_non_zero_sizes() -> None:
    y = np.array([0, 2, 0, 6, 0.0])  # sizes 2 and 6: mean 4, population sd 2

    assert size_variation(y) == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("adi", "cv2", "expected"),
    [
        (1.0, 0.1, DemandClass.SMOOTH),
        (1.31, 0.48, DemandClass.SMOOTH),
        (1.2, 0.49, DemandClass.ERRATIC),
        (1.32, 0.2, DemandClass.INTERMITTENT),
        (4.0, 0.7, DemandClass.LUMPY),
    ],
)
def test_quadrants_use_the_cut_offs_of_the_paper(adi: float, cv2: float, expected: DemandClass) -> None:
    assert classify(adi, cv2) is expected
