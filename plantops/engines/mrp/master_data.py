"""What the engine plans: nodes with their planning parameters, BOMs and supplier items.

A *node* is an item at a site (Orlicky's "item" extended to several sites, as in
distribution requirements planning). The service that loads the database builds one
node per stocked (item, site) pair and maps every id to a position in these arrays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from plantops.engines.mrp import _checks as check
from plantops.engines.mrp._checks import F64, I64, Bool, Dates
from plantops.engines.mrp.kinds import (
    EOQ,
    FOQ,
    LOT_SIZE_RULES,
    MAKE,
    MIN_MAX,
    NO_POLICY,
    POQ,
    PROCUREMENTS,
    REORDER_POINT,
    encode,
    encode_policies,
)
from plantops.errors import ValidationError

_NODES = "mrp nodes"
_BOMS = "mrp boms"
_SUPPLIERS = "mrp supplier items"


def _optional(values: ArrayLike | None, size: int, field: str, none: float) -> F64:
    """A non-negative quantity where NaN (a database NULL) means ``none``."""
    array = check.floats(values, _NODES, field, size, none, allow_nan=True)
    return np.where(np.isnan(array), none, array)


def _level(values: ArrayLike | None, size: int, field: str) -> F64:
    """A policy's stock level (may be negative: a reorder point below zero waits for backorders); NaN: not set."""
    return check.floats(values, _NODES, field, size, np.nan, minimum=-check.BOUND, allow_nan=True)


