"""Bad input is refused with the record, the field and the reason."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from plantops.engines.mrp import Boms, Calendar, Demands, MrpProblem, Nodes, PlanningSettings, Stock
from plantops.errors import ValidationError
from tests.engines.mrp.mrp_builder import MONDAY, Builder


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"yield_rate": [0.0]}, "yield_rate"),
        ({"lead_time": [-1]}, "lead_time"),
        ({"safety_stock": [np.nan]}, "safety_stock"),
        ({"procurement": ["steal"]}, "procurement"),
        ({"lot_size_rule": ["fixed_order_quantity"]}, "fixed_order_quantity"),
        ({"lot_size_rule": ["period_order_quantity"]}, "order_periods"),
        ({"lot_size_rule": ["economic_order_quantity"], "ordering_cost": [5]}, "holding_cost_rate"),
        ({"min_order_quantity": [50], "max_order_quantity": [20]}, "max_order_quantity"),
        ({"phantom": [True]}, "phantom"),
        ({"site": [0, 0]}, "site"),
        ({"safety_stock": [1e9 + 1]}, "safety_stock"),
        ({"lot_size_rule": ["fixed_order_quantity"], "fixed_order_quantity": [9e12]}, "fixed_order_quantity"),
    ],
)
def test_bad_node_columns_are_refused(params: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        Nodes.of(item=[0], **params)
    assert error.value.record == "mrp nodes"
    assert error.value.field == field


def test_bad_bom_lines_are_refused() -> None:
    with pytest.raises(ValidationError, match="line_scrap"):
        Boms.of(main=[0], line_bom=[0], line_component=[1], line_quantity=[1], line_scrap=[1.0])
    with pytest.raises(ValidationError, match="line_bom"):
        Boms.of(main=[0], line_bom=[3], line_component=[1], line_quantity=[1])
    with pytest.raises(ValidationError, match="line_valid_to"):
        Boms.of(
            main=[0],
            line_bom=[0],
            line_component=[1],
            line_quantity=[1],
            line_valid_from=["2026-02-01"],
            line_valid_to=["2026-01-01"],
        )


def _problem(**changes: Any) -> dict[str, Any]:
    problem = Builder(weeks=4)
    problem.node("A")
    problem.node("B")
    built = problem.build()
    parts = {
        name: getattr(built, name)
        for name in ("nodes", "boms", "suppliers", "calendar", "settings", "stock", "demands", "receipts")
    }
    parts.update(changes)
    return parts


def test_a_demand_beyond_the_bound_on_entered_quantities_is_refused_but_a_large_balance_is_not() -> None:
    with pytest.raises(ValidationError, match="at most 1,000,000,000") as error:
        Demands.of(node=[0], date=[MONDAY], quantity=[9e12])
    assert (error.value.record, error.value.field) == ("mrp demands", "quantity")
    assert Stock.of(on_hand=[3e12]).on_hand[0] == 3e12


def test_references_to_missing_nodes_are_refused() -> None:
    with pytest.raises(ValidationError, match="mrp demands: node"):
        MrpProblem.of(**_problem(demands=Demands.of(node=[5], date=[MONDAY], quantity=[1])))
    with pytest.raises(ValidationError, match="mrp stock"):
        MrpProblem.of(**_problem(stock=Stock.of(on_hand=[1.0])))


def test_a_node_must_be_an_output_of_its_bom() -> None:
    nodes = Nodes.of(item=[0, 1], procurement=["make", "buy"], bom=[0, -1])
    boms = Boms.of(main=[1], line_bom=[0], line_component=[0], line_quantity=[1])
    with pytest.raises(ValidationError, match="not an output of BOM 0"):
        MrpProblem.of(**_problem(nodes=nodes, boms=boms))


def test_a_transfer_source_must_be_the_same_item() -> None:
    nodes = Nodes.of(item=[0, 1], procurement=["transfer", "buy"], source=[1, -1])
    with pytest.raises(ValidationError, match="source"):
        MrpProblem.of(**_problem(nodes=nodes))


def test_the_calendar_must_cover_the_buckets() -> None:
    short = Calendar.weekdays(start=MONDAY, days=10)
    with pytest.raises(ValidationError, match="mrp calendar"):
        MrpProblem.of(**_problem(calendar=short))
    with pytest.raises(ValidationError, match="site"):
        MrpProblem.of(**_problem(nodes=replace(Nodes.of(item=[0, 1]), site=np.array([0, 3]))))


def test_buckets_must_increase_and_fences_be_ordered() -> None:
    with pytest.raises(ValidationError, match="buckets"):
        PlanningSettings.of(["2026-01-12", "2026-01-05"])
    with pytest.raises(ValidationError, match="slushy"):
        PlanningSettings.weekly(MONDAY, 4, frozen_buckets=3, slushy_buckets=2)
    with pytest.raises(ValidationError, match="forecast_forward"):
        PlanningSettings.weekly(MONDAY, 4, forecast_forward=-1)
