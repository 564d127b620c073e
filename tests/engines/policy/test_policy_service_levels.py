"""Reorder points and order-up-to levels that meet a cycle service level or a fill rate."""

from __future__ import annotations

import numpy as np
import pytest

from plantops.engines.policy import (
    Demand,
    cycle_service_level,
    fill_rate,
    lead_time_demand,
    order_up_to_for_target,
    periodic_fill_rate,
    reorder_point_for_target,
)
from plantops.errors import ValidationError
from plantops.vocabulary import ServiceMeasure

CSL = ServiceMeasure.CYCLE_SERVICE_LEVEL
FILL = ServiceMeasure.FILL_RATE


def test_cycle_service_level_reorder_point_is_the_normal_quantile() -> None:
    demand = lead_time_demand(Demand.of("normal", [100.0, 20.0], [30.0, 4.0]), [2.0, 0.5])

    r = reorder_point_for_target(demand, CSL, [0.95, 0.9])

    assert r == pytest.approx([200 + 1.6448536269514722 * 30 * np.sqrt(2), 10 + 1.2815515655446004 * 4 * np.sqrt(0.5)])
    assert cycle_service_level(demand, r) == pytest.approx([0.95, 0.9])


@pytest.mark.parametrize("kind", ["normal", "gamma"])
def test_fill_rate_reorder_point_meets_the_target_exactly(kind: str) -> None:
    demand = Demand.of(kind, [150.0, 150.0, 12.0], [45.0, 45.0, 9.0])
    quantity = np.array([100.0, 600.0, 30.0])

    r = reorder_point_for_target(demand, FILL, [0.98, 0.98, 0.95], quantity)

    assert fill_rate(demand, r, quantity) == pytest.approx([0.98, 0.98, 0.95], abs=1e-9)
    # a larger order quantity needs a lower reorder point for the same fill rate
    assert r[1] < r[0]


def test_poisson_fill_rate_reorder_point_is_the_smallest_whole_number_meeting_it() -> None:
    demand = Demand.of("poisson", [3.0, 3.0])
    quantity = np.array([5.0, 20.0])

    r = reorder_point_for_target(demand, FILL, 0.97, quantity)

    assert (r == np.round(r)).all()
    assert (fill_rate(demand, r, quantity) >= 0.97).all()
    assert (fill_rate(demand, r - 1, quantity) < 0.97).all()


def test_base_stock_level_for_a_fill_rate_uses_the_shortage_of_one_review_period() -> None:
    weekly = Demand.of("gamma", [40.0], [25.0])
    over_lead = weekly.over(1.6)
    protection = weekly.over(2.6)

    level = order_up_to_for_target(protection, over_lead, FILL, 0.99, weekly.mean)

    assert periodic_fill_rate(protection, over_lead, level, weekly.mean)[0] == pytest.approx(0.99, abs=1e-9)
    assert level[0] < protection.ppf(0.99)[0]  # a fill rate of 99 % needs less than a 99 % cycle service level


def test_targets_must_lie_strictly_between_zero_and_one() -> None:
    demand = Demand.of("normal", 10.0, 2.0)
    with pytest.raises(ValidationError, match="target"):
        reorder_point_for_target(demand, CSL, 1.0)
    with pytest.raises(ValidationError, match="order_quantity"):
        reorder_point_for_target(demand, FILL, 0.9)