@dataclass(frozen=True, eq=False)
class Nodes:
    """One element per node (item at a site): what it is and how it is planned.

    - ``item``, ``site``: the item (for supplier items) and site (calendar row) of the node;
    - ``procurement``: :data:`~plantops.engines.mrp.kinds.PROCUREMENTS` codes (make, buy, transfer);
    - ``phantom``: a phantom assembly, blown through (never stocked on purpose, never ordered);
    - ``lead_time``: working days from release to receipt (make: production, buy: supplier
      unless a supplier item gives its own, transfer: transit);
    - ``lot_size_rule`` (codes of :data:`~plantops.engines.mrp.kinds.LOT_SIZE_RULES`) and its
      parameters ``fixed_order_quantity``, ``order_periods``, ``ordering_cost`` (S, per order),
      ``holding_cost_rate`` (per year, times ``unit_cost`` gives H per unit and year);
    - ``min_order_quantity`` (0: none), ``order_multiple`` (0: none), ``max_order_quantity``
      (inf: none), applied to order quantities after the rule;
    - ``safety_stock``; ``yield_rate`` (receipt = order quantity x yield);
    - ``bom``: the BOM that makes the node (-1: none); ``source``: the node a transfer
      node is supplied from (-1: none);
    - ``policy``: the inventory policy that plans the node instead of its safety stock and
      lot-size rule (codes: 0 none, 1 ``reorder_point`` (r, Q), 2 ``min_max`` (s, S); see
      :mod:`~plantops.engines.mrp.policies`), with ``reorder_point`` (r or s),
      ``order_quantity`` (Q) and ``order_up_to`` (S) in stock units (NaN: not set) and
      ``review_weeks``, the buckets between two reviews (at least 1).
    """

    item: I64
    site: I64
    procurement: np.ndarray[tuple[int], np.dtype[np.int8]]
    phantom: Bool
    lead_time: I64
    lot_size_rule: np.ndarray[tuple[int], np.dtype[np.int8]]
    fixed_order_quantity: F64
    order_periods: I64
    ordering_cost: F64
    holding_cost_rate: F64
    unit_cost: F64
    min_order_quantity: F64
    order_multiple: F64
    max_order_quantity: F64
    safety_stock: F64
    yield_rate: F64
    bom: I64
    source: I64
    policy: np.ndarray[tuple[int], np.dtype[np.int8]]
    reorder_point: F64
    order_quantity: F64
    order_up_to: F64
    review_weeks: I64

    @classmethod
    def of(
        cls,
        *,
        item: ArrayLike,
        site: ArrayLike | None = None,
        procurement: ArrayLike | None = None,
        phantom: ArrayLike | None = None,
        lead_time: ArrayLike | None = None,
        lot_size_rule: ArrayLike | None = None,
        fixed_order_quantity: ArrayLike | None = None,
        order_periods: ArrayLike | None = None,
        ordering_cost: ArrayLike | None = None,
        holding_cost_rate: ArrayLike | None = None,
        unit_cost: ArrayLike | None = None,
        min_order_quantity: ArrayLike | None = None,
        order_multiple: ArrayLike | None = None,
        max_order_quantity: ArrayLike | None = None,
        safety_stock: ArrayLike | None = None,
        yield_rate: ArrayLike | None = None,
        bom: ArrayLike | None = None,
        source: ArrayLike | None = None,
        policy: ArrayLike | Iterable[str | None] | None = None,
        reorder_point: ArrayLike | None = None,
        order_quantity: ArrayLike | None = None,
        order_up_to: ArrayLike | None = None,
        review_weeks: ArrayLike | None = None,
    ) -> Nodes:
        """Validate and convert; omitted columns default to a bought, lot-for-lot node without limits or policy.

        Words may be given as :class:`~plantops.vocabulary.Procurement` /
        :class:`~plantops.vocabulary.LotSizeRule` / :class:`~plantops.vocabulary.ReplenishmentPolicy`
        values or their codes (a policy of None or "" is none). A fractional lead
        time counts as the next whole working day.
        """
        items = check.ints(item, _NODES, "item", None)
        size = items.size
        rules = (
            np.zeros(size, np.int8)
            if lot_size_rule is None
            else encode(lot_size_rule, LOT_SIZE_RULES, _NODES, "lot_size_rule")
        )
        lead = check.floats(lead_time, _NODES, "lead_time", size)
        periods = _optional(order_periods, size, "order_periods", 0.0)
        review = _optional(review_weeks, size, "review_weeks", 1.0)
        if (review != np.round(review)).any():
            raise ValidationError(
                _NODES,
                "review_weeks",
                f"node {check.first_bad(review != np.round(review))}: must be a whole number of buckets",
            )
        nodes = cls(
            item=items,
            site=check.ints(site, _NODES, "site", size),
            procurement=np.ones(size, np.int8)
            if procurement is None
            else encode(procurement, PROCUREMENTS, _NODES, "procurement"),
            phantom=check.bools(phantom, _NODES, "phantom", size),
            lead_time=np.ceil(lead - 1e-9).astype(np.int64),
            lot_size_rule=rules,
            fixed_order_quantity=_optional(fixed_order_quantity, size, "fixed_order_quantity", 0.0),
            order_periods=np.round(periods).astype(np.int64),
            ordering_cost=check.floats(ordering_cost, _NODES, "ordering_cost", size),
            holding_cost_rate=check.floats(holding_cost_rate, _NODES, "holding_cost_rate", size),
            unit_cost=check.floats(unit_cost, _NODES, "unit_cost", size),
            min_order_quantity=_optional(min_order_quantity, size, "min_order_quantity", 0.0),
            order_multiple=_optional(order_multiple, size, "order_multiple", 0.0),
            max_order_quantity=_optional(max_order_quantity, size, "max_order_quantity", np.inf),
            safety_stock=check.floats(safety_stock, _NODES, "safety_stock", size),
            yield_rate=check.floats(yield_rate, _NODES, "yield_rate", size, 1.0, positive=True),
            bom=check.ints(bom, _NODES, "bom", size, -1),
            source=check.ints(source, _NODES, "source", size, -1),
            policy=np.zeros(size, np.int8) if policy is None else encode_policies(policy, _NODES, "policy"),
            reorder_point=_level(reorder_point, size, "reorder_point"),
            order_quantity=check.floats(order_quantity, _NODES, "order_quantity", size, np.nan, allow_nan=True),
            order_up_to=_level(order_up_to, size, "order_up_to"),
            review_weeks=review.astype(np.int64),
        )
        nodes._validate()
        return nodes

    def _validate(self) -> None:
        for field in ("procurement", "lot_size_rule", "site", "phantom", "policy"):
            if getattr(self, field).size != self.item.size:
                raise ValidationError(
                    _NODES, field, f"has {getattr(self, field).size} values, expected {self.item.size}"
                )
        checks: list[tuple[str, Bool, str]] = [
            ("site", self.site < 0, "must not be negative"),
            ("phantom", self.phantom & (self.procurement != MAKE), "a phantom must be made"),
            ("max_order_quantity", self.max_order_quantity <= 0, "must be positive"),
            ("max_order_quantity", self.max_order_quantity < self.min_order_quantity, "is below the minimum"),
            ("max_order_quantity", self.max_order_quantity < self.order_multiple, "is below the order multiple"),
            (
                "fixed_order_quantity",
                (self.lot_size_rule == FOQ) & (self.fixed_order_quantity <= 0),
                "the fixed order quantity rule needs a positive fixed order quantity",
            ),
            (
                "fixed_order_quantity",
                (self.lot_size_rule == FOQ) & (self.fixed_order_quantity > self.max_order_quantity),
                "exceeds the maximum order quantity",
            ),
            (
                "order_periods",
                (self.lot_size_rule == POQ) & (self.order_periods < 1),
                "the period order quantity rule needs at least one period",
            ),
            (
                "ordering_cost",
                (self.lot_size_rule == EOQ) & (self.ordering_cost <= 0),
                "the economic order quantity needs a positive ordering cost",
            ),
            (
                "holding_cost_rate",
                (self.lot_size_rule == EOQ) & (self.holding_cost_rate * self.unit_cost <= 0),
                "the economic order quantity needs a positive holding cost rate and unit cost",
            ),
            *self._policy_checks(),
        ]
        for field, bad, reason in checks:
            if bad.any():
                row = check.first_bad(bad)
                raise ValidationError(_NODES, field, f"node {row}: {reason}")

    def _policy_checks(self) -> list[tuple[str, Bool, str]]:
        reorder, min_max = self.policy == REORDER_POINT, self.policy == MIN_MAX
        return [
            (
                "reorder_point",
                (self.policy != NO_POLICY) & np.isnan(self.reorder_point),
                "a reorder point or min-max policy needs a reorder point",
            ),
            (
                "order_quantity",
                reorder & ~(self.order_quantity > 0),
                "a reorder point policy needs a positive order quantity",
            ),
            ("order_up_to", min_max & np.isnan(self.order_up_to), "a min-max policy needs an order-up-to level"),
            ("order_up_to", min_max & (self.order_up_to < self.reorder_point), "must not lie below the reorder point"),
            ("review_weeks", self.review_weeks < 1, "must be at least one bucket"),
            (
                "policy",
                (self.policy != NO_POLICY) & self.phantom,
                "a phantom is never ordered, so it follows no policy",
            ),
        ]

    def __len__(self) -> int:
        return int(self.item.size)

    def label(self, node: int) -> str:
        """How a message names a node."""
        return f"node {node} (item {int(self.item[node])} at site {int(self.site[node])})"


