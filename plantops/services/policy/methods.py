"""The single-site policies of each method, for many items at once, in the units planners use.

Demand is per week, lead times in weeks (working days over the site's working days a
week), costs per year (holding cost ``h = rate x unit cost`` per unit and year, ``K`` per
order). Quantities are rounded to the item's unit: order quantities to the nearest
(at least the minimum), reorder and order-up-to levels up, so that rounding never costs
service; expected cost and service are those of the rounded policy.

- :func:`reorder_point`: continuous review (r, Q) of least ordering and holding cost
  meeting the target (:func:`~plantops.engines.policy.least_cost_rq`), within the order's
  minimum, maximum and multiple; with all-units price breaks, each price region is solved
  within its bounds and the cheapest counting the purchase price is kept (the all-units
  discount rule of :mod:`~plantops.engines.policy.eoq` applied to (r, Q)).
- :func:`periodic`: weekly review (s, S) by Zheng & Federgruen at the backorder cost that
  just meets the target (:func:`~plantops.engines.policy.least_cost_ss`).
- :func:`base_stock`: order up to ``S`` every week, ``S`` the smallest level meeting the target.

Safety stock is the level less the mean demand it protects (over the lead time for (r, Q),
over the lead time and a week for the periodic policies).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace

import numpy as np
from numpy.typing import NDArray

from plantops.engines.policy import (
    Demand,
    choose_distribution,
    cycle_service_level,
    expected_on_hand,
    fill_rate,
    lead_time_demand,
    least_cost_rq,
    least_cost_ss,
    order_up_to_for_target,
    periodic_fill_rate,
    reorder_point_for_target,
)
from plantops.errors import ValidationError
from plantops.vocabulary import DemandDistribution, ServiceMeasure

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
WEEKS_A_YEAR = 52.0
#: Lattice points for (s, S) with continuous demand per weekly deviation, a quarter of a week's
#: demand or a tenth of the economic order quantity, whichever is widest.
PERIODIC_POINTS = 40


@dataclass(frozen=True)
class Candidates:
    """The item-site rows to compute, with what each policy needs."""

    codes: list[str]  # "ITEM at SITE", for messages
    mean: F64  # per week
    std: F64
    lead_weeks: F64
    lead_std_weeks: F64
    unit_cost: F64
    holding_rate: F64
    ordering_cost: F64
    target: F64
    decimals: I64
    min_quantity: F64
    max_quantity: F64
    multiple: F64
    price_breaks: list[list[tuple[float, float]]]

    def __len__(self) -> int:
        return int(self.mean.size)

    def take(self, keep: NDArray[np.bool_]) -> Candidates:
        """The rows where ``keep`` holds."""
        rows = np.flatnonzero(keep).tolist()
        return replace(
            self,
            codes=[self.codes[r] for r in rows],
            price_breaks=[self.price_breaks[r] for r in rows],
            **{name: getattr(self, name)[keep] for name in _CANDIDATE_ARRAYS},
        )

    @property
    def holding(self) -> F64:
        """Holding cost per unit and year at the item's cost."""
        return np.asarray(self.holding_rate * self.unit_cost, dtype=np.float64)


@dataclass
class Computed:
    """Per candidate row: the policy and its expected cost per year and service."""

    distribution: list[DemandDistribution]
    safety_stock: F64
    reorder_point: F64  # NaN where the method has none
    order_quantity: F64
    order_up_to: F64
    expected_cost: F64
    cycle_service: F64
    fill_rate: F64
    unit_cost: F64
    service_time_days: I64 = field(default_factory=lambda: np.zeros(0, np.int64))

    def take(self, keep: NDArray[np.bool_]) -> Computed:
        """The rows where ``keep`` holds."""
        rows = np.flatnonzero(keep).tolist()
        return replace(
            self,
            distribution=[self.distribution[r] for r in rows],
            **{name: getattr(self, name)[keep] for name in _COMPUTED_ARRAYS},
        )

    @classmethod
    def empty(cls, size: int, unit_cost: F64) -> Computed:
        nan = np.full(size, np.nan)
        return cls(
            distribution=[DemandDistribution.NORMAL] * size,
            safety_stock=np.zeros(size),
            reorder_point=nan.copy(),
            order_quantity=nan.copy(),
            order_up_to=nan.copy(),
            expected_cost=np.zeros(size),
            cycle_service=np.zeros(size),
            fill_rate=np.zeros(size),
            unit_cost=unit_cost.copy(),
            service_time_days=np.full(size, -1, np.int64),
        )


