"""Compute inventory policies for every item and site and keep them as a policy run.

A run reads the sales history, the forecast, the catalog and the supply side
(:mod:`.demand`, :mod:`.network`, :mod:`.sourcing`), classifies each item at each site
(ABC by annual value of its demand at its cost, XYZ by the coefficient of variation of its
weekly demand), sets its service target (the planner's, or by ABC class), computes the
policy of the chosen method (:mod:`.methods`, :mod:`.placement`) and writes the run and
its lines in one transaction. Every node reads its item's parameters at its site (lead
time, procurement and transfer source, lot-size rule, order limits, safety stock: the
item-site record's where set, else the item's), and its line records them as ``before_*``.
It changes no planning parameter: :mod:`.apply` does that.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from plantops import bounds
from plantops.db.base import table_of
from plantops.db.bulk import bulk_insert
from plantops.db.catalog import Item
from plantops.db.inventory_policy import PolicyLine, PolicyRun
from plantops.db.session import UnitOfWork
from plantops.engines.policy import abc_classes, xyz_classes
from plantops.errors import NotFoundError, ValidationError
from plantops.services.policy import methods
from plantops.services.policy.demand import NodeDemand, node_demand, read_own_demand
from plantops.services.policy.methods import Candidates, Computed
from plantops.services.policy.network import SupplyNetwork, read_network
from plantops.services.policy.placement import guaranteed_service
from plantops.services.policy.sourcing import Sourcing, read_sourcing
from plantops.vocabulary import AbcClass, DemandDistribution, PolicyMethod, ServiceMeasure, XyzClass

Progress = Callable[[str], None]
"""Told the name of each step as it starts: read, compute, write."""

EXACT = Decimal("0.000001")
_LINE_COLUMNS = [c.name for c in table_of(PolicyLine).c if c.name not in ("id", "applied_at", "applied_by")]


@dataclass(frozen=True)
class PolicyRequest:
    """What the planner asks for. Without a ``target``, each item's ABC class sets it (``class_targets``)."""

    today: dt.date
    method: PolicyMethod = PolicyMethod.REORDER_POINT
    measure: ServiceMeasure = ServiceMeasure.CYCLE_SERVICE_LEVEL
    target: float | None = None
    class_targets: tuple[float, float, float] = (0.98, 0.95, 0.90)  # A, B, C
    items: tuple[str, ...] = ()
    history_weeks: int = 52
    horizon_weeks: int = 13
    distribution: DemandDistribution | None = None
    holding_cost_rate: float = 0.25  # per year, for items without one
    ordering_cost: float = 50.0  # per order, for items without one
    customer_service_days: int = 0  # guaranteed service: what customers are promised


@dataclass(frozen=True)
class Skipped:
    item: str
    site: str
    reason: str


@dataclass(frozen=True)
class RunSummary:
    number: str
    lines: int
    skipped: list[Skipped] = field(default_factory=list)


def compute_policies(
    uow: UnitOfWork, request: PolicyRequest, *, computed_by: str | None = None, progress: Progress | None = None
) -> RunSummary:
    """Compute the policies the request asks for and keep them as a new run."""
    _check(request)
    step = progress or (lambda _name: None)

    def work(session: Session) -> RunSummary:
        step("read")
        wanted = _item_ids(session, request.items)
        own = read_own_demand(
            session, request.today, history_weeks=request.history_weeks, horizon_weeks=request.horizon_weeks
        )
        network = read_network(session, own.seeds(), request.today)
        demand = node_demand(network, own)
        sourcing = read_sourcing(session, network)
        step("compute")
        nodes, not_computed = _candidates(network, demand, request.method)
        skipped = [reason for item, reason in not_computed if wanted is None or item in wanted]
        skipped += _absent(session, network, wanted)
        rows, classes = _rows(network, demand, sourcing, nodes, request)  # classes over all items
        computed, mean, std = _compute(network, demand, sourcing, rows, nodes, request)
        keep = np.array([wanted is None or network.nodes[n][0] in wanted for n in nodes.tolist()], dtype=np.bool_)
        step("write")
        number = _write(
            session,
            request,
            network,
            demand,
            sourcing,
            nodes[keep],
            rows.take(keep),
            _take_classes(classes, keep),
            computed.take(keep),
            mean[keep],
            std[keep],
            computed_by,
        )
        return RunSummary(number, int(keep.sum()), skipped)

    return uow.run(work)


