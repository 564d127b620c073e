"""Nodes planned by an inventory policy instead of safety stock and a lot-size rule.

The policies are those of Silver, Pyke & Peterson, *Inventory Management and Production
Planning and Scheduling*, 3rd ed. (1998), ch. 7, run by MRP period by period:

- **reorder point** (r, Q): at a review where the inventory position ``IP`` is at or
  below ``r``, order the smallest multiple ``n Q`` that lifts it above ``r``,
  ``n = floor((r - IP) / Q) + 1`` (the (r, nQ) rule of Hadley & Whitin, *Analysis of
  Inventory Systems*, 1963, ch. 4, exact when demand comes in lumps);
- **min-max** (s, S): at a review where ``IP <= s``, order ``S - IP``.

**Reviews** are at the start of buckets ``0, R, 2R, ...`` (``R = review_weeks``). The
inventory position at the review of bucket ``t`` is available stock (on hand less
allocated) plus every scheduled receipt in the horizon (co-product receipts included)
plus the policy's orders placed at earlier reviews, less the gross requirements of
buckets ``0 .. t - 1``: demand not met is backordered, as in the policy's cost model.

**Release and due**: the order is released in the review bucket ``t`` and falls due in
the first bucket whose release date (due date less the node's lead time in working days,
:mod:`~plantops.engines.mrp.timeline`) is on or after the start of ``t``
(:meth:`~plantops.engines.mrp.structure.Structure.due_bucket`); with weekly buckets, a
Monday-to-Friday site and a lead time of ``5 L`` working days that is ``t + L``. It is
recorded by due bucket like every planned order, and its release bucket is ``t`` again
(unless bucket ``t`` has no working day: then the release is the next one that has). An
order that would fall due after the horizon is not planned.

**Frozen fence**: a review whose order would fall due inside the frozen fence orders
nothing; the inventory position stays low, so the first review whose order falls due
outside the fence orders the whole shortfall (as the lot-size rules cover the shortfall
by the first order after the fence).

**Limits and yield**: the policy's quantity is in stock units; the order is that
quantity divided by the yield, then the node's minimum, multiple and maximum apply as
for every rule (:func:`~plantops.engines.mrp.lotsizing.apply_limits`: raised to the
minimum, rounded up to the multiple, split into orders of the maximum when above it).
The receipt (order x yield) counts in the inventory position at once. An (r, Q) order
with ``Q`` at least the minimum and a multiple of the order multiple is unchanged by them
(below the maximum); a min-max order is rounded up to the multiple, so the position may
end a little above ``S``. **Safety stock** is not used: the policy's levels are the protection (the node's
safety stock is 0 in the structure, so pegging, records and messages see none). The
outputs that drive the runs of a BOM with co-products are planned by those runs
(:mod:`~plantops.engines.mrp.netting`), which follow no policy.
"""

from __future__ import annotations

import numpy as np

from plantops.engines.mrp._checks import F64, I64
from plantops.engines.mrp.kinds import REORDER_POINT
from plantops.engines.mrp.lotsizing import apply_limits
from plantops.engines.mrp.master_data import Nodes
from plantops.engines.mrp.structure import TOL, Structure


def follow_policies(
    nodes: Nodes, structure: Structure, rows: I64, available: F64, flow: F64, gross: F64
) -> tuple[F64, F64]:
    """Planned receipts and order quantities (by due bucket) of policy ``rows`` (see the module docstring).

    ``available`` per row; ``flow = SR - GR`` and ``gross`` (``GR``) per row and bucket. Rows
    are stepped through together, review bucket by review bucket.
    """
    count, horizon = flow.shape
    receipts = np.zeros((count, horizon))
    orders = np.zeros((count, horizon))
    supply = (flow + gross).sum(axis=1)
    required_before = np.concatenate([np.zeros((count, 1)), np.cumsum(gross[:, :-1], axis=1)], axis=1)
    position = available[:, None] + supply[:, None] - required_before  # IP at the start of t, before the run's orders
    due = structure.due_bucket(rows)
    reviewed = (np.arange(horizon)[None, :] % nodes.review_weeks[rows][:, None]) == 0
    allowed = reviewed & (due < horizon) & (due >= structure.fence[rows, None])
    reorder = nodes.policy[rows] == REORDER_POINT
    level = nodes.reorder_point[rows]
    lot, up_to = nodes.order_quantity[rows], nodes.order_up_to[rows]
    rate = structure.yield_rate[rows]
    minimum, multiple, maximum = structure.min_quantity[rows], structure.multiple[rows], structure.max_quantity[rows]
    limited = (minimum > 0) | (multiple > 0) | np.isfinite(maximum)
    placed = np.zeros(count)
    for t in np.flatnonzero(allowed.any(axis=0)).tolist():
        here = np.flatnonzero(allowed[:, t])
        inventory = position[here, t] + placed[here]
        low = inventory <= level[here] + TOL
        short, inventory = here[low], inventory[low]
        wanted = up_to[short] - inventory
        lots = reorder[short]
        if lots.any():
            size = lot[short[lots]]
            wanted[lots] = (np.floor((level[short[lots]] - inventory[lots]) / size + TOL) + 1.0) * size
        ordering = wanted > TOL
        short, wanted = short[ordering], wanted[ordering]
        if short.size == 0:
            continue
        quantity = wanted / rate[short]
        bounded = limited[short]
        if bounded.any():
            chosen = short[bounded]
            quantity[bounded] = apply_limits(quantity[bounded], minimum[chosen], multiple[chosen], maximum[chosen])
        receipt = quantity * rate[short]
        placed[short] += receipt
        bucket = due[short, t]
        receipts[short, bucket] += receipt
        orders[short, bucket] += quantity
    return receipts, orders
