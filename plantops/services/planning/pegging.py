"""Pegging in the plan in force, both ways.

- Up: the end demands (sales order lines, forecast, safety stock) a planned order or a
  scheduled receipt (an open purchase order line, a work order) serves, through every BOM
  level (:func:`pegging`, :func:`receipt_pegging`, :func:`peg_up` for either).
- Down: from a sales order line, or every line of a sales order, to the supply serving it
  at every level below and across sites: stock, open purchase order lines and work orders,
  planned orders; and, when something in that tree is late or short, what limits the
  demand (:func:`demand_pegging`).

Pegging is worked out by planning again from the run's settings (the engine pegs on the
plan's arrays, which runs do not store): if the plant changed since the run (new orders,
stock moved, a planned order changed), the error says so and asks for a new run.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from plantops.db.catalog import Item
from plantops.db.planning import MrpRecord, PlannedOrder, PlanRun
from plantops.db.procurement import PurchaseOrder, PurchaseOrderLine
from plantops.db.production import WorkOrder
from plantops.db.sales import SalesOrder, SalesOrderLine
from plantops.db.session import UnitOfWork
from plantops.db.sites import Site
from plantops.engines.mrp import MrpPlan, PegLine, SupplyKind, SupplyLine, peg, peg_down, peg_receipt, plan
from plantops.errors import NotFoundError, ValidationError
from plantops.services.planning.names import demand_names, receipt_names
from plantops.services.planning.problem import LoadedProblem, PlanRequest, load_problem
from plantops.services.planning.queries import OrderView, order_view, position_of, run_in_force

LEAD_TIME = "lead time"
MATERIAL = "material"


@dataclass(frozen=True)
class PegView:
    """Part of a planned order or receipt that serves an end demand (sales order line or forecast), or excess."""

    kind: str
    item: str
    site: str
    week: dt.date | None
    quantity: float
    demand: str | None


@dataclass(frozen=True)
class ReceiptView:
    """A scheduled receipt of the plan: an open purchase order line or work order (``kind``: purchase, work)."""

    document: str
    kind: str
    item: str
    site: str
    quantity: float
    due_date: dt.date


@dataclass(frozen=True)
class SupplyView:
    """Supply serving a demand, ``level`` steps below it; it serves the line at index ``parent`` (-1: the demand).

    ``kind`` is on_hand, receipt, planned_order, co_product, blow_through or shortage;
    ``date`` is when it arrives, ``need_date`` when it is needed. ``late`` says why it
    comes after it is needed: ``lead time`` (a planned order that should have been
    released before today, by ``days_late`` days), ``material`` (a receipt due
    ``days_late`` days after it is needed, or a shortage nothing covers).
    """

    level: int
    parent: int
    item: str
    site: str
    kind: str
    document: str | None
    quantity: float
    date: dt.date | None
    need_date: dt.date | None
    late: str | None
    days_late: int
    lead_time: int | None  # working days, for planned orders
    receipt_kind: str | None  # purchase, work or firm, for scheduled receipts


@dataclass(frozen=True)
class Limit:
    """What keeps a demand from being met by its due date: ``cause`` (material or lead time) at a component."""

    cause: str
    item: str
    site: str
    explanation: str


@dataclass(frozen=True)
class DemandPegging:
    """A sales order line and the supply serving it, level by level, with what limits it when late."""

    demand: str
    item: str
    site: str
    due_date: dt.date
    quantity: float
    supply: list[SupplyView]
    limit: Limit | None


def pegging(uow: UnitOfWork, number: str) -> tuple[OrderView, list[PegView]]:
    """The end demands a planned order of the plan in force serves, through every BOM level."""
    with uow:
        session = uow.session
        run = run_in_force(session)
        view = order_view(session, run.id, position_of(session, run, number))
        loaded, again = _replan(session, run)
        if number.startswith(f"P{run.id}-"):
            lines = peg(again, int(number.split("-", 1)[1]) - 1)
        else:  # a firm order carried from an earlier run: the run planned around it as a scheduled receipt
            earlier = session.scalar(
                select(PlannedOrder.position).where(
                    PlannedOrder.run_id == loaded.firm_orders.run_id, PlannedOrder.number == number
                )
            )
            found = np.flatnonzero((loaded.receipts.kind == "firm") & (loaded.receipts.id == earlier))
            if not found.size:
                raise ValidationError("peg", "plan", f"the plant changed since {run.number}: run `plantops plan` again")
            lines = peg_receipt(again, int(found[0]))
        return view, _peg_views(session, loaded, again, lines)


def receipt_pegging(uow: UnitOfWork, document: str) -> tuple[ReceiptView, list[PegView]]:
    """The end demands an open purchase order line (``PO-12/1``, or ``PO-12`` of one line) or a work order serves."""
    with uow:
        session = uow.session
        run = run_in_force(session)
        kind, row_id, name = _receipt(session, document)
        loaded, again = _replan(session, run)
        found = np.flatnonzero((loaded.receipts.kind == kind) & (loaded.receipts.id == row_id))
        if not found.size:
            raise ValidationError("peg", "order", f"{name} is no open scheduled receipt of {run.number}")
        receipt = int(found[0])
        node = int(loaded.problem.receipts.node[receipt])
        item, site = _codes(session, loaded, [node])
        view = ReceiptView(
            name,
            kind,
            item[node],
            site[node],
            _round(loaded.problem.receipts.quantity[receipt]),
            loaded.problem.receipts.due[receipt].astype(dt.date),
        )
        return view, _peg_views(session, loaded, again, peg_receipt(again, receipt))


def peg_up(uow: UnitOfWork, number: str) -> tuple[OrderView | ReceiptView, list[PegView]]:
    """:func:`pegging` of a planned order, or else :func:`receipt_pegging` of a purchase or work order."""
    try:
        return pegging(uow, number)
    except NotFoundError:
        return receipt_pegging(uow, number)


def demand_pegging(uow: UnitOfWork, demand: str) -> tuple[str, list[DemandPegging]]:
    """The supply serving a sales order line (``SO-12/3``), or each line of a sales order (``SO-12``),
    at every level below it, and what limits each line that is late; with the plan's number."""
    with uow:
        session = uow.session
        run = run_in_force(session)
        lines = _sales_lines(session, demand)
        loaded, again = _replan(session, run)
        sales = loaded.demands.kind == "sales"
        result = []
        for line_id, name, item, site, due, quantity in lines:
            found = np.flatnonzero(sales & (loaded.demands.id == line_id))
            supply = peg_down(again, int(found[0])) if found.size else ()
            views = _supply_views(session, run, loaded, again, supply)
            result.append(DemandPegging(name, item, site, due, quantity, views, _limit(views)))
        return run.number, result


