"""Run material requirements planning and keep its result as the plan in force.

A run reads the plant, plans it with :mod:`plantops.engines.mrp` and writes the run,
its planned orders, time-phased records and exception messages in one transaction: a
run that fails or is interrupted leaves the previous plan in force. Firm planned orders
of the plan in force are planned around (kept as they are) and carried into the new run.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import time
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import zstandard
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from plantops import bounds
from plantops.db.base import table_of
from plantops.db.bulk import bulk_insert, insert_arrays
from plantops.db.planning import MrpRecord, PlanException, PlannedOrder, PlanRun
from plantops.db.session import UnitOfWork
from plantops.engines.mrp import Exceptions, MrpPlan, plan
from plantops.engines.mrp.demand import demand_lines
from plantops.engines.mrp.kinds import EXCEPTION_KINDS, LATE_CAUSES, ORDER_KINDS
from plantops.errors import ValidationError
from plantops.services.planning.names import demand_names, receipt_names
from plantops.services.planning.problem import FirmOrders, LoadedProblem, PlanRequest, load_problem
from plantops.vocabulary import PlanExceptionKind, PlannedOrderStatus

Progress = Callable[[str], None]
"""Told the name of each step as it starts: read, plan, write."""

RECORD_ROWS = (
    "gross_requirements",
    "scheduled_receipts",
    "projected_on_hand",
    "net_requirements",
    "planned_order_receipts",
    "planned_order_releases",
)


@dataclass(frozen=True)
class PlanSummary:
    number: str
    nodes: int
    planned_orders: int
    firm_orders_kept: int
    exceptions: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)


def run_plan(
    uow: UnitOfWork, request: PlanRequest, *, run_by: str | None = None, progress: Progress | None = None
) -> PlanSummary:
    """Plan the whole plant and make the result the plan in force."""
    check_request(request)
    step = progress or (lambda _name: None)
    seconds: dict[str, float] = {}
    started_at = dt.datetime.now(dt.UTC)
    with uow:
        session = uow.session
        clock = time.perf_counter()
        step("read")
        in_force = plan_in_force(session)
        loaded = load_problem(session, request, firm_from_run=in_force)
        seconds["read"] = time.perf_counter() - clock
        clock = time.perf_counter()
        step("plan")
        result = plan(loaded.problem)
        _ = result.orders, result.exceptions  # computed on first read: count them as planning
        seconds["plan"] = time.perf_counter() - clock
        clock = time.perf_counter()
        step("write")
        run_id, number = _write_run(session, request, loaded, started_at, run_by or getpass.getuser())
        written = _write_orders(session, run_id, loaded, result)
        kept = _carry_firm_orders(session, run_id, loaded.firm_orders, after=written)
        session.execute(update(PlanRun).where(PlanRun.id == run_id).values(order_count=written + kept))
        _write_records(session, run_id, loaded, result)
        counts = _write_exceptions(session, run_id, loaded, result)
        uow.commit()
        seconds["write"] = time.perf_counter() - clock
    return PlanSummary(number, loaded.node_count, written, kept, counts, seconds)


def plan_in_force(session: Session) -> int | None:
    """The id of the newest run: the plan that counts."""
    return session.scalar(select(func.max(PlanRun.id)))


def check_request(request: PlanRequest) -> None:
    """What :func:`run_plan` refuses in ``request``, raised before any work (so that a page can refuse
    a plan before starting it in the background)."""
    bounds.check_date("plan", "start", request.start)
    if request.weeks < 1:
        raise ValidationError("plan", "weeks", f"must be at least 1, got {request.weeks}")
    if request.weeks > 260:
        raise ValidationError("plan", "weeks", f"at most 260 weeks (five years), got {request.weeks}")
    for name in ("frozen_weeks", "slushy_weeks", "forecast_backward", "forecast_forward"):
        if getattr(request, name) < 0:
            raise ValidationError("plan", name, f"must not be negative, got {getattr(request, name)}")
    if request.slushy_weeks and request.slushy_weeks < request.frozen_weeks:
        raise ValidationError("plan", "slushy_weeks", "the slushy fence cannot lie inside the frozen fence")


def _write_run(
    session: Session, request: PlanRequest, loaded: LoadedProblem, started_at: dt.datetime, run_by: str
) -> tuple[int, str]:
    buckets = [str(d) for d in loaded.problem.settings.buckets.astype("datetime64[D]")]
    run_id = session.execute(
        insert(PlanRun)
        .values(
            number="pending",
            started_at=started_at,
            finished_at=started_at,
            run_by=run_by,
            horizon_start=request.start,
            bucket_starts=json.dumps(buckets),
            settings=json.dumps({k: str(v) for k, v in asdict(request).items()}),
        )
        .returning(PlanRun.id)
    ).scalar_one()
    number = f"PLAN-{run_id:06d}"
    session.execute(
        table_of(PlanRun)
        .update()
        .where(table_of(PlanRun).c.id == run_id)
        .values(number=number, finished_at=dt.datetime.now(dt.UTC))
    )
    return run_id, number


def _write_orders(session: Session, run_id: int, loaded: LoadedProblem, result: MrpPlan) -> int:
    """Every planned order at its position ``n`` in the engine's order, numbered ``P<run>-<n>``
    (pegging relies on it; the engine plans each node's orders one after the other)."""
    orders = result.orders
    count = len(orders)
    if not count:
        return 0
    node_item, node_site = loaded.node_item, loaded.node_site
    bom_ids = np.append(loaded.boms, -1)  # index -1 reads the trailing -1
    kinds = np.array(ORDER_KINDS, dtype=object)
    return insert_arrays(
        session.connection(),
        table_of(PlannedOrder),
        {
            "run_id": np.full(count, run_id),
            "position": np.arange(1, count + 1),
            "number": np.char.add(f"P{run_id}-", np.arange(1, count + 1).astype(str)),
            "item_id": node_item[orders.node],
            "site_id": node_site[orders.node],
            "kind": kinds[orders.kind],
            "quantity": orders.quantity,
            "release_date": orders.release_date,
            "due_date": orders.due_date,
            "bom_id": bom_ids[orders.bom],
            "supplier_id": orders.supplier,
            "source_site_id": np.where(orders.source >= 0, node_site[np.maximum(orders.source, 0)], -1),
            "driver_item_id": node_item[orders.driver],
            "status": np.full(count, PlannedOrderStatus.PLANNED.value, dtype=object),
        },
    )


def _carry_firm_orders(session: Session, run_id: int, firm: FirmOrders, *, after: int) -> int:
    """Copy the firm planned orders the run planned around into it, after its own, numbers unchanged."""
    if not firm.positions:
        return 0
    table = table_of(PlannedOrder)
    columns = [c for c in table.c if c.name not in ("run_id", "position")]
    rows = session.execute(
        select(*columns).where(table.c.run_id == firm.run_id, table.c.position.in_(firm.positions))
    ).all()
    values = {c.name: [getattr(r, c.name) for r in rows] for c in columns}
    values["run_id"] = [run_id] * len(rows)
    values["position"] = list(range(after + 1, after + len(rows) + 1))
    return bulk_insert(session.connection(), table, values)


def pack_record(rows: np.ndarray, packer: zstandard.ZstdCompressor) -> bytes:
    """The six rows of a time-phased record as Zstandard-compressed little-endian float64."""
    return packer.compress(np.ascontiguousarray(rows, dtype="<f8").tobytes())


def unpack_record(blob: bytes, buckets: int) -> np.ndarray:
    """The rows of a packed record (Zstandard, or zlib as the first plan runs stored them)."""
    data = zstandard.ZstdDecompressor().decompress(blob) if blob[:4] == ZSTD_MAGIC else zlib.decompress(blob)
    return np.frombuffer(data, dtype="<f8").reshape(len(RECORD_ROWS), buckets)


ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def _write_records(session: Session, run_id: int, loaded: LoadedProblem, result: MrpPlan) -> None:
    """Each node's time-phased record, and where its planned orders lie among the run's positions."""
    tables = np.stack([getattr(result, name) for name in RECORD_ROWS], axis=1)  # nodes x 6 x buckets
    nodes = loaded.node_count
    order_count = np.bincount(result.orders.node, minlength=nodes)
    first_order = np.full(nodes, 0, dtype=np.int64)
    if len(result.orders):
        first_order[result.orders.node[::-1]] = np.arange(len(result.orders), 0, -1)  # the first position wins
    packer = zstandard.ZstdCompressor(level=1)
    insert_arrays(
        session.connection(),
        table_of(MrpRecord),
        {
            "run_id": np.full(nodes, run_id),
            "item_id": loaded.node_item,
            "site_id": loaded.node_site,
            "low_level_code": result.low_level_codes,
            "rows": [pack_record(tables[n], packer) for n in range(nodes)],
            "first_order": first_order,
            "order_count": order_count,
        },
    )


def _write_exceptions(session: Session, run_id: int, loaded: LoadedProblem, result: MrpPlan) -> dict[str, int]:
    """The messages' facts, a column at a time; the sentence is written when they are read.

    Each names the order it concerns: the scheduled receipt (PO-12/1, WO-7) with its due date as
    planned, or the planned order (past due, inside the slushy fence, or past due and so making
    demand late); late demand also names the demand made late (see :func:`_late_demands`).
    """
    found = result.exceptions
    count = len(found)
    if not count:
        return {}
    node_item, node_site = loaded.node_item, loaded.node_site
    buckets = loaded.problem.settings.buckets.astype("datetime64[D]")
    last = buckets.size - 1
    named = receipt_names(session, loaded)
    documents = np.asarray([named[r] for r in range(len(named))] + [""], dtype=object)
    receipt_kinds = np.array([*loaded.receipts.kind.tolist(), None], dtype=object)
    receipt_dues = np.append(loaded.problem.receipts.due.astype("datetime64[D]"), np.datetime64("NaT"))
    kinds = np.array([kind.value for kind in EXCEPTION_KINDS], dtype=object)
    causes = np.array([cause.value for cause in LATE_CAUSES] + [None], dtype=object)
    need = np.where(found.need_bucket >= 0, found.need_bucket, 0).clip(max=last)
    planned = np.char.add(f"P{run_id}-", (found.order + 1).astype(str))  # numbered as _write_orders does
    is_order = found.order >= 0
    due = receipt_dues[found.receipt]
    document_due = np.datetime_as_string(due).astype(object)
    document_due[is_order | np.isnat(due)] = None
    insert_arrays(
        session.connection(),
        table_of(PlanException),
        {
            "run_id": np.full(count, run_id),
            "position": np.arange(1, count + 1),
            "kind": kinds[found.kind],
            "item_id": node_item[found.node],
            "site_id": node_site[found.node],
            "date": buckets[found.bucket.clip(max=last)],
            "quantity": found.quantity,
            "need_date": np.where(found.need_bucket >= 0, np.datetime_as_string(buckets[need]), None),
            "cause": causes[found.cause],
            "days_late": found.days_late,
            "document": np.where(is_order, planned, documents[found.receipt]),
            "document_kind": np.where(is_order, PLANNED_DOCUMENT, receipt_kinds[found.receipt]),
            "document_due": document_due,
            "demand": _late_demands(session, loaded, found),
        },
    )
    names, counts = np.unique(kinds[found.kind].astype(str), return_counts=True)
    return dict(zip(names.tolist(), counts.tolist(), strict=True))


PLANNED_DOCUMENT = "planned"
"""The document kind of an exception naming a planned order of its run; the others name a scheduled
receipt by its kind in :class:`~plantops.services.planning.problem.References` (purchase, work, firm)."""


def _late_demands(session: Session, loaded: LoadedProblem, found: Exceptions) -> np.ndarray:
    """For each late-demand message, the demand line it makes late: of the item at the site, in the
    message's week, the one served last (sales orders before forecast, by priority and id); None where
    no end demand falls there (a component's dependent demand) and for the other messages."""
    problem = loaded.problem
    result = np.full(len(found), None, dtype=object)
    late = np.flatnonzero(found.kind == EXCEPTION_KINDS.index(PlanExceptionKind.LATE_DEMAND))
    lines, bucket, forecast = demand_lines(problem)
    if not late.size or not lines.size:
        return result
    width = problem.settings.horizon + 1
    key = problem.demands.node[lines] * width + bucket
    order = np.lexsort((problem.demands.id[lines], problem.demands.priority[lines], forecast, key))
    keys = key[order]
    wanted = found.node[late] * width + found.bucket[late]
    at = np.searchsorted(keys, wanted, side="right") - 1
    hit = (at >= 0) & (keys[np.maximum(at, 0)] == wanted)
    demand = lines[order[at[hit]]]
    names = demand_names(session, loaded, demand.tolist())
    result[late[hit]] = [names[d] for d in demand.tolist()]
    return result
