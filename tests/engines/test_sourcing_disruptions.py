"""EOQ and base-stock level with disruptions against Snyder & Shen ch. 9 and stockpyl 1.0.2's values."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from plantops.engines.sourcing import (
    eoq_with_disruptions,
    eoq_with_disruptions_cost,
    newsvendor_with_disruptions,
    newsvendor_with_disruptions_cost,
)
from plantops.errors import ValidationError

# Example 9.1: K = 8, h = 0.225, p = 5, demand 1,300 a year, disruption rate 1.5, recovery rate 14.
EXAMPLE_9_1 = (8.0, 0.225, 5.0, 1300.0, 1.5, 14.0)
# stockpyl 1.0.2's values for Example 9.1-9.2 (eoq_with_disruptions, eoq_with_disruptions_cost).
STOCKPYL_EXACT_QUANTITY = 772.8110739983106  # golden section search, tolerance 1e-5 on Q
STOCKPYL_EXACT_COST = 173.95000257319708
STOCKPYL_APPROXIMATE_QUANTITY = 773.1432417118889
STOCKPYL_APPROXIMATE_COST = 173.957229385175
STOCKPYL_COST_AT_700 = 174.78711738886236
STOCKPYL_APPROXIMATE_COST_AT_700 = 174.80614234644133
# Example 9.3: h = 0.25, p = 3, demand 2,000 a period, alpha = 0.04, beta = 0.25.
EXAMPLE_9_3 = (0.25, 3.0, 2000.0, 0.04, 0.25)
# stockpyl 1.0.2's values for Example 9.3 (newsvendor_with_disruptions; it truncates the series where
# F(n) >= 1 - 1e-10, so its costs sit 1.3e-8 below the exact sums; with scipy >= 1.15 its module-level
# `from scipy.stats import *` shadows math.log and the call fails unless math.log is restored).
STOCKPYL_BASE_STOCK_LEVEL = 8000
STOCKPYL_BASE_STOCK_COST = 2737.0689302470355
STOCKPYL_COST_AT_1200 = 5710.344790717086


def test_example_9_1_exact_order_quantity_and_cost_match_stockpyl() -> None:
    policy = eoq_with_disruptions(*EXAMPLE_9_1)
    assert policy.quantity[0] == pytest.approx(STOCKPYL_EXACT_QUANTITY, rel=1e-7)
    assert policy.cost[0] == pytest.approx(STOCKPYL_EXACT_COST, rel=1e-12)


def test_example_9_1_exact_order_quantity_is_the_minimum_of_equation_9_5() -> None:
    def cost(q: float) -> float:
        return float(eoq_with_disruptions_cost(q, *EXAMPLE_9_1)[0])

    reference = minimize_scalar(cost, bounds=(500, 1000), method="bounded", options={"xatol": 1e-9})
    policy = eoq_with_disruptions(*EXAMPLE_9_1)
    assert policy.quantity[0] == pytest.approx(reference.x, rel=1e-7)  # g is flat there: Q to ~sqrt(eps)
    assert policy.cost[0] <= cost(policy.quantity[0] * (1 + 1e-4))
    assert policy.cost[0] <= cost(policy.quantity[0] * (1 - 1e-4))


def test_example_9_2_approximate_order_quantity_and_cost_match_stockpyl() -> None:
    policy = eoq_with_disruptions(*EXAMPLE_9_1, approximate=True)
    assert policy.quantity[0] == pytest.approx(STOCKPYL_APPROXIMATE_QUANTITY, rel=1e-12)
    assert policy.cost[0] == pytest.approx(STOCKPYL_APPROXIMATE_COST, rel=1e-12)


def test_example_9_1_cost_of_ordering_700_matches_stockpyl() -> None:
    assert eoq_with_disruptions_cost(700, *EXAMPLE_9_1)[0] == pytest.approx(STOCKPYL_COST_AT_700, rel=1e-12)
    approximate = eoq_with_disruptions_cost(700, *EXAMPLE_9_1, approximate=True)[0]
    assert approximate == pytest.approx(STOCKPYL_APPROXIMATE_COST_AT_700, rel=1e-12)


def test_many_rows_at_once_equal_each_row_alone() -> None:
    recovery = np.array([2.0, 14.0, 50.0])
    together = eoq_with_disruptions(8, 0.225, 5, 1300, 1.5, recovery)
    for row, mu in enumerate(recovery):
        alone = eoq_with_disruptions(8, 0.225, 5, 1300, 1.5, mu)
        assert together.quantity[row] == pytest.approx(alone.quantity[0], rel=1e-12)
        assert together.cost[row] == pytest.approx(alone.cost[0], rel=1e-12)


def test_a_supplier_never_disrupted_gets_the_classic_eoq() -> None:
    policy = eoq_with_disruptions(8, 0.225, 5, 1300, 0.0, 14)
    assert policy.quantity[0] == pytest.approx(np.sqrt(2 * 8 * 1300 / 0.225), rel=1e-9)  # 304.85
    assert policy.cost[0] == pytest.approx(np.sqrt(2 * 8 * 1300 * 0.225), rel=1e-12)  # 68.41


def test_more_frequent_disruptions_cost_more_and_order_more() -> None:
    policy = eoq_with_disruptions(8, 0.225, 5, 1300, np.array([0.5, 1.5, 4.0]), 14)
    assert np.all(np.diff(policy.cost) > 0)
    assert np.all(np.diff(policy.quantity) > 0)


def test_example_9_3_base_stock_level_matches_stockpyl() -> None:
    policy = newsvendor_with_disruptions(*EXAMPLE_9_3)
    assert policy.level == STOCKPYL_BASE_STOCK_LEVEL
    assert policy.cost == pytest.approx(STOCKPYL_BASE_STOCK_COST, rel=1e-7)


def test_example_9_3_costs_are_the_exact_sums_of_equation_9_14() -> None:
    """Exact rational sums over 400 terms (the tail past n = 400 is below 1e-48): 79375/29 and 165600/29."""
    alpha, beta, h, p, d = Fraction(4, 100), Fraction(1, 4), Fraction(1, 4), Fraction(3), 2000

    def exact(level: int) -> Fraction:
        total = Fraction(0)
        for n in range(400):
            pi = beta / (alpha + beta) if n == 0 else alpha * beta / (alpha + beta) * (1 - beta) ** (n - 1)
            total += pi * (h * max(0, level - (n + 1) * d) + p * max(0, (n + 1) * d - level))
        return total

    assert newsvendor_with_disruptions(*EXAMPLE_9_3).cost == pytest.approx(float(exact(8000)), rel=1e-13)
    at_1200 = newsvendor_with_disruptions_cost(1200, *EXAMPLE_9_3)
    assert at_1200 == pytest.approx(float(exact(1200)), rel=1e-13)
    assert at_1200 == pytest.approx(STOCKPYL_COST_AT_1200, rel=1e-7)


def test_optimal_base_stock_level_is_cheaper_than_its_neighbours() -> None:
    best = newsvendor_with_disruptions(*EXAMPLE_9_3)
    for level in (best.level - 2000, best.level - 1, best.level + 1, best.level + 2000):
        assert newsvendor_with_disruptions_cost(level, *EXAMPLE_9_3) > best.cost


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ((8, -0.225, 5, 1300, 1.5, 14), "holding_cost"),
        ((8, 0.225, 5, 1300, -1.5, 14), "disruption_rate"),
        ((8, 0.225, 5, 1300, 1.5, 0), "recovery_rate"),
        ((-8, 0.225, 5, 1300, 1.5, 14), "fixed_cost"),
        ((8, 0.225, 5, 0, 1.5, 14), "demand_rate"),
    ],
)
def test_eoq_with_disruptions_refuses_bad_inputs_naming_the_field(arguments: tuple[float, ...], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        eoq_with_disruptions(*arguments)
    assert error.value.field == field


def test_base_stock_level_refuses_a_probability_of_one() -> None:
    with pytest.raises(ValidationError) as error:
        newsvendor_with_disruptions(0.25, 3, 2000, 0.04, 1.0)
    assert error.value.field == "recovery_probability"
