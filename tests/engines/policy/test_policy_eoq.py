"""Economic order quantities: Snyder & Shen's examples (instances from stockpyl's data)."""

from __future__ import annotations

import pytest

from plantops.engines.policy import all_units_discount, economic_order_quantity, incremental_discount
from plantops.errors import ValidationError
from tests.engines.policy.policy_instances import load


def test_example_3_1_economic_order_quantity() -> None:
    data = load("example_3_1")

    quantity, cost = economic_order_quantity(data["fixed_cost"], data["holding_cost"], data["demand_rate"])

    assert quantity[0] == pytest.approx(304.0467800264368)
    assert cost[0] == pytest.approx(68.41052550594827)


def test_problem_3_1_economic_order_quantity() -> None:
    data = load("problem_3_1")

    quantity, cost = economic_order_quantity(data["fixed_cost"], data["holding_cost"], data["demand_rate"])

    assert quantity[0] == pytest.approx(1728.109844993551)
    assert cost[0] == pytest.approx(475230.2073732266)


def test_example_3_5_all_units_discount_orders_at_the_last_breakpoint() -> None:
    data = load("example_3_5")

    best = all_units_discount(**data)

    assert (best.quantity, best.region) == (800, 2)
    assert best.cost == pytest.approx(978.6)


def test_example_3_5_with_incremental_discounts_keeps_the_first_price() -> None:
    data = load("example_3_5")

    best = incremental_discount(**data)

    assert best.region == 0
    assert best.quantity == pytest.approx(304.0467800264368)
    assert best.cost == pytest.approx(1043.4105255059483)


def test_problem_3_12_all_units_and_incremental_discounts() -> None:
    data = load("problem_3_12")

    all_units = all_units_discount(**data)
    incremental = incremental_discount(**data)

    assert (all_units.quantity, all_units.region) == (2400, 2)
    assert all_units.cost == pytest.approx(201251093.75)
    assert incremental.region == 2
    assert incremental.quantity == pytest.approx(28553.060654284905)
    assert incremental.cost == pytest.approx(208678591.67992836)


def test_incremental_discount_costs_match_the_purchase_cost_of_the_order() -> None:
    # Snyder & Shen's incremental example data: 150 per order, 25 % a year, 2400 a year, 100/90/80 by region
    best = incremental_discount(150, 0.25, 2400, [0, 300, 600], [100, 90, 80])
    paid = 300 * 100 + 300 * 90 + (best.quantity - 600) * 80
    average_price = paid / best.quantity

    expected = average_price * 2400 + 150 * 2400 / best.quantity + 0.25 * average_price * best.quantity / 2

    assert best.cost == pytest.approx(expected)
    assert best.quantity == pytest.approx(1481.8906842274164)


def test_discount_tables_must_start_at_zero_and_match_their_prices() -> None:
    with pytest.raises(ValidationError, match="breakpoints"):
        all_units_discount(8, 0.3, 1300, [10, 400], [0.75, 0.72])
    with pytest.raises(ValidationError, match="unit_costs"):
        incremental_discount(8, 0.3, 1300, [0, 400], [0.75])
    with pytest.raises(ValidationError, match="holding_cost_rate"):
        all_units_discount(8, 0, 1300, [0, 400], [0.75, 0.72])