def _sales_lines(session: Session, demand: str) -> list[tuple[int, str, str, str, dt.date, float]]:
    """The open lines ``demand`` names: one line ``SO-12/3``, or every line of ``SO-12``."""
    query = (
        select(
            SalesOrderLine.id,
            SalesOrder.number,
            SalesOrderLine.line,
            Item.code,
            Site.code,
            SalesOrderLine.due_date,
            SalesOrderLine.quantity - SalesOrderLine.shipped_quantity,
        )
        .join(SalesOrder, SalesOrder.id == SalesOrderLine.order_id)
        .join(Item, Item.id == SalesOrderLine.item_id)
        .join(Site, Site.id == SalesOrder.site_id)
        .order_by(SalesOrderLine.line)
    )
    order, _, line = demand.strip().rpartition("/")
    rows: Sequence[Row[int, str, int, str, str, dt.date, Decimal]] = ()
    if order and line.isdigit():
        rows = session.execute(query.where(SalesOrder.number == order, SalesOrderLine.line == int(line))).all()
    if not rows:
        rows = session.execute(query.where(SalesOrder.number == demand.strip())).all()
    if not rows:
        raise NotFoundError("sales order or sales order line", demand)
    return [(r[0], f"{r[1]}/{r[2]}", r[3], r[4], r[5], _round(r[6])) for r in rows]


def _receipt(session: Session, document: str) -> tuple[str, int, str]:
    """The receipt kind (purchase, work), row id and name of ``document``: a work order or a purchase order line."""
    work = session.scalar(select(WorkOrder.id).where(WorkOrder.number == document))
    if work is not None:
        return "work", work, document
    order, _, line = document.rpartition("/")
    lines = select(PurchaseOrderLine.id, PurchaseOrderLine.line).join(
        PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id
    )
    if order and line.isdigit():
        found = session.execute(lines.where(PurchaseOrder.number == order, PurchaseOrderLine.line == int(line))).all()
        if found:
            return "purchase", found[0][0], document
    every = session.execute(lines.where(PurchaseOrder.number == document).order_by(PurchaseOrderLine.line)).all()
    if len(every) == 1:
        return "purchase", every[0][0], f"{document}/{every[0][1]}"
    if every:
        names = ", ".join(f"{document}/{n}" for _, n in every)
        raise ValidationError("peg", "order", f"{document} has {len(every)} lines: name one of {names}")
    raise NotFoundError("planned order, purchase order line or work order", document)


def _replan(session: Session, run: PlanRun) -> tuple[LoadedProblem, MrpPlan]:
    """Plan again as ``run`` did, refusing if the result is not the run's (the plant changed since)."""
    settings = json.loads(run.settings)
    request = PlanRequest(
        start=dt.date.fromisoformat(settings["start"]),
        weeks=int(settings["weeks"]),
        frozen_weeks=int(settings["frozen_weeks"]),
        slushy_weeks=int(settings["slushy_weeks"]),
        forecast_backward=int(settings["forecast_backward"]),
        forecast_forward=int(settings["forecast_forward"]),
    )
    previous = session.scalar(select(PlanRun.id).where(PlanRun.id < run.id).order_by(PlanRun.id.desc()).limit(1))
    loaded = load_problem(session, request, firm_from_run=previous)
    again = plan(loaded.problem)
    counted = select(func.coalesce(func.sum(MrpRecord.order_count), 0)).where(MrpRecord.run_id == run.id)
    planned = session.scalar(counted)
    total = session.scalar(
        select(func.coalesce(func.sum(PlannedOrder.quantity), 0)).where(
            PlannedOrder.run_id == run.id, PlannedOrder.position <= planned
        )
    )
    orders = again.orders
    if planned != len(orders) or abs(float(total or 0) - float(orders.quantity.sum())) > 1e-6 * (len(orders) + 1):
        raise ValidationError("peg", "plan", f"the plant changed since {run.number}: run `plantops plan` again")
    return loaded, again


