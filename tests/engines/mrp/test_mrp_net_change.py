"""Net change: replanning the changed nodes gives exactly the regenerative plan."""

from __future__ import annotations

import numpy as np
import pytest

from plantops.engines.mrp import Demands, MrpChanges, MrpPlan, Stock, plan, replan
from plantops.errors import ValidationError
from tests.engines.mrp.mrp_builder import Builder, random_alternates_problem, random_change, random_problem

TABLES = (
    "gross_requirements",
    "scheduled_receipts",
    "projected_on_hand",
    "net_requirements",
    "planned_order_receipts",
    "planned_order_releases",
)


def _assert_same(left: MrpPlan, right: MrpPlan) -> None:
    for name in TABLES:
        assert np.array_equal(getattr(left, name), getattr(right, name)), name
    for name in ("node", "kind", "release_bucket", "due_bucket", "quantity", "receipt_quantity", "driver"):
        assert np.array_equal(getattr(left.orders, name), getattr(right.orders, name)), name
    for name in ("kind", "node", "bucket", "quantity", "receipt", "need_bucket", "cause"):
        assert np.array_equal(getattr(left.exceptions, name), getattr(right.exceptions, name)), name


@pytest.mark.parametrize("seed", range(40))
def test_replan_after_random_changes_equals_a_regenerative_run(seed: int) -> None:
    rng = np.random.default_rng(seed)
    current = plan(random_problem(rng))
    for _ in range(3):  # replans chain: each starts from the previous net-change plan
        changed = random_change(rng, current.problem)
        current = replan(current, changed, MrpChanges.between(current.problem, changed))
        _assert_same(current, plan(changed))


@pytest.mark.parametrize("seed", range(80))
def test_replan_with_alternate_groups_sharing_components_equals_a_regenerative_run(seed: int) -> None:
    # each group's choice depends on the groups before it: a change must re-decide exactly the right ones
    rng = np.random.default_rng(seed)
    current = plan(random_alternates_problem(rng))
    for _ in range(3):
        changed = random_change(rng, current.problem)
        current = replan(current, changed, MrpChanges.between(current.problem, changed))
        _assert_same(current, plan(changed))


def _chain() -> Builder:
    builder = Builder(weeks=5)
    builder.node("A", lead_time=5)
    builder.node("B", lead_time=5)
    builder.node("C")
    builder.node("X")  # unrelated
    builder.bom("A", ("B", 1))
    builder.bom("B", ("C", 2))
    builder.demand("A", 3, 10)
    builder.demand("X", 2, 4)
    return builder


def test_replan_recomputes_only_the_changed_node_and_those_below_it() -> None:
    problem = _chain().build()
    base = plan(problem)
    demands = problem.demands
    quantity = demands.quantity.copy()
    quantity[0] = 25
    changed = problem.replace(
        demands=Demands(demands.id, demands.node, demands.date, quantity, demands.priority, demands.forecast)
    )
    result = replan(base, changed, MrpChanges.of([0]))
    assert result.changed_nodes.tolist() == [0, 1, 2]
    assert result.gross_requirements[2].tolist() == [0, 50, 0, 0, 0]
    assert base.gross_requirements[2].tolist() == [0, 20, 0, 0, 0]  # the previous plan is unchanged
    _assert_same(result, plan(changed))


def test_change_absorbed_by_stock_stops_at_the_node() -> None:
    builder = _chain()
    builder.stock("A", 100)
    problem = builder.build()
    on_hand = problem.stock.on_hand.copy()
    on_hand[0] = 90
    result = replan(plan(problem), problem.replace(stock=Stock(on_hand, problem.stock.allocated)), MrpChanges.of([0]))
    assert result.changed_nodes.tolist() == [0]


def test_changes_between_two_problems_name_the_nodes_that_differ() -> None:
    problem = _chain().build()
    demands = problem.demands
    moved = Demands(
        demands.id,
        demands.node,
        demands.date + np.array([0, 7], "timedelta64[D]"),
        demands.quantity,
        demands.priority,
        demands.forecast,
    )
    on_hand = problem.stock.on_hand.copy()
    on_hand[2] = 3
    changed = problem.replace(demands=moved, stock=Stock(on_hand, problem.stock.allocated))
    assert MrpChanges.between(problem, changed).nodes.tolist() == [2, 3]
    fewer = Demands.of(node=[0], date=demands.date[:1], quantity=[10], id=[0])
    assert MrpChanges.between(problem, problem.replace(demands=fewer)).nodes.tolist() == [3]


def test_replan_refuses_other_master_data() -> None:
    problem = _chain().build()
    other = _chain().build()
    with pytest.raises(ValidationError, match="nodes"):
        replan(plan(problem), other, MrpChanges.of([0]))


def test_replan_refuses_unknown_nodes() -> None:
    problem = _chain().build()
    with pytest.raises(ValidationError, match="changes"):
        replan(plan(problem), problem, MrpChanges.of([99]))
