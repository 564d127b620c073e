"""Safety stock placement across a supply network: the guaranteed-service model.

Graves & Willems, "Optimizing strategic safety stock placement in supply chains",
*Manufacturing & Service Operations Management* 2(1), 68-83, 2000 (erratum 5(2), 2003);
notation of Snyder & Shen, *Fundamentals of Supply Chain Theory*, 2nd ed. (2019), ch. 6.

Each stage ``k`` (an item at a site) takes ``T_k`` periods to process, promises its
customers an outbound service time ``S_k`` and is promised the inbound service time
``SI_k = max_{i upstream} S_i`` (the outside supplier's ``si_k`` for a stage with none).
It holds the safety stock ``z_k sigma_k sqrt(tau_k)`` for its net replenishment time
``tau_k = SI_k + T_k - S_k >= 0``, at holding cost ``h_k`` per unit per period; its base-stock
level is ``mu_k tau_k + z_k sigma_k sqrt(tau_k)``. A stage with external demand promises at
most ``s_k`` (its maximum service time). Demand at a stage is its own plus ``phi`` units
per unit of each downstream stage's, deviations pooled: ``sigma_k^2 = own^2 + sum phi^2 sigma_j^2``.
The model chooses the service times that minimise ``sum_k h_k z_k sigma_k sqrt(tau_k)``.

- :func:`optimize_tree` solves a network whose stages, ignoring arc directions, form a
  tree (or a forest) exactly, by the dynamic programme of Graves & Willems (2000, §4):
  label the stages so that each has at most one neighbour of higher label (peel leaves);
  in label order compute, over integer service times, ``f_k(S)`` (the best cost of the
  stages labelled before ``k`` and connected to it, with ``k`` promising ``S``) when the
  higher neighbour is downstream, or ``g_k(SI)`` when it is upstream, from
  ``c_k(S, SI) = h_k z_k sigma_k sqrt(SI + T_k - S) + sum_{i upstream} min_{x <= SI} f_i(x)
  + sum_{j downstream} min_{y >= S} g_j(y)``; the last stage takes the best ``(S, SI)``, and
  the others follow back in reverse label order.
- :func:`optimize_network` handles bills of materials where a component is used by
  several items: each such shared stage is decoupled, promising service time 0 to all of
  its users and holding the stock for their pooled demand; what remains is a forest,
  solved exactly. (The optimum over general networks needs a search over the shared
  stages' service times; decoupling gives a feasible placement that is exact wherever
  nothing is shared.)
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from plantops.engines.policy._checks import F64, I64, floats, same_length
from plantops.errors import ValidationError

RECORD = "guaranteed-service network"


@dataclass(frozen=True)
class ServiceNetwork:
    """Stages (rows) and the arcs ``upstream[a] -> downstream[a]`` with ``units[a]`` per unit."""

    processing_time: I64
    holding_cost: F64
    demand_mean: F64  # external demand per period at the stage (0 for none)
    demand_std: F64
    max_service_time: I64  # longest outbound service time promised to external customers
    inbound_service_time: I64  # what outside suppliers promise a stage without upstream stages
    demand_bound: F64  # z_k, the safety factor of the demand bound
    upstream: I64
    downstream: I64
    units: F64

    @classmethod
    def of(
        cls,
        *,
        processing_time: ArrayLike,
        holding_cost: ArrayLike,
        upstream: ArrayLike = (),
        downstream: ArrayLike = (),
        units: ArrayLike | None = None,
        demand_mean: ArrayLike = 0.0,
        demand_std: ArrayLike = 0.0,
        max_service_time: ArrayLike = 0,
        inbound_service_time: ArrayLike = 0,
        demand_bound: ArrayLike = 1.6448536269514722,
    ) -> ServiceNetwork:
        processing = _whole(processing_time, "processing_time")
        size = processing.size
        columns = {
            "holding_cost": floats(holding_cost, RECORD, "holding_cost"),
            "demand_mean": floats(demand_mean, RECORD, "demand_mean"),
            "demand_std": floats(demand_std, RECORD, "demand_std"),
            "demand_bound": floats(demand_bound, RECORD, "demand_bound"),
        }
        whole = {
            "max_service_time": _whole(max_service_time, "max_service_time"),
            "inbound_service_time": _whole(inbound_service_time, "inbound_service_time"),
        }
        same_length(RECORD, processing_time=processing.astype(np.float64), **columns)
        stretched = {name: np.broadcast_to(value, size).copy() for name, value in {**columns, **whole}.items()}
        up = _whole(upstream, "upstream") if np.size(upstream) else np.zeros(0, np.int64)
        down = _whole(downstream, "downstream") if np.size(downstream) else np.zeros(0, np.int64)
        phi = np.ones(up.size) if units is None else floats(units, RECORD, "units", positive=True)
        if not up.size == down.size == phi.size:
            raise ValidationError(RECORD, "downstream", "need one downstream stage and quantity per upstream stage")
        if up.size and (max(up.max(), down.max()) >= size or (up == down).any()):
            raise ValidationError(RECORD, "upstream", "arcs must join two different stages of the network")
        return cls(
            processing_time=processing,
            upstream=up,
            downstream=down,
            units=np.broadcast_to(phi, up.size).copy(),
            **stretched,
        )

    def __len__(self) -> int:
        return int(self.processing_time.size)


@dataclass(frozen=True)
class ServicePlacement:
    """Service times, net replenishment times and safety stock per stage, and the total cost."""

    outbound_service_time: I64
    inbound_service_time: I64
    net_replenishment_time: I64
    demand_mean: F64  # net demand per period
    demand_std: F64
    safety_stock: F64
    base_stock: F64
    decoupled: np.ndarray  # stages promising 0 to several users (optimize_network)
    cost: float  # holding cost of the safety stock per period


def net_demand(network: ServiceNetwork) -> tuple[F64, F64]:
    """Mean and pooled deviation of each stage's demand: its own plus its downstream stages'."""
    order = _downstream_first(network)
    mean, variance = network.demand_mean.copy(), network.demand_std**2
    for stage in order:
        for arc in np.flatnonzero(network.upstream == stage):
            child = network.downstream[arc]
            mean[stage] += network.units[arc] * mean[child]
            variance[stage] += network.units[arc] ** 2 * variance[child]
    return mean, np.sqrt(variance)


def optimize_tree(network: ServiceNetwork) -> ServicePlacement:
    """The optimal service times of a network whose stages form a tree (or forest), exactly."""
    mean, std = net_demand(network)
    decoupled = np.zeros(len(network), np.bool_)
    return _solve(network, np.arange(network.upstream.size), mean, std, network.max_service_time, decoupled)


def optimize_network(network: ServiceNetwork) -> ServicePlacement:
    """Service times for any acyclic network: shared stages decoupled, the remaining forest solved exactly."""
    mean, std = net_demand(network)
    users = np.bincount(network.upstream, minlength=len(network))
    decoupled = users > 1
    kept = np.flatnonzero(~decoupled[network.upstream])
    max_service = np.where(decoupled, 0, network.max_service_time)
    return _solve(network, kept, mean, std, max_service, decoupled)


# --- the dynamic programme ----------------------------------------------------------------


def _solve(
    network: ServiceNetwork, arcs: I64, mean: F64, std: F64, max_service: I64, decoupled: np.ndarray
) -> ServicePlacement:
    up, down = network.upstream[arcs], network.downstream[arcs]
    _require_forest(len(network), up, down)
    longest = _maximum_replenishment(network, up, down)
    external = (network.demand_mean > 0) | (network.demand_std > 0) | decoupled
    stages = [
        _Stage(
            k,
            network.processing_time[k],
            network.holding_cost[k] * network.demand_bound[k] * std[k],
            longest[k],
            network.inbound_service_time[k] if not (down == k).any() else 0,
            max_service[k] if external[k] else longest[k],
        )
        for k in range(len(network))
    ]
    neighbours: dict[int, list[tuple[int, bool]]] = defaultdict(list)  # (other stage, other is upstream)
    for u, d in zip(up.tolist(), down.tolist(), strict=True):
        neighbours[d].append((u, True))
        neighbours[u].append((d, False))
    outbound = np.zeros(len(network), np.int64)
    inbound = np.zeros(len(network), np.int64)
    for order in _labelled_components(len(network), neighbours):
        _tree_programme(order, stages, neighbours, outbound, inbound)
    tau = inbound + network.processing_time - outbound
    safety = network.demand_bound * std * np.sqrt(tau)
    return ServicePlacement(
        outbound_service_time=outbound,
        inbound_service_time=inbound,
        net_replenishment_time=tau,
        demand_mean=mean,
        demand_std=std,
        safety_stock=safety,
        base_stock=mean * tau + safety,
        decoupled=decoupled,
        cost=float(np.dot(network.holding_cost, safety)),
    )


class _Stage:
    """One stage's ranges of service times and, once computed, its cost table."""

    def __init__(self, index: int, processing: int, weight: float, longest: int, si_min: int, s_max: int) -> None:
        self.index, self.processing, self.weight = index, int(processing), float(weight)
        self.si_min, self.si_max = int(si_min), int(longest - processing)
        self.s_max = int(min(s_max, longest))
        self.f: F64 = np.zeros(0)  # best cost by outbound service time S = 0..s_max (parent downstream)
        self.g: F64 = np.zeros(0)  # best cost by inbound service time SI = si_min..si_max (parent upstream)
        self.table: F64 = np.zeros((0, 0))

    def cheapest_up_to(self, x: I64) -> F64:
        """``min_{S <= x} f(S)`` for each ``x``."""
        prefix = np.minimum.accumulate(self.f)
        return np.where(x < 0, np.inf, prefix[np.clip(x, 0, self.s_max)])

    def cheapest_from(self, y: I64) -> F64:
        """``min_{SI >= y} g(SI)`` for each ``y``."""
        suffix = np.minimum.accumulate(self.g[::-1])[::-1]
        return np.where(y > self.si_max, np.inf, suffix[np.clip(y, self.si_min, self.si_max) - self.si_min])


