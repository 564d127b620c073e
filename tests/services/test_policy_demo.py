"""Policies for the demo plant, every method, applied and planned with, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from plantops.bootstrap import PlantOps
from plantops.db.catalog import Item
from plantops.services import demo
from plantops.services.planning import runs as planning
from plantops.services.planning.problem import PlanRequest
from plantops.services.policy import apply, queries, runs
from plantops.services.policy.runs import PolicyRequest
from plantops.vocabulary import AbcClass, PolicyMethod, ServiceMeasure

AS_OF = dt.date(2026, 11, 16)


def test_demo_plant_policies_meet_their_targets_and_mrp_plans_with_them(ops: PlantOps) -> None:
    demo.seed_demo_plant(ops.uow(), as_of=AS_OF, seed=42)

    for method in PolicyMethod:
        summary = runs.compute_policies(ops.uow(), PolicyRequest(today=AS_OF, method=method), computed_by="tester")
        _, lines = queries.policy_lines(ops.uow(), run=summary.number)
        assert len(lines) == summary.lines > 80, method
        assert {view.item for view in lines} >= {"BIKE-CITY-M", "MILK-RAW", "SPOKE-290", "SPARE-PADS-DISC"}
        by_class = {AbcClass.A: 0.98, AbcClass.B: 0.95, AbcClass.C: 0.90}
        for view in lines:
            line = view.line
            assert float(line.service_target) == by_class[line.abc_class]
            assert line.new_safety_stock >= 0
            if method is not PolicyMethod.GUARANTEED_SERVICE:
                assert float(line.expected_cycle_service) >= float(line.service_target), (method, view.item)

    fill = runs.compute_policies(
        ops.uow(), PolicyRequest(today=AS_OF, measure=ServiceMeasure.FILL_RATE, target=0.99), computed_by="tester"
    )
    _, lines = queries.policy_lines(ops.uow(), run=fill.number)
    assert all(float(view.line.expected_fill_rate) >= 0.99 for view in lines)

    number, changes = apply.apply_policies(ops.uow(), run=fill.number, applied_by="tester")
    applied = {change.item: change.safety_stock[1] for change in changes}
    with ops.uow() as uow:
        kept = dict(uow.session.execute(select(Item.code, Item.safety_stock).where(Item.code.in_(applied))).all())
    plan = planning.run_plan(ops.uow(), PlanRequest(start=AS_OF, weeks=26), run_by="tester")

    assert number == fill.number and len(changes) == len({view.item for view in lines})
    assert kept == applied
    assert plan.planned_orders > 0
