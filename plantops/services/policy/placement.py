"""Safety stock placed across the supply network by the guaranteed-service model.

Every node of the network is a stage (:mod:`~plantops.engines.policy.gsm`), in calendar
days (sites work different weeks): its processing time is its lead time in working days
stretched to calendar days and rounded up; its holding cost per unit and day is its rate
times its cost over 365; its own demand per day is its item's weekly sales and forecast at
the site over 7; a transfer's source
supplies it one for one and a BOM's inputs supply the run's driver output per unit of
that output. Stages of items that cannot be stocked (phantoms, services) get a holding
cost so high that they never hold stock: they pass on what they are promised plus their
own processing time. Components shared by several users are decoupled (they promise
their users immediate service); the rest is solved exactly by the dynamic programme.
Customers are promised ``customer_service_days``. The safety factor of each stage is
``z = F^-1(target)`` of its line's cycle service level.

A stage's base-stock level covers its demand over its net replenishment time ``tau``;
its fill rate is that of ordering up to it every day with that protection. Service times
are in calendar days.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import special

from plantops.engines.policy import Demand, ServiceNetwork, optimize_network, periodic_fill_rate
from plantops.services.policy.demand import NodeDemand
from plantops.services.policy.methods import Candidates, Computed
from plantops.services.policy.network import SupplyNetwork
from plantops.services.policy.sourcing import Sourcing
from plantops.vocabulary import DemandDistribution

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
#: Holding cost of stages that cannot hold stock, as a multiple of the dearest stockable stage's.
UNSTOCKABLE_PENALTY = 1e6
DAYS_A_WEEK = 7.0
DAYS_A_YEAR = 365.0


def guaranteed_service(
    network: SupplyNetwork,
    demand: NodeDemand,
    sourcing: Sourcing,
    rows: Candidates,
    nodes: I64,
    *,
    holding_rate: F64,
    customer_service_days: int,
    default_target: float,
) -> tuple[Computed, F64, F64]:
    """The policy of each candidate row, and its net weekly demand mean and deviation."""
    size = len(network.nodes)
    working = np.array([network.working_days[network.site(n)] for n in range(size)], dtype=np.float64)
    cost = np.array([float(network.item(n).standard_cost) for n in range(size)])
    stockable = np.array([network.item(n).stocked for n in range(size)])
    holding = holding_rate * cost / DAYS_A_YEAR
    holding = np.where(stockable, holding, UNSTOCKABLE_PENALTY * max(float(holding.max(initial=0.0)), 1.0))
    target = np.full(size, default_target)
    target[nodes] = rows.target
    up: list[int] = []
    down: list[int] = []
    units: list[float] = []
    for node, source in network.transfer_from.items():
        up.append(source)
        down.append(node)
        units.append(1.0)
    for run, (driver, per_run) in zip(network.runs, demand.drivers, strict=True):
        for node, quantity in run.inputs:
            up.append(node)
            down.append(driver)
            units.append(quantity / per_run)
    stages = ServiceNetwork.of(
        processing_time=np.ceil(sourcing.lead_time_days * DAYS_A_WEEK / working - 1e-9),
        holding_cost=holding,
        upstream=up,
        downstream=down,
        units=units,
        demand_mean=demand.own_mean / DAYS_A_WEEK,
        demand_std=demand.own_std / np.sqrt(DAYS_A_WEEK),
        max_service_time=customer_service_days,
        demand_bound=special.ndtri(target),
    )
    placement = optimize_network(stages)

    result = Computed.empty(len(rows), rows.unit_cost)
    result.distribution = [DemandDistribution.NORMAL] * len(rows)
    tau = placement.net_replenishment_time[nodes].astype(np.float64)
    daily = Demand.of(DemandDistribution.NORMAL, placement.demand_mean[nodes], placement.demand_std[nodes])
    unit = 10.0 ** -rows.decimals.astype(np.float64)
    safety = np.ceil(placement.safety_stock[nodes] / unit - 1e-9) * unit
    level = placement.demand_mean[nodes] * tau + safety
    covered = tau > 0
    served = periodic_fill_rate(
        daily.over(np.maximum(tau, 1.0)), daily.over(np.maximum(tau - 1, 0.0)), level, np.maximum(daily.mean, 1e-12)
    )
    result.safety_stock = safety
    result.order_up_to = level
    result.service_time_days = placement.outbound_service_time[nodes].astype(np.int64)
    result.expected_cost = rows.holding * safety
    result.cycle_service = np.where(covered, daily.over(np.maximum(tau, 1.0)).cdf(level), 1.0)
    result.fill_rate = np.where(covered & (daily.mean > 0), np.clip(served, 0.0, 1.0), 1.0)
    mean = placement.demand_mean[nodes] * DAYS_A_WEEK
    return result, mean, placement.demand_std[nodes] * np.sqrt(DAYS_A_WEEK)
