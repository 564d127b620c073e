"""Wagner-Whitin against brute force, and the lot-size helpers."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pytest

from plantops.engines.mrp import plan, plan_cost, wagner_whitin
from plantops.engines.mrp.lotsizing import (
    Rules,
    _stepwise_arrays,
    _stepwise_scalar,
    apply_limits,
    split_orders,
    wagner_whitin_segments,
)
from tests.engines.mrp.mrp_builder import Builder


def _brute_force(requirements: Sequence[float], setup: float, holding: Sequence[float]) -> float:
    """The cheapest plan over every set of order buckets (each order covers up to the next one)."""
    count = len(requirements)
    best = np.inf
    for mask in itertools.product([0, 1], repeat=count):
        quantities = np.zeros(count)
        current = -1
        feasible = True
        for t in range(count):
            if mask[t]:
                current = t
            if requirements[t] > 0:
                if current < 0:
                    feasible = False
                    break
                quantities[current] += requirements[t]
        if feasible:
            best = min(best, plan_cost(quantities, requirements, setup, holding))
    return float(best)


def test_wagner_whitin_hand_worked_three_buckets() -> None:
    # r = 20, 5, 10; S = 12; h = 1. Plans: all in 1: 12 + 5 + 2 x 10 = 37; {1: 25, 3: 10}: 24 + 5 = 29;
    # {1: 20, 2: 15}: 24 + 10 = 34; every bucket: 36. The optimum orders 25 in bucket 1 and 10 in bucket 3.
    result = wagner_whitin([20, 5, 10], 12, 1)
    assert result.quantities.tolist() == [25, 0, 10]
    assert result.cost == 29


@pytest.mark.parametrize("seed", range(40))
def test_wagner_whitin_equals_brute_force_on_random_instances(seed: int) -> None:
    rng = np.random.default_rng(seed)
    count = int(rng.integers(1, 9))
    requirements = [float(v) for v in rng.choice([0, 0, 5, 10, 20, 40, 80], count)]
    holding = [float(v) for v in rng.uniform(0.1, 3, count)]
    setup = float(rng.uniform(1, 200))
    result = wagner_whitin(requirements, setup, holding)
    assert result.cost == pytest.approx(_brute_force(requirements, setup, holding))
    assert result.quantities.sum() == pytest.approx(sum(requirements))


def test_wagner_whitin_segments_vectorised_rows_equal_single_rows() -> None:
    rng = np.random.default_rng(7)
    requirements = rng.choice([0.0, 10.0, 30.0], (6, 10))
    setup = rng.uniform(5, 100, 6)
    holding = rng.uniform(0.5, 2, (6, 10))
    together = wagner_whitin_segments(requirements, setup, holding)
    for row in range(6):
        alone = wagner_whitin_segments(requirements[row : row + 1], setup[row : row + 1], holding[row : row + 1])
        assert together[row].tolist() == alone[0].tolist()


def test_wagner_whitin_node_in_a_plan_matches_the_optimal_plan() -> None:
    # H = rate x cost = 0.5 x 73 = 36.5 a year; a 7-day bucket costs 36.5 x 7 / 365 = 0.7 per unit
    builder = Builder(weeks=6)
    builder.node("A", lot_size_rule="wagner_whitin", ordering_cost=40, holding_cost_rate=0.5, unit_cost=73)
    requirements = [10, 60, 5, 0, 40, 12]
    for bucket, quantity in enumerate(requirements):
        if quantity:
            builder.demand("A", bucket, quantity)
    receipts = plan(builder.build()).record(0).planned_order_receipts
    expected = wagner_whitin(requirements, 40, 0.7)
    assert receipts.tolist() == pytest.approx(expected.quantities.tolist())
    assert plan_cost(receipts, requirements, 40, 0.7) == pytest.approx(_brute_force(requirements, 40, [0.7] * 6))


def test_plan_cost_rejects_a_plan_that_comes_too_late() -> None:
    with pytest.raises(ValueError, match="do not cover"):
        plan_cost([0, 10], [10, 0], 5, 1)


def test_apply_limits_minimum_multiple_and_split() -> None:
    quantity = np.array([3.0, 22.0, 70.0, 95.0])
    minimum = np.array([10.0, 10.0, 25.0, 0.0])
    multiple = np.array([0.0, 5.0, 10.0, 0.0])
    maximum = np.array([np.inf, np.inf, 30.0, 40.0])
    # 3 -> 10; 22 -> 25; 70 -> 30 + 30 + (10 -> 25 -> 30) = 90; 95 -> 40 + 40 + 15 = 95
    assert apply_limits(quantity, minimum, multiple, maximum).tolist() == [10, 25, 90, 95]


def test_split_orders_into_lots_and_a_rest() -> None:
    count, size = split_orders(np.array([95.0, 20.0, 60.0]), np.array([40.0, np.inf, 30.0]))
    assert count.tolist() == [3, 1, 2]
    assert size.tolist() == [40, 40, 15, 20, 30, 30]


@pytest.mark.parametrize("seed", range(25))
def test_stepwise_in_python_and_in_numpy_give_identical_bits(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows, horizon = 60, 12
    rule = rng.integers(0, 5, rows)
    rules = Rules(
        rule=rule,
        fixed=rng.uniform(5, 50, rows),
        periods=rng.integers(1, 5, rows),
        economic=rng.uniform(0, 80, rows),
        minimum=np.where(rng.random(rows) < 0.4, rng.uniform(1, 30, rows), 0.0),
        multiple=np.where(rng.random(rows) < 0.4, rng.uniform(1, 7, rows), 0.0),
        maximum=np.where(rng.random(rows) < 0.3, rng.uniform(40, 90, rows), np.inf),
        yield_rate=rng.choice([1.0, 0.9, 0.37], rows),
        safety=rng.choice([0.0, 3.3], rows),
        fence=rng.integers(0, 3, rows),
    )
    flow = -rng.uniform(0, 30, (rows, horizon)) * (rng.random((rows, horizon)) < 0.7)
    available = rng.uniform(-5, 40, rows)
    segment_end = np.maximum.accumulate(rng.integers(0, horizon, (rows, horizon)), axis=1)
    segment_end = np.maximum(segment_end, np.arange(horizon))
    scalar = _stepwise_scalar(available, flow, rules, segment_end)
    arrays = _stepwise_arrays(available, flow, rules, segment_end)
    assert np.array_equal(scalar[0], arrays[0])
    assert np.array_equal(scalar[1], arrays[1])
    assert (arrays[1] > 0).sum() > rows  # the rules did order