def _tree_programme(
    order: list[int],
    stages: list[_Stage],
    neighbours: dict[int, list[tuple[int, bool]]],
    outbound: I64,
    inbound: I64,
) -> None:
    """Graves & Willems' programme over one tree, stages in label order; fills the service times."""
    label = {stage: position for position, stage in enumerate(order)}
    for stage_index in order:
        stage = stages[stage_index]
        s_values = np.arange(stage.s_max + 1)
        si_values = np.arange(stage.si_min, stage.si_max + 1)
        tau = si_values[None, :] + stage.processing - s_values[:, None]
        table = np.where(tau >= 0, stage.weight * np.sqrt(np.maximum(tau, 0)), np.inf)
        for other, other_is_upstream in neighbours[stage_index]:
            if label[other] > label[stage_index]:
                continue
            child = stages[other]
            if other_is_upstream:
                table = table + child.cheapest_up_to(si_values)[None, :]
            else:
                table = table + child.cheapest_from(s_values)[:, None]
        stage.table = table
        stage.f, stage.g = table.min(axis=1), table.min(axis=0)
    root = stages[order[-1]]
    best_s, best_si = np.unravel_index(int(np.argmin(root.table)), root.table.shape)
    outbound[root.index], inbound[root.index] = int(best_s), int(best_si) + root.si_min
    for stage_index in reversed(order[:-1]):
        stage = stages[stage_index]
        parent, parent_is_upstream = next((o, up) for o, up in neighbours[stage_index] if label[o] > label[stage_index])
        if parent_is_upstream:  # the parent supplies this stage: its SI must cover the parent's S
            first = max(int(outbound[parent]), stage.si_min) - stage.si_min
            si = first + int(np.argmin(stage.g[first:]))
            s = int(np.argmin(stage.table[:, si]))
        else:  # this stage supplies the parent: its S must not exceed the parent's SI
            s = int(np.argmin(stage.f[: min(int(inbound[parent]), stage.s_max) + 1]))
            si = int(np.argmin(stage.table[s, :]))
        outbound[stage_index], inbound[stage_index] = s, si + stage.si_min