_CANDIDATE_ARRAYS = [f.name for f in fields(Candidates) if f.name not in ("codes", "price_breaks")]
_COMPUTED_ARRAYS = [f.name for f in fields(Computed) if f.name != "distribution"]


def distributions(
    rows: Candidates, forced: DemandDistribution | None, *, protection_weeks: F64
) -> list[DemandDistribution]:
    """The law fitted to each row's demand over its protection interval (or the one the planner chose)."""
    mean = rows.mean * protection_weeks
    std = np.sqrt(protection_weeks * rows.std**2 + rows.mean**2 * rows.lead_std_weeks**2)
    fixed_lead = rows.lead_std_weeks == 0
    if forced is None:
        return choose_distribution(mean, std, (rows.decimals == 0) & fixed_lead)
    if forced is DemandDistribution.POISSON and not fixed_lead.all():
        row = int(np.flatnonzero(~fixed_lead)[0])
        raise ValidationError(
            rows.codes[row], "distribution", "Poisson demand needs a fixed lead time; this one varies (use gamma)"
        )
    return [forced] * len(rows)


def reorder_point(rows: Candidates, measure: ServiceMeasure, forced: DemandDistribution | None) -> Computed:
    """Continuous review (r, Q) of least cost meeting each row's target, price breaks considered."""
    result = Computed.empty(len(rows), rows.unit_cost)
    result.distribution = distributions(rows, forced, protection_weeks=rows.lead_weeks)
    rate = rows.mean * WEEKS_A_YEAR
    for kind in set(result.distribution):
        group = np.array([d is kind for d in result.distribution])
        index = np.flatnonzero(group)
        segments = _price_segments(rows, index)
        row = np.array([s[0] for s in segments])
        price = np.array([s[3] for s in segments])
        weekly = Demand.of(kind, rows.mean[row], rows.std[row])
        over_lead = lead_time_demand(weekly, rows.lead_weeks[row], rows.lead_std_weeks[row])
        policy = least_cost_rq(
            over_lead,
            measure=measure,
            target=rows.target[row],
            holding_cost=rows.holding_rate[row] * price,
            fixed_cost=rows.ordering_cost[row],
            demand_rate=rate[row],
            min_quantity=np.array([s[1] for s in segments]),
            max_quantity=np.array([s[2] for s in segments]),
            order_multiple=rows.multiple[row],
        )
        total = policy.cost + rate[row] * price
        for node in index:
            options = np.flatnonzero(row == node)
            best = options[np.argmin(total[options])]
            result.order_quantity[node] = policy.order_quantity[best]
            result.unit_cost[node] = price[best]
        _round_reorder_policy(rows, index, kind, measure, result)
    return result


def _price_segments(rows: Candidates, index: I64) -> list[tuple[int, float, float, float]]:
    """(row, lowest quantity, highest quantity, unit price) of every price region within the order limits."""
    segments: list[tuple[int, float, float, float]] = []
    for node in index.tolist():
        low, high = float(rows.min_quantity[node]), float(rows.max_quantity[node])
        breaks = rows.price_breaks[node] or [(0.0, float(rows.unit_cost[node]))]
        for k, (start, price) in enumerate(breaks):
            end = breaks[k + 1][0] if k + 1 < len(breaks) else math.inf
            lower, upper = max(low, start if k else 0.0), min(high, end)
            if lower <= upper and upper > 0:
                segments.append((node, lower, upper, price))
        if not any(s[0] == node for s in segments):
            segments.append((node, low, high, float(rows.unit_cost[node])))
    return segments