def _codes(session: Session, loaded: LoadedProblem, nodes: list[int]) -> tuple[dict[int, str], dict[int, str]]:
    """Item and site codes of ``nodes``, by node."""
    items = {int(loaded.node_item[n]) for n in nodes}
    sites = {int(loaded.node_site[n]) for n in nodes}
    item_code = {i: code for i, code in session.execute(select(Item.id, Item.code).where(Item.id.in_(items)))}
    site_code = {i: code for i, code in session.execute(select(Site.id, Site.code).where(Site.id.in_(sites)))}
    return (
        {n: item_code[int(loaded.node_item[n])] for n in nodes},
        {n: site_code[int(loaded.node_site[n])] for n in nodes},
    )


def _peg_views(session: Session, loaded: LoadedProblem, again: MrpPlan, lines: tuple[PegLine, ...]) -> list[PegView]:
    buckets = again.problem.settings.buckets.astype("datetime64[D]").astype(dt.date).tolist()
    item, site = _codes(session, loaded, [line.node for line in lines])
    demands = demand_names(session, loaded, [line.demand for line in lines if line.demand is not None])
    return [
        PegView(
            line.kind.value,
            item[line.node],
            site[line.node],
            buckets[line.bucket] if 0 <= line.bucket < len(buckets) else None,
            line.quantity,
            demands[line.demand] if line.demand is not None else None,
        )
        for line in lines
    ]


def _supply_views(
    session: Session, run: PlanRun, loaded: LoadedProblem, again: MrpPlan, lines: tuple[SupplyLine, ...]
) -> list[SupplyView]:
    problem, orders = again.problem, again.orders
    buckets = problem.settings.buckets.astype("datetime64[D]").astype(dt.date).tolist()
    today = problem.settings.today.astype(dt.date)
    item, site = _codes(session, loaded, [line.supply.node for line in lines])
    receipts = receipt_names(session, loaded, [s.supply.receipt for s in lines if s.supply.receipt is not None])
    views = []
    for line in lines:
        supply = line.supply
        need = buckets[line.need_bucket] if 0 <= line.need_bucket < len(buckets) else None
        document, date, late, days, lead, receipt_kind = None, None, None, 0, None, None
        if supply.order is not None:
            document = f"P{run.id}-{supply.order + 1}"  # numbered as runs write them
            lead = int(again.state.structure.lead_time[supply.node])
            date = orders.due_date[supply.order].astype(dt.date)
            release = orders.release_date[supply.order].astype(dt.date)
            if release < today:
                late, days = LEAD_TIME, (today - release).days
        elif supply.receipt is not None:
            document = receipts[supply.receipt]
            receipt_kind = str(loaded.receipts.kind[supply.receipt])
            date = problem.receipts.due[supply.receipt].astype(dt.date)
            if need is not None and date > need:
                late, days = MATERIAL, (date - need).days
        elif supply.kind is SupplyKind.SHORTAGE:
            late = MATERIAL
        views.append(
            SupplyView(
                line.level,
                line.parent,
                item[supply.node],
                site[supply.node],
                supply.kind.value,
                document,
                _round(supply.quantity),
                date,
                need,
                late,
                days,
                lead,
                receipt_kind,
            )
        )
    return views


def _limit(views: list[SupplyView]) -> Limit | None:
    """What limits a demand: the deepest shortage, else the supply latest after its need (deepest on a tie)."""
    late = [v for v in views if v.late]
    if not late:
        return None
    short = [v for v in late if v.kind == SupplyKind.SHORTAGE.value]
    worst = max(short or late, key=lambda v: (v.days_late, v.level) if not short else (v.level, v.quantity))
    where = f"{worst.item} at {worst.site}"
    if worst.kind == SupplyKind.SHORTAGE.value:
        text = f"{where}: {worst.quantity:g} needed on {worst.need_date} that nothing can supply in time"
    elif worst.late == LEAD_TIME:
        text = (
            f"{where}: {worst.document}, due on {worst.date}, has a lead time of {worst.lead_time} working days: "
            f"it should have been released {worst.days_late} days before today"
        )
    else:
        text = (
            f"{where}: {worst.document} is due on {worst.date}, {worst.days_late} days after it is needed "
            f"on {worst.need_date}: expedite it"
        )
    return Limit(worst.late or MATERIAL, worst.item, worst.site, text)


def _round(value: object) -> float:
    return round(float(value), 6)  # type: ignore[arg-type]