def _labelled_components(size: int, neighbours: dict[int, list[tuple[int, bool]]]) -> list[list[int]]:
    """Per connected tree, its stages in an order where each has at most one later neighbour."""
    degree = [len(neighbours[k]) for k in range(size)]
    done = [False] * size
    components: list[list[int]] = []
    for start in range(size):
        if done[start]:
            continue
        members = _component(start, neighbours)
        queue = deque(k for k in members if degree[k] <= 1)
        order: list[int] = []
        while queue:
            stage = queue.popleft()
            if done[stage]:
                continue
            done[stage] = True
            order.append(stage)
            for other, _ in neighbours[stage]:
                if not done[other]:
                    degree[other] -= 1
                    if degree[other] == 1:
                        queue.append(other)
        if len(order) != len(members):
            raise ValidationError(RECORD, "upstream", "the stages do not form a tree")
        components.append(order)
    return components


def _component(start: int, neighbours: dict[int, list[tuple[int, bool]]]) -> list[int]:
    seen, stack = {start}, [start]
    while stack:
        for other, _ in neighbours[stack.pop()]:
            if other not in seen:
                seen.add(other)
                stack.append(other)
    return sorted(seen)


def _require_forest(size: int, up: I64, down: I64) -> None:
    """Refuse arcs that close a cycle when directions are ignored (union-find)."""
    parent = list(range(size))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for u, d in zip(up.tolist(), down.tolist(), strict=True):
        a, b = root(u), root(d)
        if a == b:
            raise ValidationError(RECORD, "upstream", f"stages {u} and {d} close a cycle: the network is not a tree")
        parent[a] = b


def _maximum_replenishment(network: ServiceNetwork, up: I64, down: I64) -> I64:
    """``M_k = T_k + max(si_k, max_{i upstream} M_i)``: the longest an order can take to fill."""
    longest = network.processing_time + network.inbound_service_time
    for stage in reversed(_downstream_first(network)):
        suppliers = up[down == stage]
        if suppliers.size:
            longest[stage] = network.processing_time[stage] + max(0, int(longest[suppliers].max()))
    return longest


def _downstream_first(network: ServiceNetwork) -> list[int]:
    """Stages ordered so that every stage comes after all the stages it supplies (Kahn's algorithm)."""
    remaining = np.bincount(network.upstream, minlength=len(network))  # arcs to downstream stages not yet placed
    ready = deque(np.flatnonzero(remaining == 0).tolist())
    order: list[int] = []
    while ready:
        stage = ready.popleft()
        order.append(stage)
        for arc in np.flatnonzero(network.downstream == stage):
            supplier = int(network.upstream[arc])
            remaining[supplier] -= 1
            if remaining[supplier] == 0:
                ready.append(supplier)
    if len(order) != len(network):
        raise ValidationError(RECORD, "upstream", "the arcs form a cycle: a stage would supply itself")
    return order


def _whole(values: ArrayLike, field: str) -> I64:
    array = floats(values, RECORD, field)
    if (array != np.round(array)).any():
        raise ValidationError(RECORD, field, "must be whole numbers of periods")
    return array.astype(np.int64)