def _check(request: PolicyRequest) -> None:
    record = "policy"
    bounds.check_date(record, "today", request.today)
    if (request.today - bounds.EARLIEST_DATE).days < 7 * request.history_weeks:
        raise ValidationError(record, "history_weeks", f"reaches back before {bounds.EARLIEST_DATE}")
    if (bounds.LATEST_DATE - request.today).days < 7 * request.horizon_weeks:
        raise ValidationError(record, "horizon_weeks", f"reaches past {bounds.LATEST_DATE}")
    if request.target is not None and not 0 < request.target < 1:
        field_name = "fill_rate" if request.measure is ServiceMeasure.FILL_RATE else "service_level"
        raise ValidationError(record, field_name, f"must lie between 0 and 1 (exclusive), got {request.target:g}")
    if any(not 0 < t < 1 for t in request.class_targets):
        raise ValidationError(record, "class_targets", "each class target must lie between 0 and 1 (exclusive)")
    if request.history_weeks < 8:
        raise ValidationError(record, "history_weeks", f"need at least 8 weeks, got {request.history_weeks}")
    if request.horizon_weeks < 1:
        raise ValidationError(record, "horizon_weeks", f"must be at least 1, got {request.horizon_weeks}")
    if request.holding_cost_rate <= 0:
        raise ValidationError(record, "holding_cost_rate", f"must be above 0, got {request.holding_cost_rate:g}")
    if request.ordering_cost < 0:
        raise ValidationError(record, "ordering_cost", f"must not be negative, got {request.ordering_cost:g}")
    if request.customer_service_days < 0:
        raise ValidationError(record, "customer_service_days", "must not be negative")
    if request.method is PolicyMethod.GUARANTEED_SERVICE and request.measure is ServiceMeasure.FILL_RATE:
        raise ValidationError(
            record,
            "fill_rate",
            "the guaranteed-service model places stock for a cycle service level: use --service-level",
        )


def _item_ids(session: Session, codes: tuple[str, ...]) -> set[int] | None:
    if not codes:
        return None
    found = dict(session.execute(select(Item.code, Item.id).where(Item.code.in_(codes))).all())
    for code in codes:
        if code not in found:
            raise NotFoundError("item", code)
    return set(found.values())


def _candidates(
    network: SupplyNetwork, demand: NodeDemand, method: PolicyMethod
) -> tuple[np.ndarray, list[tuple[int, Skipped]]]:
    """Every node that can have a policy, and those that cannot (by item id), with the reason."""
    nodes: list[int] = []
    skipped: list[tuple[int, Skipped]] = []
    for node, (item_id, site) in enumerate(network.nodes):
        item = network.item(node)
        if not item.stocked:
            continue
        reason = None
        if demand.mean[node] <= 0:
            reason = "no demand: nothing sold, forecast or used by other items"
        elif item.standard_cost <= 0 and method is not PolicyMethod.GUARANTEED_SERVICE:
            reason = "standard_cost is 0: holding cost unknown"
        if reason is None:
            nodes.append(node)
        else:
            skipped.append((item_id, Skipped(item.code, network.sites[site], reason)))
    return np.array(nodes, dtype=np.int64), skipped


def _take_classes(
    classes: tuple[list[AbcClass], list[XyzClass], np.ndarray], keep: np.ndarray
) -> tuple[list[AbcClass], list[XyzClass], np.ndarray]:
    abc, xyz, variation = classes
    rows = np.flatnonzero(keep).tolist()
    return [abc[r] for r in rows], [xyz[r] for r in rows], variation[keep]


def _absent(session: Session, network: SupplyNetwork, wanted: set[int] | None) -> list[Skipped]:
    """Wanted items no node of the network holds: they have no demand anywhere."""
    if wanted is None:
        return []
    present = {item for item, _ in network.nodes}
    missing = sorted(wanted - present)
    codes = dict(session.execute(select(Item.id, Item.code).where(Item.id.in_(missing))).all())
    return [Skipped(codes[i], "", "no demand: nothing sold, forecast or used by other items") for i in missing]


def _rows(
    network: SupplyNetwork, demand: NodeDemand, sourcing: Sourcing, nodes: np.ndarray, request: PolicyRequest
) -> tuple[Candidates, tuple[list[AbcClass], list[XyzClass], np.ndarray]]:
    """The candidates' inputs, classes and service targets."""
    items = [network.item(n) for n in nodes.tolist()]
    days = np.array([network.working_days[network.site(n)] for n in nodes.tolist()], dtype=np.float64)
    cost = np.array([float(i.standard_cost) for i in items])
    mean, std = demand.mean[nodes], demand.std[nodes]
    abc = abc_classes(mean * methods.WEEKS_A_YEAR * cost)
    xyz, variation = xyz_classes(mean, std)
    by_class = dict(zip(AbcClass, request.class_targets, strict=True))
    target = np.array([request.target if request.target is not None else by_class[c] for c in abc])
    rows = Candidates(
        codes=[f"{i.code} at {network.sites[network.site(n)]}" for i, n in zip(items, nodes.tolist(), strict=True)],
        mean=mean,
        std=std,
        lead_weeks=sourcing.lead_time_days[nodes] / days,
        lead_std_weeks=sourcing.lead_time_std_days[nodes] / days,
        unit_cost=cost,
        holding_rate=np.array(
            [float(i.holding_cost_rate) if i.holding_cost_rate else request.holding_cost_rate for i in items]
        ),
        ordering_cost=np.array(
            [float(i.ordering_cost) if i.ordering_cost is not None else request.ordering_cost for i in items]
        ),
        target=target,
        decimals=np.array([i.decimals for i in items], dtype=np.int64),
        min_quantity=sourcing.min_quantity[nodes],
        max_quantity=sourcing.max_quantity[nodes],
        multiple=sourcing.multiple[nodes],
        price_breaks=[sourcing.price_breaks[n] for n in nodes.tolist()],
    )
    return rows, (abc, xyz, variation)


