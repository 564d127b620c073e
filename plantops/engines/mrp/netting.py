"""Netting the nodes of one level: the lot-size rules, and the joint runs of BOMs with co-products.

**Co-products** (separation BOMs, e.g. raw milk -> cream + skim milk). The outputs of a
BOM with co-products share a low-level code and are netted together. Outputs made by
that BOM (node ``bom`` = the BOM, procurement make) *drive* runs; the others (by-products,
or outputs bought elsewhere) only receive what the runs yield. Bucket by bucket, each
driver's projected available ``PA`` (with the runs planned so far) is compared with its
safety stock; the run needed by output ``o`` is ``(SS_o - PA_o) / q_o`` batches (``q_o``
its output per batch). The run covers the largest of them, so every driver is covered,
and the output with the largest need is recorded as the run's ``driver`` (ties: the first
output, the main product first). The run is an order of the main product (batches x
the BOM's quantity), sized lot-for-lot then by the main node's minimum, multiple and
maximum; other lot-size rules, and yield, do not apply to joint runs. Each output
receives ``batches x q_o`` in the run's due bucket: drivers net it right away, the other
outputs net it as a planned receipt before their own orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, overload

import numpy as np

from plantops.engines.mrp._checks import F64, I64
from plantops.engines.mrp.kinds import WW
from plantops.engines.mrp.lotsizing import (
    Rules,
    Sources,
    apply_limits,
    lot_for_lot,
    stepwise,
    stepwise_by_quota,
    wagner_whitin_segments,
)
from plantops.engines.mrp.policies import follow_policies
from plantops.engines.mrp.problem import MrpProblem
from plantops.engines.mrp.structure import TOL, JointGroup, Structure


def net(
    problem: MrpProblem, structure: Structure, nodes: I64, available: F64, flow: F64, gross: F64
) -> tuple[F64, F64, dict[int, I64]]:
    """Planned receipts and planned order quantities (both by due bucket) of ``nodes`` (not joint drivers),
    and for the nodes that buy by quota, the candidate supplier of each due bucket
    (:mod:`~plantops.engines.mrp.quota`; -1 where there is no order).

    ``available`` per row; ``flow = SR - GR`` (netting buckets, co-product receipts included);
    ``gross`` the rows' gross requirements (for the EOQ's annual demand and the policies'
    inventory position). Nodes with an inventory policy follow it
    (:mod:`~plantops.engines.mrp.policies`); the others their lot-size rule.
    """
    receipts = np.zeros(flow.shape)
    orders = np.zeros(flow.shape)
    supplied = ~structure.no_supply[nodes]
    plain = np.flatnonzero(structure.lot_for_lot[nodes] & supplied)
    if plain.size:
        rows = nodes[plain]
        planned = lot_for_lot(available[plain], flow[plain], structure.safety_stock[rows], structure.fence[rows])
        receipts[plain] = planned
        orders[plain] = planned / structure.yield_rate[rows][:, None]
    policy = structure.policy[nodes] & supplied
    if policy.any():
        chosen = np.flatnonzero(policy)
        receipts[chosen], orders[chosen] = follow_policies(
            problem.nodes, structure, nodes[chosen], available[chosen], flow[chosen], gross[chosen]
        )
    quota = structure.quotas.has_quota[nodes] & ~policy & supplied
    other = np.flatnonzero(~structure.lot_for_lot[nodes] & ~policy & supplied & ~quota)
    if other.size:
        receipts[other], orders[other] = _net_rules(
            problem, structure, nodes[other], available[other], flow[other], gross[other]
        )
    sourcing: dict[int, I64] = {}
    if quota.any():
        chosen = np.flatnonzero(quota)
        receipts[chosen], orders[chosen], choice = _net_rules(
            problem, structure, nodes[chosen], available[chosen], flow[chosen], gross[chosen], by_quota=True
        )
        sourcing = dict(zip(nodes[chosen].tolist(), choice, strict=True))
    return receipts, orders, sourcing


@overload
def _net_rules(
    problem: MrpProblem, structure: Structure, rows: I64, available: F64, flow: F64, gross: F64
) -> tuple[F64, F64]: ...


@overload
def _net_rules(
    problem: MrpProblem,
    structure: Structure,
    rows: I64,
    available: F64,
    flow: F64,
    gross: F64,
    *,
    by_quota: Literal[True],
) -> tuple[F64, F64, I64]: ...


def _net_rules(
    problem: MrpProblem,
    structure: Structure,
    rows: I64,
    available: F64,
    flow: F64,
    gross: F64,
    *,
    by_quota: bool = False,
) -> tuple[F64, F64] | tuple[F64, F64, I64]:
    nodes = problem.nodes
    annual = gross.sum(axis=1) * 365.0 / problem.settings.horizon_days
    holding = structure.holding_cost[rows]
    with np.errstate(divide="ignore", invalid="ignore"):
        economic = np.where(holding > 0, np.sqrt(2.0 * annual * nodes.ordering_cost[rows] / holding), 0.0)
    rules = Rules(
        rule=nodes.lot_size_rule[rows].astype(np.int64),
        fixed=nodes.fixed_order_quantity[rows],
        periods=nodes.order_periods[rows],
        economic=economic,
        minimum=structure.min_quantity[rows],
        multiple=structure.multiple[rows],
        maximum=structure.max_quantity[rows],
        yield_rate=structure.yield_rate[rows],
        safety=structure.safety_stock[rows],
        fence=structure.fence[rows],
    )
    segment_end = None
    ww = np.flatnonzero(rules.rule == WW)
    if ww.size:
        segment_end = np.tile(np.arange(flow.shape[1]), (rows.size, 1))
        requirements = lot_for_lot(available[ww], flow[ww], rules.safety[ww], rules.fence[ww])
        per_period = holding[ww, None] * structure.period_years[None, :]
        segment_end[ww] = wagner_whitin_segments(requirements, nodes.ordering_cost[rows[ww]], per_period)
    if by_quota:
        quotas = structure.quotas
        sources = [
            Sources(quotas.share[a:b].tolist(), quotas.min_quantity[a:b].tolist(), quotas.multiple[a:b].tolist(), a)
            for a, b in zip(quotas.start[rows].tolist(), quotas.start[rows + 1].tolist(), strict=True)
        ]
        return stepwise_by_quota(available, flow, rules, segment_end, sources)
    return stepwise(available, flow, rules, segment_end)


@dataclass(frozen=True, eq=False)
class JointRuns:
    """Runs of a BOM with co-products: main-product quantity and driver per due bucket; each output's receipts."""

    quantity: F64
    driver: I64  # node, -1 where there is no run
    outputs: F64  # outputs x T


