"""The safety stock an interval implies (Silver, Pyke and Thomas: z sigma sqrt(p) for alike periods)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from plantops.engines.forecast import safety_stock_hint, service_level


def test_the_upper_bound_of_a_central_interval_stands_for_a_one_sided_service_level() -> None:
    assert service_level(95) == 0.975
    assert service_level(80) == 0.9


def test_alike_normal_periods_give_the_textbook_safety_stock() -> None:
    sigma, z = 10.0, norm.ppf(service_level(95))
    point = np.full(8, 100.0)
    upper = point + z * sigma

    assert safety_stock_hint(point, upper, protection_periods=4) == pytest.approx(z * sigma * np.sqrt(4))


def test_only_the_protection_periods_count_and_never_a_negative_excess() -> None:
    point = np.array([10.0, 10, 10, 10])
    upper = np.array([13.0, 14, 9, 100])

    assert safety_stock_hint(point, upper, protection_periods=3) == pytest.approx(5.0)
    assert safety_stock_hint(point, upper, protection_periods=0) == pytest.approx(3.0)