def _round_reorder_policy(
    rows: Candidates, index: I64, kind: DemandDistribution, measure: ServiceMeasure, result: Computed
) -> None:
    """Round Q to the unit (and the multiple), raise r to the unit, and state cost and service."""
    unit = 10.0 ** -rows.decimals[index].astype(np.float64)
    quantity = np.maximum(
        np.round(result.order_quantity[index] / unit) * unit, np.maximum(rows.min_quantity[index], unit)
    )
    step = rows.multiple[index]
    quantity = np.where(step > 0, np.ceil(quantity / np.where(step > 0, step, 1) - 1e-9) * step, quantity)
    weekly = Demand.of(kind, rows.mean[index], rows.std[index])
    over_lead = lead_time_demand(weekly, rows.lead_weeks[index], rows.lead_std_weeks[index])
    point = reorder_point_for_target(over_lead, measure, rows.target[index], quantity)
    point = np.ceil(point / unit - 1e-9) * unit
    price = result.unit_cost[index]
    on_hand = expected_on_hand(over_lead, point, quantity)
    result.order_quantity[index] = quantity
    result.reorder_point[index] = point
    result.safety_stock[index] = point - over_lead.mean
    result.expected_cost[index] = (
        rows.ordering_cost[index] * rows.mean[index] * WEEKS_A_YEAR / quantity
        + rows.holding_rate[index] * price * on_hand
    )
    result.cycle_service[index] = cycle_service_level(over_lead, point)
    result.fill_rate[index] = fill_rate(over_lead, point, quantity)


def base_stock(rows: Candidates, measure: ServiceMeasure, forced: DemandDistribution | None) -> Computed:
    """Order up to ``S`` every week: the smallest ``S`` meeting each row's target."""
    result = Computed.empty(len(rows), rows.unit_cost)
    result.distribution = distributions(rows, forced, protection_weeks=rows.lead_weeks + 1)
    for kind in set(result.distribution):
        index = np.flatnonzero(np.array([d is kind for d in result.distribution]))
        weekly = Demand.of(kind, rows.mean[index], rows.std[index])
        protection = lead_time_demand(weekly, rows.lead_weeks[index] + 1, rows.lead_std_weeks[index])
        over_lead = lead_time_demand(weekly, rows.lead_weeks[index], rows.lead_std_weeks[index])
        unit = 10.0 ** -rows.decimals[index].astype(np.float64)
        level = order_up_to_for_target(protection, over_lead, measure, rows.target[index], weekly.mean)
        level = np.ceil(level / unit - 1e-9) * unit
        on_hand = level - protection.mean + protection.loss(level)
        result.order_up_to[index] = level
        result.safety_stock[index] = level - protection.mean
        result.expected_cost[index] = rows.ordering_cost[index] * WEEKS_A_YEAR + rows.holding[index] * on_hand
        result.cycle_service[index] = protection.cdf(level)
        result.fill_rate[index] = periodic_fill_rate(protection, over_lead, level, weekly.mean)
    return result


def periodic(rows: Candidates, measure: ServiceMeasure, forced: DemandDistribution | None) -> Computed:
    """Weekly review (s, S) of least cost meeting each row's target (Zheng-Federgruen)."""
    result = Computed.empty(len(rows), rows.unit_cost)
    result.distribution = distributions(rows, forced, protection_weeks=rows.lead_weeks + 1)
    for node, kind in enumerate(result.distribution):
        weekly = Demand.of(kind, rows.mean[node], rows.std[node])
        unit = 10.0 ** -int(rows.decimals[node])
        usual_order = math.sqrt(2 * rows.ordering_cost[node] * rows.mean[node] * WEEKS_A_YEAR / rows.holding[node])
        spread = max(float(rows.std[node]), float(rows.mean[node]) / 4, usual_order / 10) / PERIODIC_POINTS
        step = None if weekly.discrete else max(unit, round(spread / unit) * unit)
        policy = least_cost_ss(
            weekly,
            measure=measure,
            target=float(rows.target[node]),
            holding_cost=float(rows.holding[node]) / WEEKS_A_YEAR,
            fixed_cost=float(rows.ordering_cost[node]),
            lead_time=float(rows.lead_weeks[node]),
            lead_time_std=float(rows.lead_std_weeks[node]),
            step=step,
        )
        protection = lead_time_demand(weekly, rows.lead_weeks[node] + 1, rows.lead_std_weeks[node])
        result.reorder_point[node] = policy.reorder_point
        result.order_up_to[node] = policy.order_up_to
        result.order_quantity[node] = policy.order_up_to - policy.reorder_point
        result.safety_stock[node] = policy.reorder_point - float(protection.mean[0])
        result.expected_cost[node] = (policy.ordering_cost + policy.holding_cost) * WEEKS_A_YEAR
        result.cycle_service[node] = policy.cycle_service_level
        result.fill_rate[node] = policy.fill_rate
    return result
