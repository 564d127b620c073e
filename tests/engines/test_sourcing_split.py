"""The sourcing split under disruption: corners, capacities, comparison with single sourcing, bad inputs."""

from __future__ import annotations

import numpy as np
import pytest

from plantops.engines.sourcing import SupplierTerms, eoq_with_disruptions, sourcing_split
from plantops.errors import ValidationError

FREQUENT = SupplierTerms(unit_price=10.0, fixed_cost=8.0, disruption_rate=6.0, recovery_rate=4.0)


def test_identical_suppliers_with_frequent_disruptions_cost_no_more_than_single_sourcing() -> None:
    """Under the model the cost per supplier is concave in its share, so the best split is a corner."""
    split = sourcing_split([FREQUENT, FREQUENT], 1300, 5, holding_cost=0.225)
    assert split.total_cost <= split.single_sourcing_cost.min() + 1e-9
    assert sorted(split.shares.tolist()) == [0.0, 1.0]
    assert split.single_sourcing_cost[0] == pytest.approx(split.single_sourcing_cost[1], rel=1e-12)
    half = eoq_with_disruptions(8, 0.225, 5, 650, 6.0, 4.0).cost[0] * 2 + 10 * 1300
    assert half > split.total_cost  # the 50/50 split pays two sets of order and disruption costs


def test_a_cheaper_supplier_never_disrupted_takes_all_the_demand() -> None:
    reliable = SupplierTerms(unit_price=9.5, fixed_cost=8.0, disruption_rate=0.0, recovery_rate=14.0)
    split = sourcing_split([FREQUENT, reliable], 1300, 5, holding_cost=0.225)
    assert split.shares.tolist() == [0.0, 1.0]
    eoq = np.sqrt(2 * 8 * 1300 / 0.225)
    assert split.order_quantity[1] == pytest.approx(eoq, rel=1e-9)
    assert split.total_cost == pytest.approx(9.5 * 1300 + np.sqrt(2 * 8 * 1300 * 0.225), rel=1e-12)
    assert split.expected_cost[0] == 0.0 and split.order_quantity[0] == 0.0


def test_single_sourcing_costs_are_price_plus_the_eoq_with_disruptions_cost() -> None:
    other = SupplierTerms(unit_price=10.2, fixed_cost=20.0, disruption_rate=0.5, recovery_rate=20.0)
    split = sourcing_split([FREQUENT, other], 1300, 5, holding_cost_rate=0.02)
    expected = [
        10.0 * 1300 + eoq_with_disruptions(8, 0.2, 5, 1300, 6.0, 4.0).cost[0],
        10.2 * 1300 + eoq_with_disruptions(20, 0.204, 5, 1300, 0.5, 20.0).cost[0],
    ]
    assert split.single_sourcing_cost == pytest.approx(expected, rel=1e-12)


def test_capacities_force_a_split_filling_the_cheapest_suppliers_first() -> None:
    capped = SupplierTerms(unit_price=9.0, fixed_cost=8.0, disruption_rate=0.0, recovery_rate=14.0, annual_capacity=300)
    big = SupplierTerms(unit_price=10.0, fixed_cost=8.0, disruption_rate=1.5, recovery_rate=14.0, annual_capacity=800)
    dear = SupplierTerms(unit_price=10.5, fixed_cost=8.0, disruption_rate=1.5, recovery_rate=14.0)
    split = sourcing_split([big, dear, capped], 1300, 5, holding_cost_rate=0.2, step=0.1)
    # 300 / 1,300 = 0.23 -> 0.2 on the grid; 800 / 1,300 = 0.62 -> 0.6; the rest, 0.2, from the dear supplier
    assert split.shares == pytest.approx([0.6, 0.2, 0.2])
    assert split.total_cost == pytest.approx(split.expected_cost.sum(), rel=1e-12)
    assert np.isinf(split.single_sourcing_cost[[0, 2]]).all() and np.isfinite(split.single_sourcing_cost[1])


def test_three_suppliers_on_the_grid_match_a_plain_search_over_all_splits() -> None:
    suppliers = [
        FREQUENT,
        SupplierTerms(unit_price=10.1, fixed_cost=30.0, disruption_rate=0.2, recovery_rate=30.0, annual_capacity=700),
        SupplierTerms(unit_price=9.9, fixed_cost=5.0, disruption_rate=3.0, recovery_rate=6.0, annual_capacity=500),
    ]
    split = sourcing_split(suppliers, 1300, 50, holding_cost=0.3, step=0.25)
    best = np.inf
    for a in range(5):
        for b in range(5 - a):
            shares = (a / 4, b / 4, (4 - a - b) / 4)
            cost = 0.0
            for terms, share in zip(suppliers, shares, strict=True):
                if share == 0:
                    continue
                if terms.annual_capacity is not None and share * 1300 > terms.annual_capacity:
                    cost = np.inf
                    break
                policy = eoq_with_disruptions(
                    terms.fixed_cost, 0.3, 50, share * 1300, terms.disruption_rate, terms.recovery_rate
                )
                cost += terms.unit_price * share * 1300 + policy.cost[0]
            best = min(best, cost)
    assert split.total_cost == pytest.approx(best, rel=1e-12)


@pytest.mark.parametrize(
    ("suppliers", "options", "field"),
    [
        ([SupplierTerms(10, 8, -1.0, 14)], {"holding_cost": 0.2}, "disruption_rate"),
        ([SupplierTerms(10, 8, 1.0, -14)], {"holding_cost": 0.2}, "recovery_rate"),
        ([SupplierTerms(-10, 8, 1.0, 14)], {"holding_cost": 0.2}, "unit_price"),
        ([FREQUENT], {"holding_cost": 0.2, "step": 0.3}, "step"),
        ([FREQUENT], {"holding_cost": 0.2, "step": -0.05}, "step"),
        ([FREQUENT], {"holding_cost": 0.2, "holding_cost_rate": 0.1}, "holding_cost"),
        ([FREQUENT], {}, "holding_cost"),
        ([], {"holding_cost": 0.2}, "suppliers"),
        ([SupplierTerms(10, 8, 1.0, 14, annual_capacity=100)], {"holding_cost": 0.2}, "annual_capacity"),
    ],
)
def test_bad_inputs_are_refused_naming_the_parameter(
    suppliers: list[SupplierTerms], options: dict[str, float], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        sourcing_split(suppliers, 1300, 5, **options)
    assert error.value.field == field


def test_a_single_supplier_takes_the_whole_demand() -> None:
    split = sourcing_split([FREQUENT], 1300, 5, holding_cost=0.225)
    assert split.shares.tolist() == [1.0]
    assert split.total_cost == pytest.approx(split.single_sourcing_cost[0], rel=1e-12)
