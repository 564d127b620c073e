"""Periodic-review (s, S): the 24 Zheng-Federgruen (1991) instances and Snyder & Shen's examples."""

from __future__ import annotations

import pytest

from plantops.engines.policy import Demand, evaluate_ss, least_cost_ss, optimal_ss
from plantops.errors import ValidationError
from plantops.vocabulary import ServiceMeasure
from tests.engines.policy.policy_instances import load

# Zheng & Federgruen (1991), Table I: Poisson demand of mean mu, K = 64, h = 1, p = 9, no lead time.
ZHENG_FEDERGRUEN_1991 = [
    (10, 6, 40, 35.022),
    (15, 10, 49, 42.698),
    (20, 14, 62, 49.173),
    (25, 19, 56, 54.262),
    (30, 23, 66, 57.819),
    (35, 28, 77, 61.215),
    (40, 33, 87, 64.512),
    (45, 37, 97, 67.776),
    (50, 42, 108, 70.975),
    (55, 47, 118, 74.149),
    (60, 52, 129, 77.306),
    (65, 56, 75, 78.518),
    (70, 62, 81, 79.037),
    (75, 67, 86, 79.554),
    (21, 15, 65, 50.406),
    (22, 16, 68, 51.632),
    (23, 17, 52, 52.757),
    (24, 18, 54, 53.518),
    (51, 43, 110, 71.611),
    (52, 44, 112, 72.246),
    (59, 51, 126, 76.679),
    (61, 52, 131, 77.929),
    (63, 54, 73, 78.287),
    (64, 55, 74, 78.402),
]


@pytest.mark.parametrize(
    ("mu", "s", "big_s", "cost"), ZHENG_FEDERGRUEN_1991, ids=[f"mu={row[0]}" for row in ZHENG_FEDERGRUEN_1991]
)
def test_zheng_federgruen_1991_instance(mu: int, s: int, big_s: int, cost: float) -> None:
    policy = optimal_ss(Demand.of("poisson", mu), holding_cost=1, stockout_cost=9, fixed_cost=64)

    assert (policy.reorder_point, policy.order_up_to) == (s, big_s)
    assert policy.cost == pytest.approx(cost, abs=5e-4)


@pytest.mark.parametrize(
    ("name", "s", "big_s", "cost"),
    [("example_4_7", 4, 10, 8.034111561471644), ("problem_4_31", 2, 7, 223.5748295669688)],
)
def test_snyder_and_shen_optimal_ss(name: str, s: int, big_s: int, cost: float) -> None:
    data = load(name)

    policy = optimal_ss(
        Demand.of("poisson", data["demand_mean"]),
        holding_cost=data["holding_cost"],
        stockout_cost=data["stockout_cost"],
        fixed_cost=data["fixed_cost"],
    )

    assert (policy.reorder_point, policy.order_up_to) == (s, big_s)
    assert policy.cost == pytest.approx(cost)
    assert policy.cost == pytest.approx(policy.ordering_cost + policy.holding_cost + policy.backorder_cost)


def test_example_4_7_cost_of_another_policy() -> None:
    data = load("example_4_7")

    policy = evaluate_ss(
        Demand.of("poisson", data["demand_mean"]),
        6,
        18,
        holding_cost=data["holding_cost"],
        stockout_cost=data["stockout_cost"],
        fixed_cost=data["fixed_cost"],
    )

    assert policy.cost == pytest.approx(10.193798671644046)


def test_optimal_ss_with_continuous_demand_orders_every_period_when_orders_are_cheap() -> None:
    # Example 4.8's demand with an order cost of 2.5: S - s falls below a period's demand, so the
    # policy orders every period and costs K plus the newsvendor cost of Example 4.1
    data = load("example_4_8")

    policy = optimal_ss(
        Demand.of("normal", data["demand_mean"], data["demand_sd"]),
        holding_cost=data["holding_cost"],
        stockout_cost=data["stockout_cost"],
        fixed_cost=data["fixed_cost"],
    )

    assert policy.ordering_cost == pytest.approx(data["fixed_cost"], rel=1e-4)
    assert policy.cost == pytest.approx(data["fixed_cost"] + 1.9976051931766445, abs=2e-3)
    assert policy.order_up_to == pytest.approx(56.60395592743389, abs=0.4)


@pytest.mark.parametrize("measure", list(ServiceMeasure))
@pytest.mark.parametrize(
    ("kind", "mean", "std"), [("poisson", 6.0, None), ("gamma", 40.0, 25.0), ("normal", 500.0, 90.0)]
)
def test_least_cost_ss_meets_the_target_with_the_smallest_backorder_cost(
    measure: ServiceMeasure, kind: str, mean: float, std: float | None
) -> None:
    demand = Demand.of(kind, mean, std)

    policy = least_cost_ss(demand, measure=measure, target=0.95, holding_cost=1.0, fixed_cost=80.0, lead_time=1.5)
    cheaper = optimal_ss(
        demand, holding_cost=1.0, stockout_cost=policy.stockout_cost * 0.9, fixed_cost=80.0, lead_time=1.5
    )

    def achieved(p: object) -> float:
        return p.fill_rate if measure is ServiceMeasure.FILL_RATE else p.cycle_service_level  # type: ignore[attr-defined]

    assert achieved(policy) >= 0.95
    assert achieved(cheaper) < 0.95 or cheaper.reorder_point == policy.reorder_point


def test_evaluate_ss_refuses_an_order_up_to_level_at_the_reorder_point() -> None:
    with pytest.raises(ValidationError, match="order_up_to"):
        evaluate_ss(Demand.of("poisson", 5), 8, 8, holding_cost=1, stockout_cost=4, fixed_cost=5)
