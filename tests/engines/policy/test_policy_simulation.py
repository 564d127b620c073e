"""Simulated service and cost agree with the exact policies."""

from __future__ import annotations

import pytest

from plantops.engines.policy import (
    Demand,
    Replenishment,
    optimal_rq,
    optimal_ss,
    order_up_to_for_target,
    periodic_fill_rate,
    simulate,
)
from plantops.errors import ValidationError
from plantops.vocabulary import ServiceMeasure


def _within(estimate: object, expected: float, errors: float = 4.0) -> bool:
    mean, error = estimate.mean, estimate.standard_error  # type: ignore[attr-defined]
    return bool(abs(mean - expected) <= errors * error + 1e-9)


def test_zheng_federgruen_policy_costs_what_it_should_with_a_lead_time() -> None:
    demand = Demand.of("poisson", 10)
    policy = optimal_ss(demand, holding_cost=1, stockout_cost=9, fixed_cost=64, lead_time=2)

    result = simulate(
        Replenishment.periodic(policy.reorder_point, policy.order_up_to),
        demand,
        lead_time=2,
        holding_cost=1,
        stockout_cost=9,
        fixed_cost=64,
        periods=3000,
        replications=30,
    )

    assert _within(result.cost_per_period, policy.cost)
    assert _within(result.fill_rate, policy.fill_rate)
    assert _within(result.period_service_level, policy.cycle_service_level)


def test_example_5_8_rq_policy_in_short_periods_costs_what_it_should() -> None:
    # Example 5.8 (Poisson demand 1.5 a year, 2-year lead time) simulated in twentieths of a year
    lead_time_demand = Demand.of("poisson", 1.5).over(2)
    policy = optimal_rq(lead_time_demand, holding_cost=20, stockout_cost=150, fixed_cost=100, demand_rate=1.5)

    result = simulate(
        Replenishment.continuous(policy.reorder_point[0], policy.order_quantity[0]),
        Demand.of("poisson", 1.5 / 20),
        lead_time=40,
        holding_cost=20 / 20,
        stockout_cost=150 / 20,
        fixed_cost=100,
        periods=20000,
        replications=30,
    )

    assert _within(result.cost_per_period, policy.cost[0] / 20)
    assert _within(result.fill_rate, policy.fill_rate[0])


def test_base_stock_level_for_a_fill_rate_achieves_it_with_a_random_lead_time() -> None:
    weekly = Demand.of("gamma", 40.0, 20.0)
    over_lead, protection = weekly.over(3.0), weekly.over(4.0)
    level = order_up_to_for_target(protection, over_lead, ServiceMeasure.FILL_RATE, 0.98, weekly.mean)[0]

    result = simulate(Replenishment.periodic(level, level), weekly, lead_time=3, periods=4000, replications=30)

    assert periodic_fill_rate(protection, over_lead, level, weekly.mean)[0] == pytest.approx(0.98)
    assert _within(result.fill_rate, 0.98)


def test_a_random_lead_time_lowers_the_service_of_the_same_policy() -> None:
    weekly = Demand.of("normal", 40.0, 8.0)
    policy = Replenishment.periodic(180.0, 180.0)

    fixed = simulate(policy, weekly, lead_time=3, periods=2000, replications=20, seed=3)
    varying = simulate(policy, weekly, lead_time=3, lead_time_std=1.0, periods=2000, replications=20, seed=3)

    assert varying.fill_rate.mean < fixed.fill_rate.mean - 5 * fixed.fill_rate.standard_error


def test_simulation_refuses_too_few_replications() -> None:
    with pytest.raises(ValidationError, match="replications"):
        simulate(Replenishment.periodic(1, 2), Demand.of("poisson", 1), lead_time=1, replications=1)