@dataclass(frozen=True, eq=False)
class Boms:
    """Bills of materials over nodes; one element per BOM, per component line, per extra output.

    BOM ``b`` makes ``quantity[b]`` of its main output node ``main[b]`` per batch. Its
    component lines ``l`` (``line_bom[l] == b``) consume ``line_quantity[l]`` of node
    ``line_component[l]`` per batch, plus scrap: the requirement per batch is
    ``line_quantity / (1 - line_scrap)``. Lines with the same ``line_group >= 0`` in one
    BOM are alternates of each other; the lowest ``line_priority`` is the primary. A
    line applies to an order released on a day in ``[line_valid_from, line_valid_to)``
    (NaT: open). Co-products and by-products are ``output_*``: ``output_quantity`` of
    ``output_node`` per batch of ``output_bom``.
    """

    main: I64
    quantity: F64
    line_bom: I64
    line_component: I64
    line_quantity: F64
    line_scrap: F64
    line_group: I64
    line_priority: I64
    line_valid_from: Dates
    line_valid_to: Dates
    line_operation: I64
    output_bom: I64
    output_node: I64
    output_quantity: F64

    @classmethod
    def of(
        cls,
        *,
        main: ArrayLike,
        quantity: ArrayLike | None = None,
        line_bom: ArrayLike,
        line_component: ArrayLike,
        line_quantity: ArrayLike,
        line_scrap: ArrayLike | None = None,
        line_group: ArrayLike | None = None,
        line_priority: ArrayLike | None = None,
        line_valid_from: ArrayLike | None = None,
        line_valid_to: ArrayLike | None = None,
        line_operation: ArrayLike | None = None,
        output_bom: ArrayLike | None = None,
        output_node: ArrayLike | None = None,
        output_quantity: ArrayLike | None = None,
    ) -> Boms:
        """Validate and convert (batch quantity 1, no scrap, no alternates, always valid by default)."""
        mains = check.ints(main, _BOMS, "main", None)
        line_boms = check.ints(line_bom, _BOMS, "line_bom", None)
        lines = line_boms.size
        out_boms = (
            check.ints(output_bom, _BOMS, "output_bom", None) if output_bom is not None else np.zeros(0, np.int64)
        )
        outputs = out_boms.size
        boms = cls(
            main=mains,
            quantity=check.floats(quantity, _BOMS, "quantity", mains.size, 1.0, positive=True),
            line_bom=line_boms,
            line_component=check.ints(line_component, _BOMS, "line_component", lines),
            line_quantity=check.floats(line_quantity, _BOMS, "line_quantity", lines, positive=True),
            line_scrap=check.floats(line_scrap, _BOMS, "line_scrap", lines),
            line_group=check.ints(line_group, _BOMS, "line_group", lines, -1),
            line_priority=check.ints(line_priority, _BOMS, "line_priority", lines, 1),
            line_valid_from=check.dates(line_valid_from, _BOMS, "line_valid_from", lines, allow_nat=True),
            line_valid_to=check.dates(line_valid_to, _BOMS, "line_valid_to", lines, allow_nat=True),
            line_operation=check.ints(line_operation, _BOMS, "line_operation", lines, -1),
            output_bom=out_boms,
            output_node=check.ints(output_node, _BOMS, "output_node", outputs),
            output_quantity=check.floats(output_quantity, _BOMS, "output_quantity", outputs, positive=True),
        )
        boms._validate()
        return boms

    @classmethod
    def empty(cls) -> Boms:
        return cls.of(main=[], line_bom=[], line_component=[], line_quantity=[])

    def _validate(self) -> None:
        check.indexes(self.line_bom, self.main.size, _BOMS, "line_bom")
        check.indexes(self.output_bom, self.main.size, _BOMS, "output_bom")
        if (self.line_scrap >= 1).any():
            raise ValidationError(_BOMS, "line_scrap", f"row {check.first_bad(self.line_scrap >= 1)}: must be below 1")
        both = ~np.isnat(self.line_valid_from) & ~np.isnat(self.line_valid_to)
        empty = both & (self.line_valid_to <= self.line_valid_from)
        if empty.any():
            raise ValidationError(_BOMS, "line_valid_to", f"row {check.first_bad(empty)}: must be after valid_from")
        if (self.output_node == self.main[self.output_bom]).any():
            row = check.first_bad(self.output_node == self.main[self.output_bom])
            raise ValidationError(_BOMS, "output_node", f"row {row}: the main product is not a co-product")
        pairs = self.output_bom * (int(self.output_node.max(initial=0)) + 1) + self.output_node
        if np.unique(pairs).size != pairs.size:
            raise ValidationError(_BOMS, "output_node", "a BOM lists the same co-product twice")
        grouped = self.line_group >= 0
        if grouped.any():
            keys = np.stack([self.line_bom[grouped], self.line_group[grouped], self.line_component[grouped]])
            if np.unique(keys, axis=1).shape[1] != keys.shape[1]:
                raise ValidationError(_BOMS, "line_group", "an alternate group lists the same component twice")

    def __len__(self) -> int:
        return int(self.main.size)

    @property
    def line_factor(self) -> F64:
        """Component quantity per unit of the main product: ``quantity / batch / (1 - scrap)``."""
        result: F64 = self.line_quantity / self.quantity[self.line_bom] / (1.0 - self.line_scrap)
        return result