def _compute(
    network: SupplyNetwork,
    demand: NodeDemand,
    sourcing: Sourcing,
    rows: Candidates,
    nodes: np.ndarray,
    request: PolicyRequest,
) -> tuple[Computed, np.ndarray, np.ndarray]:
    if not len(rows):
        return Computed.empty(0, rows.unit_cost), rows.mean, rows.std
    match request.method:
        case PolicyMethod.REORDER_POINT:
            return methods.reorder_point(rows, request.measure, request.distribution), rows.mean, rows.std
        case PolicyMethod.PERIODIC:
            return methods.periodic(rows, request.measure, request.distribution), rows.mean, rows.std
        case PolicyMethod.BASE_STOCK:
            return methods.base_stock(rows, request.measure, request.distribution), rows.mean, rows.std
        case PolicyMethod.GUARANTEED_SERVICE:
            rates = np.array(
                [
                    float(network.item(n).holding_cost_rate or request.holding_cost_rate)
                    for n in range(len(network.nodes))
                ]
            )
            return guaranteed_service(
                network,
                demand,
                sourcing,
                rows,
                nodes,
                holding_rate=rates,
                customer_service_days=request.customer_service_days,
                default_target=request.class_targets[1],
            )


def _write(
    session: Session,
    request: PolicyRequest,
    network: SupplyNetwork,
    demand: NodeDemand,
    sourcing: Sourcing,
    nodes: np.ndarray,
    rows: Candidates,
    classes: tuple[list[AbcClass], list[XyzClass], np.ndarray],
    computed: Computed,
    mean: np.ndarray,
    std: np.ndarray,
    computed_by: str | None,
) -> str:
    now = dt.datetime.now(dt.UTC)
    settings = {
        k: (list(v) if isinstance(v, tuple) else str(v) if v is not None else None) for k, v in asdict(request).items()
    }
    run_id = session.execute(
        insert(PolicyRun)
        .values(
            number="pending",
            computed_at=now,
            computed_by=computed_by or getpass.getuser(),
            method=request.method,
            service_measure=request.measure,
            settings=json.dumps(settings),
        )
        .returning(PolicyRun.id)
    ).scalar_one()
    number = f"POL-{run_id:06d}"
    session.execute(table_of(PolicyRun).update().where(table_of(PolicyRun).c.id == run_id).values(number=number))
    abc, xyz, _ = classes
    columns: dict[str, list[object]] = {name: [] for name in _LINE_COLUMNS}
    for row, node in enumerate(nodes.tolist()):
        item = network.item(node)
        unit = 10.0**-item.decimals
        safety = math.ceil(float(computed.safety_stock[row]) / unit - 1e-9) * unit  # in the item's unit
        values = {
            "run_id": run_id,
            "item_id": item.id,
            "site_id": network.site(node),
            "abc_class": abc[row],
            "xyz_class": xyz[row],
            "distribution": computed.distribution[row],
            "service_target": _exact(rows.target[row]),
            "demand_mean": _exact(mean[row]),
            "demand_std": _exact(std[row]),
            "demand_basis": demand.demand_basis[node],
            "variability_basis": demand.variability_basis[node],
            "history_weeks": int(demand.weeks[node]),
            "lead_time_days": _exact(sourcing.lead_time_days[node]),
            "lead_time_std_days": _exact(sourcing.lead_time_std_days[node]),
            "lead_time_basis": sourcing.lead_time_basis[node],
            "unit_cost": _exact(computed.unit_cost[row]),
            "holding_cost_rate": _exact(rows.holding_rate[row]),
            "ordering_cost": _exact(rows.ordering_cost[row]),
            "safety_stock": _exact(safety),
            "reorder_point": _optional(computed.reorder_point[row]),
            "order_quantity": _optional(computed.order_quantity[row]),
            "order_up_to": _optional(computed.order_up_to[row]),
            "service_time_days": int(computed.service_time_days[row]) if computed.service_time_days[row] >= 0 else None,
            "expected_cost": _exact(computed.expected_cost[row]),
            "expected_cycle_service": _exact(computed.cycle_service[row]),
            "expected_fill_rate": _exact(computed.fill_rate[row]),
            "before_safety_stock": item.safety_stock,
            "before_lot_size_rule": item.lot_size_rule,
            "before_fixed_order_quantity": item.fixed_order_quantity,
            "new_safety_stock": _exact(max(safety, 0.0)),
            "new_lot_size_rule": item.lot_size_rule,  # applying writes the policy, not a lot-size rule
            "new_fixed_order_quantity": item.fixed_order_quantity,
        }
        for name in _LINE_COLUMNS:
            columns[name].append(values[name])
    bulk_insert(session.connection(), table_of(PolicyLine), columns)
    return number


def _exact(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(EXACT)


def _optional(value: float) -> Decimal | None:
    return None if np.isnan(value) else _exact(value)
