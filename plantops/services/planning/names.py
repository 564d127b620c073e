"""How the lines of an MRP problem are named to a planner: a sales order line ``SO-12/3``, a
forecast's week or a transfer order line still to ship ``TO-4/1`` for a demand; a purchase order
line ``PO-12/1``, a work order ``WO-7``, a transfer order line still to arrive or a firm planned
order's number for a scheduled receipt."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from plantops.db.planning import PlannedOrder
from plantops.db.procurement import PurchaseOrder, PurchaseOrderLine, Requisition
from plantops.db.production import WorkOrder
from plantops.db.sales import DemandForecast, SalesOrder, SalesOrderLine
from plantops.db.transfers import TransferOrder, TransferOrderLine
from plantops.services.planning.problem import LoadedProblem

CHUNK = 1000  # ids per IN list


def demand_names(session: Session, loaded: LoadedProblem, lines: Iterable[int]) -> dict[int, str]:
    """The names of the problem's demand lines ``lines`` (indexes of ``problem.demands``)."""
    wanted = np.unique(np.fromiter(lines, np.int64))
    kinds, ids = loaded.demands.kind[wanted], loaded.demands.id[wanted]
    sales: dict[int, str] = {}
    for chunk in _chunks(ids[kinds == "sales"]):
        for line_id, order, line in session.execute(
            select(SalesOrderLine.id, SalesOrder.number, SalesOrderLine.line)
            .join(SalesOrder, SalesOrder.id == SalesOrderLine.order_id)
            .where(SalesOrderLine.id.in_(chunk))
        ):
            sales[line_id] = f"{order}/{line}"
    weeks: dict[int, object] = {}
    for chunk in _chunks(ids[kinds == "forecast"]):
        for forecast_id, week in session.execute(
            select(DemandForecast.id, DemandForecast.period_start).where(DemandForecast.id.in_(chunk))
        ):
            weeks[forecast_id] = week
    transfers = _transfer_lines(session, ids[kinds == "transfer"])
    return {
        int(line): sales.get(ref, "")
        if kind == "sales"
        else transfers.get(ref, "")
        if kind == "transfer"
        else f"forecast of the week of {weeks.get(ref)}"
        for line, kind, ref in zip(wanted.tolist(), kinds.tolist(), ids.tolist(), strict=True)
    }


def _transfer_lines(session: Session, ids: np.ndarray) -> dict[int, str]:
    """``TO-4/1`` for each transfer order line id."""
    names: dict[int, str] = {}
    for chunk in _chunks(ids):
        for line_id, order, line in session.execute(
            select(TransferOrderLine.id, TransferOrder.number, TransferOrderLine.line)
            .join(TransferOrder, TransferOrder.id == TransferOrderLine.order_id)
            .where(TransferOrderLine.id.in_(chunk))
        ):
            names[line_id] = f"{order}/{line}"
    return names


def receipt_names(session: Session, loaded: LoadedProblem, receipts: Iterable[int] | None = None) -> dict[int, str]:
    """The names of the problem's scheduled receipts ``receipts`` (indexes of ``problem.receipts``; all if None)."""
    every = np.arange(loaded.receipts.id.size)
    wanted = every if receipts is None else np.unique(np.fromiter(receipts, np.int64))
    kinds, ids = loaded.receipts.kind[wanted], loaded.receipts.id[wanted]
    names: dict[tuple[str, int], str] = {}
    for chunk in _chunks(ids[kinds == "purchase"]):
        for line_id, order, line in session.execute(
            select(PurchaseOrderLine.id, PurchaseOrder.number, PurchaseOrderLine.line)
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
            .where(PurchaseOrderLine.id.in_(chunk))
        ):
            names[("purchase", line_id)] = f"{order}/{line}"
    for chunk in _chunks(ids[kinds == "work"]):
        for order_id, order in session.execute(select(WorkOrder.id, WorkOrder.number).where(WorkOrder.id.in_(chunk))):
            names[("work", order_id)] = order
    for line_id, name in _transfer_lines(session, ids[kinds == "transfer"]).items():
        names[("transfer", line_id)] = name
    for chunk in _chunks(ids[kinds == "requisition"]):
        for requisition_id, number in session.execute(
            select(Requisition.id, Requisition.number).where(Requisition.id.in_(chunk))
        ):
            names[("requisition", requisition_id)] = number
    for chunk in _chunks(ids[kinds == "firm"]):
        for position, order in session.execute(
            select(PlannedOrder.position, PlannedOrder.number).where(
                PlannedOrder.run_id == loaded.firm_orders.run_id, PlannedOrder.position.in_(chunk)
            )
        ):
            names[("firm", position)] = order
    return {
        int(receipt): names.get((kind, ref), "")
        for receipt, kind, ref in zip(wanted.tolist(), kinds.tolist(), ids.tolist(), strict=True)
    }


def _chunks(ids: np.ndarray) -> Iterator[list[int]]:
    values = ids.tolist()
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