def joint_runs(structure: Structure, group: JointGroup, available: F64, flow: F64) -> JointRuns:
    """Plan the runs of ``group`` (module docstring); rows of ``available`` / ``flow`` follow ``group.outputs``."""
    horizon = flow.shape[1]
    main = group.main
    projected = available.astype(np.float64).tolist()
    flows = flow.tolist()
    safety = structure.safety_stock[group.outputs].tolist()
    per_batch = group.per_batch.tolist()
    drivers = np.flatnonzero(group.driver).tolist()
    fence = int(structure.fence[main])
    limits = (
        structure.min_quantity[main : main + 1],
        structure.multiple[main : main + 1],
        structure.max_quantity[main : main + 1],
    )
    quantity = np.zeros(horizon)
    driver = np.full(horizon, -1, np.int64)
    outputs = np.zeros((group.outputs.size, horizon))
    for t in range(horizon):
        for o in drivers:
            projected[o] += flows[o][t]
        if t < fence:
            continue
        batches, chosen = 0.0, -1
        for o in drivers:
            short = safety[o] - projected[o]
            if short > TOL and short / per_batch[o] > batches:
                batches, chosen = short / per_batch[o], o
        if chosen < 0:
            continue
        run = float(apply_limits(np.array([batches * per_batch[0]]), *limits)[0])
        batches = run / per_batch[0]
        quantity[t] = run
        driver[t] = group.outputs[chosen]
        outputs[:, t] = batches * group.per_batch
        outputs[0, t] = run
        for o in drivers:
            projected[o] += outputs[o, t]
    return JointRuns(quantity, driver, outputs)
