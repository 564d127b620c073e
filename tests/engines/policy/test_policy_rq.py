"""Continuous-review (r, Q): Snyder & Shen's examples, Federgruen-Zheng, and least cost for a target."""

from __future__ import annotations

import numpy as np
import pytest

from plantops.engines.policy import Demand, lead_time_demand, least_cost_rq, optimal_rq, rq_cost
from plantops.engines.policy.rq import expected_on_hand
from plantops.errors import ValidationError
from plantops.vocabulary import ServiceMeasure
from tests.engines.policy.policy_instances import load


def _normal(name: str) -> tuple[dict[str, float], Demand]:
    data = load(name)
    weekly = Demand.of("normal", data["demand_mean"], data["demand_sd"])
    return data, lead_time_demand(weekly, data["lead_time"])


def _cost(data: dict[str, float], demand: Demand, r: float, q: float) -> float:
    return float(
        rq_cost(
            demand,
            r,
            q,
            holding_cost=data["holding_cost"],
            stockout_cost=data["stockout_cost"],
            fixed_cost=data["fixed_cost"],
            demand_rate=data["demand_mean"],
        )[0]
    )


def test_example_5_1_exact_cost_of_given_policies() -> None:
    data, demand = _normal("example_5_1")

    assert _cost(data, demand, 126.8, 328.5) == pytest.approx(78.07116250928294)
    assert _cost(data, demand, 100, 250) == pytest.approx(87.34647802817499)


def test_problem_5_1_exact_cost_of_given_policies() -> None:
    data, demand = _normal("problem_5_1")

    assert _cost(data, demand, -1.9859, 166.95) == pytest.approx(484.2110418415538)
    assert _cost(data, demand, 100, 250) == pytest.approx(830.3219178082192)


@pytest.mark.parametrize(
    ("name", "r", "q"),
    [
        ("example_5_1", 126.8670634479628, 328.4491421980451),
        ("problem_5_1", -1.985868645048718, 166.9501022040942),
        ("problem_5_3", 608.5445118000358, 403.8060023373138),
    ],
)
def test_optimal_rq_for_normal_demand_reproduces_snyder_and_shen(name: str, r: float, q: float) -> None:
    data, demand = _normal(name)

    policy = optimal_rq(
        demand,
        holding_cost=data["holding_cost"],
        stockout_cost=data["stockout_cost"],
        fixed_cost=data["fixed_cost"],
        demand_rate=data["demand_mean"],
    )

    assert policy.reorder_point[0] == pytest.approx(r, abs=1e-3)
    assert policy.order_quantity[0] == pytest.approx(q, abs=1e-3)
    assert policy.cost[0] == pytest.approx(_cost(data, demand, r, q), rel=1e-9)


@pytest.mark.parametrize(
    ("name", "r", "q", "cost"), [("example_5_8", 3, 5, 107.92358063314975), ("problem_5_2", 6, 7, 28.241312842169155)]
)
def test_federgruen_zheng_poisson_optimum(name: str, r: int, q: int, cost: float) -> None:
    data = load(name)
    demand = Demand.of("poisson", data["demand_mean"]).over(data["lead_time"])

    policy = optimal_rq(
        demand,
        holding_cost=data["holding_cost"],
        stockout_cost=data["stockout_cost"],
        fixed_cost=data["fixed_cost"],
        demand_rate=data["demand_mean"],
    )

    assert (policy.reorder_point[0], policy.order_quantity[0]) == (r, q)
    assert policy.cost[0] == pytest.approx(cost)


def test_federgruen_zheng_beats_every_nearby_policy() -> None:
    data = load("example_5_8")
    demand = Demand.of("poisson", data["demand_mean"]).over(data["lead_time"])
    costs = {(r, q): _cost({**data}, demand, r, q) for r in range(-2, 10) for q in range(1, 15)}

    assert min(costs, key=costs.__getitem__) == (3, 5)


@pytest.mark.parametrize("measure", list(ServiceMeasure))
@pytest.mark.parametrize("kind", ["normal", "gamma"])
def test_least_cost_rq_meets_the_target_and_no_nearby_quantity_is_cheaper(measure: ServiceMeasure, kind: str) -> None:
    demand = lead_time_demand(Demand.of(kind, [40.0, 300.0], [30.0, 60.0]), [3.0, 0.5])

    policy = least_cost_rq(
        demand,
        measure=measure,
        target=0.97,
        holding_cost=[2.0, 0.4],
        fixed_cost=[50.0, 20.0],
        demand_rate=[2080.0, 15600.0],
    )

    achieved = policy.fill_rate if measure is ServiceMeasure.FILL_RATE else policy.cycle_service_level
    assert achieved == pytest.approx(0.97, abs=1e-8)
    for factor in (0.9, 1.1):
        other = least_cost_rq(
            demand,
            measure=measure,
            target=0.97,
            holding_cost=[2.0, 0.4],
            fixed_cost=[50.0, 20.0],
            demand_rate=[2080.0, 15600.0],
            min_quantity=policy.order_quantity * factor,
            max_quantity=policy.order_quantity * factor,
        )
        assert (other.cost > policy.cost).all()


def test_least_cost_rq_holds_the_order_bounds_and_multiple() -> None:
    demand = Demand.of("poisson", [4.0, 4.0, 4.0])

    policy = least_cost_rq(
        demand,
        measure=ServiceMeasure.FILL_RATE,
        target=0.95,
        holding_cost=1.0,
        fixed_cost=40.0,
        demand_rate=100.0,
        min_quantity=[0.0, 200.0, 0.0],
        max_quantity=[np.inf, np.inf, 30.0],
        order_multiple=[12.0, 0.0, 0.0],
    )

    assert policy.order_quantity[0] % 12 == 0
    assert policy.order_quantity[1] == 200
    assert policy.order_quantity[2] == 30
    assert (policy.fill_rate >= 0.95).all()
    assert policy.cost == pytest.approx(
        40 * 100 / policy.order_quantity + expected_on_hand(demand, policy.reorder_point, policy.order_quantity)
    )


def test_least_cost_rq_refuses_a_minimum_above_the_maximum() -> None:
    with pytest.raises(ValidationError, match="min_quantity"):
        least_cost_rq(
            Demand.of("normal", 10.0, 3.0),
            measure=ServiceMeasure.FILL_RATE,
            target=0.9,
            holding_cost=1.0,
            fixed_cost=1.0,
            demand_rate=10.0,
            min_quantity=5.0,
            max_quantity=4.0,
        )
