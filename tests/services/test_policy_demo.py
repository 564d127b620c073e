"""Policies for the demo plant, every method, applied and planned with, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
from sqlalchemy import select

from plantops.bootstrap import PlantOps
from plantops.db.catalog import Item, ItemSite
from plantops.db.sites import Site
from plantops.services import demo
from plantops.services.planning import runs as planning
from plantops.services.planning.problem import PlanRequest
from plantops.services.policy import apply, queries, runs
from plantops.services.policy.network import read_working_days
from plantops.services.policy.runs import PolicyRequest
from plantops.vocabulary import AbcClass, DemandDistribution, PolicyMethod, ReplenishmentPolicy, ServiceMeasure

AS_OF = dt.date(2026, 11, 16)
STEPS_A_DAY = 4  # steps of the simulated continuous review a working day
TOLERANCE = 0.02  # below the target, beyond three standard errors of the simulated share
#: Policies known to miss their target in simulation, and why. The (r, Q) model counts a cycle as
#: served when lead-time demand stays within r, as if stock were reordered exactly at r; with lumpy
#: demand (a weekly deviation well above the mean) one order can take the position far below r, and
#: that undershoot is not provided for (Silver, Pyke & Thomas 2017, ch. 6). An entry that no longer
#: falls short fails the test, so that it is removed once the model provides for it.
FALLS_SHORT = {"SPARE-PADS-DISC": "weekly mean 5, deviation 12.9: about 0.57 simulated for a 0.90 target"}


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

    with ops.uow() as uow:
        own = dict(uow.session.execute(select(Item.code, Item.safety_stock)).all())
    number, changes = apply.apply_policies(ops.uow(), run=fill.number, applied_by="tester")
    applied = {(change.item, change.site): change.safety_stock[1] for change in changes}
    with ops.uow() as uow:
        written = {
            (item, site): safety
            for item, site, safety in uow.session.execute(
                select(Item.code, Site.code, ItemSite.safety_stock)
                .join(Item, Item.id == ItemSite.item_id)
                .join(Site, Site.id == ItemSite.site_id)
            )
        }
        kept = dict(uow.session.execute(select(Item.code, Item.safety_stock)).all())
    plan = planning.run_plan(ops.uow(), PlanRequest(start=AS_OF, weeks=26), run_by="tester")

    assert number == fill.number and len(changes) == len(lines)  # every line, at its own site
    assert {key: written[key] for key in applied} == applied
    assert kept == own  # the items' own safety stocks are not changed
    assert all(change.policy[1] is ReplenishmentPolicy.REORDER_POINT for change in changes)
    assert plan.planned_orders > 0


def test_demo_reorder_points_meet_their_cycle_service_targets_in_simulation(ops: PlantOps) -> None:
    """Each (r, Q) policy run for at least 2,000 weeks of sampled demand, not judged by the model that chose it.

    Review is continuous in steps of a quarter of a working day; an order of as many Q as bring the
    inventory position above r is placed when it falls to r or below, and arrives after a lead time
    sampled in whole steps. A replenishment cycle is served when net stock is not negative just before
    its order arrives; the cycle service level is the share of cycles served (Silver, Pyke & Thomas
    2017, ch. 6).
    """
    demo.seed_demo_plant(ops.uow(), as_of=AS_OF, seed=42)
    summary = runs.compute_policies(ops.uow(), PolicyRequest(today=AS_OF), computed_by="tester")
    _, views = queries.policy_lines(ops.uow(), run=summary.number)
    with ops.uow() as uow:
        working = read_working_days(uow.session)
        site_ids = dict(uow.session.execute(select(Site.code, Site.id)).all())
    lines = [view.line for view in views]
    per_week = np.array([STEPS_A_DAY * working[site_ids[view.site]] for view in views])

    served, cycles = _simulate_reorder_points(lines, per_week, weeks=2000, seed=7)

    level = served / np.maximum(cycles, 1)
    target = np.array([float(line.service_target) for line in lines])
    error = np.sqrt(target * (1 - target) / np.maximum(cycles, 1))
    short = {
        view.item: f"{got:.3f} of {want:.2f} in {n} cycles"
        for view, got, want, se, n in zip(views, level, target, error, cycles, strict=True)
        if got < want - TOLERANCE - 3 * se
    }
    assert set(short) == set(FALLS_SHORT), short
    assert served.sum() / cycles.sum() >= np.average(target, weights=cycles) - TOLERANCE


def _simulate_reorder_points(lines: list[Any], per_week: Any, *, weeks: int, seed: int) -> tuple[Any, Any]:
    """Cycles served and cycles run per line, all lines side by side."""
    rng = np.random.default_rng(seed)
    mean = np.array([float(line.demand_mean) for line in lines]) / per_week
    std = np.array([float(line.demand_std) for line in lines]) / np.sqrt(per_week)
    kind = [line.distribution for line in lines]
    lead = np.array([float(line.lead_time_days) for line in lines]) * STEPS_A_DAY  # working days to steps
    lead_std = np.array([float(line.lead_time_std_days) for line in lines]) * STEPS_A_DAY
    reorder = np.array([float(line.reorder_point) for line in lines])
    quantity = np.array([float(line.order_quantity) for line in lines])
    horizon = math.ceil((lead + 6 * lead_std).max()) + 2
    pipeline = np.zeros((len(lines), horizon))
    orders = np.zeros((len(lines), horizon), dtype=np.int64)
    net = reorder + quantity
    position = net.copy()
    served = np.zeros(len(lines), dtype=np.int64)
    cycles = np.zeros(len(lines), dtype=np.int64)
    rows = np.arange(len(lines))
    normal = np.array([k is DemandDistribution.NORMAL for k in kind])
    gamma = np.array([k is DemandDistribution.GAMMA for k in kind])
    poisson = np.array([k is DemandDistribution.POISSON for k in kind])
    shape = np.where(gamma, (mean / np.where(std > 0, std, 1)) ** 2, 1.0)
    scale = np.where(gamma, std**2 / np.where(mean > 0, mean, 1), 0.0)
    steps = int(weeks * per_week.max())
    chunk = 1000
    for begin in range(0, steps, chunk):
        size = min(chunk, steps - begin)
        demand = np.where(
            normal[:, None],
            rng.normal(mean[:, None], std[:, None], (len(lines), size)),
            np.where(
                gamma[:, None],
                rng.gamma(shape[:, None], scale[:, None], (len(lines), size)),
                rng.poisson(np.where(poisson, mean, 0)[:, None], (len(lines), size)),
            ),
        )
        for k in range(size):
            slot = (begin + k) % horizon
            arriving = orders[:, slot]
            cycles += arriving
            served += np.where(net >= -1e-9, arriving, 0)
            net += pipeline[:, slot]
            pipeline[:, slot] = 0
            orders[:, slot] = 0
            net -= demand[:, k]
            position -= demand[:, k]
            low = position <= reorder + 1e-9
            if low.any():
                count = np.floor((reorder[low] - position[low]) / quantity[low] + 1e-9) + 1
                position[low] += count * quantity[low]
                wait = np.clip(np.rint(rng.normal(lead[low], lead_std[low])), 1, horizon - 1).astype(np.int64)
                land = (begin + k + wait) % horizon
                pipeline[rows[low], land] += count * quantity[low]
                orders[rows[low], land] += 1
    return served, cycles