@dataclass(frozen=True, eq=False)
class SupplierItems:
    """Who supplies an item: ``rank`` 1 is preferred; its lead time, minimum and multiple override the node's.

    ``quota_share`` (NaN: none) splits an item's purchases between its suppliers by quota
    (:mod:`~plantops.engines.mrp.quota`); the shares of one item's supplier items must sum to 1.
    """

    item: I64
    supplier: I64
    rank: I64
    lead_time: I64
    min_order_quantity: F64
    order_multiple: F64
    quota_share: F64

    @classmethod
    def of(
        cls,
        *,
        item: ArrayLike,
        supplier: ArrayLike,
        lead_time: ArrayLike,
        rank: ArrayLike | None = None,
        min_order_quantity: ArrayLike | None = None,
        order_multiple: ArrayLike | None = None,
        quota_share: ArrayLike | None = None,
    ) -> SupplierItems:
        items = check.ints(item, _SUPPLIERS, "item", None)
        size = items.size
        lead = check.floats(lead_time, _SUPPLIERS, "lead_time", size)
        minimum = check.floats(min_order_quantity, _SUPPLIERS, "min_order_quantity", size, allow_nan=True)
        multiple = check.floats(order_multiple, _SUPPLIERS, "order_multiple", size, allow_nan=True)
        ranks = check.ints(rank, _SUPPLIERS, "rank", size, 1)
        if (ranks < 1).any():
            raise ValidationError(_SUPPLIERS, "rank", f"row {check.first_bad(ranks < 1)}: must be at least 1")
        shares = check.floats(quota_share, _SUPPLIERS, "quota_share", size, float("nan"), allow_nan=True, maximum=1.0)
        _check_quota_shares(items, shares)
        return cls(
            item=items,
            supplier=check.ints(supplier, _SUPPLIERS, "supplier", size),
            rank=ranks,
            lead_time=np.ceil(lead - 1e-9).astype(np.int64),
            min_order_quantity=np.nan_to_num(minimum, nan=0.0),
            order_multiple=np.nan_to_num(multiple, nan=0.0),
            quota_share=shares,
        )

    @classmethod
    def empty(cls) -> SupplierItems:
        return cls.of(item=[], supplier=[], lead_time=[])

    def __len__(self) -> int:
        return int(self.item.size)


#: How far the quota shares of one item may be from summing to 1.
QUOTA_TOLERANCE = 1e-6


def _check_quota_shares(items: I64, shares: F64) -> None:
    """Each share is in [0, 1] and the shares of one item (those it has) sum to 1 within :data:`QUOTA_TOLERANCE`."""
    present = ~np.isnan(shares)
    outside = present & ((shares < 0) | (shares > 1))
    if outside.any():
        raise ValidationError(_SUPPLIERS, "quota_share", f"row {check.first_bad(outside)}: must be between 0 and 1")
    if not present.any():
        return
    known, inverse = np.unique(items[present], return_inverse=True)
    total = np.bincount(inverse, weights=shares[present], minlength=known.size)
    wrong = np.abs(total - 1.0) > QUOTA_TOLERANCE
    if wrong.any():
        item = int(known[np.argmax(wrong)])
        raise ValidationError(
            _SUPPLIERS,
            "quota_share",
            f"item {item}: the quota shares sum to {float(total[np.argmax(wrong)]):g}, they must sum to 1",
        )
