"""What a planner does with the plan in force: change a planned order, firm or release many at
once, and act on an exception message.

- A planned order's quantity, due date and (for a buy) supplier may be changed while it is
  only planned; its release date follows from the lead time as MRP derives it, and the
  change makes it firm, so that the next run keeps it as the planner left it.
- :func:`firm_all` and :func:`release_all` firm or release a list of planned orders in one
  transaction: all of them, or none when one is refused.
- :func:`act` carries out what an exception message asks: expedite or defer the purchase
  order line or work order it names to the date MRP needs it, cancel it, or firm or release
  the planned order it names. Only the plan in force's messages are acted on, and only
  while their order is as the run saw it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from plantops import bounds
from plantops.db.catalog import Item
from plantops.db.planning import PlanException
from plantops.db.procurement import PurchaseOrder, PurchaseOrderLine, Supplier, SupplierItem
from plantops.db.production import WorkOrder
from plantops.db.session import UnitOfWork
from plantops.errors import NotFoundError, ValidationError
from plantops.services.planning.problem import OPEN_WORK_ORDERS, release_date
from plantops.services.planning.queries import (
    ACTIONS,
    CANCEL,
    FIRM,
    RELEASE,
    OrderView,
    actions_for,
    exception_number,
    firm_order,
    order_in_force,
    order_view,
    release_order,
    run_in_force,
)
from plantops.vocabulary import (
    OPEN_PURCHASE_STATUSES,
    PlannedOrderStatus,
    Procurement,
    PurchaseStatus,
    WorkOrderStatus,
)

_NUMBER = re.compile(r"E(\d+)-(\d+)")


@dataclass(frozen=True)
class ActionResult:
    """What an action did, in a planner's words, and the order it changed."""

    exception: str
    action: str
    document: str
    message: str


def change(
    uow: UnitOfWork,
    number: str,
    *,
    quantity: Decimal | None = None,
    due: dt.date | None = None,
    supplier: str | None = None,
) -> OrderView:
    """Change a planned order's quantity, due date or supplier (a buy's); the order becomes firm."""
    if quantity is None and due is None and supplier is None:
        raise ValidationError("planned order", "quantity", "nothing to change: give a quantity, a due or a supplier")
    if quantity is not None:
        bounds.check_quantity("planned order", "quantity", quantity)
    if due is not None:
        bounds.check_date("planned order", "due", due)

    def work(session: Session) -> OrderView:
        run, order = order_in_force(session, number)
        if order.status is not PlannedOrderStatus.PLANNED:
            raise ValidationError(
                "planned order", "order", f"{number} is already {order.status.value}: only planned orders change"
            )
        if supplier is not None:
            order.supplier_id = _supplier_of(session, order.item_id, order.kind, supplier)
        if quantity is not None:
            order.quantity = quantity
        if due is not None:
            order.due_date = due
        lead_time = _lead_time(session, order.item_id, order.kind, order.supplier_id)
        order.release_date = release_date(session.connection(), order.site_id, lead_time, order.due_date)
        order.status = PlannedOrderStatus.FIRM
        session.flush()
        return order_view(session, run.id, order.position)

    return uow.run(work)


def _supplier_of(session: Session, item_id: int, kind: Procurement, code: str) -> int:
    item = session.scalar(select(Item.code).where(Item.id == item_id))
    if kind is not Procurement.BUY:
        raise ValidationError("planned order", "supplier", f"only bought items have a supplier; {item} is {kind.value}")
    supplier_id = session.scalar(select(Supplier.id).where(Supplier.code == code))
    if supplier_id is None:
        raise ValidationError("planned order", "supplier", f"there is no supplier {code!r}")
    supplies = session.scalar(
        select(SupplierItem.id).where(SupplierItem.supplier_id == supplier_id, SupplierItem.item_id == item_id)
    )
    if supplies is None:
        raise ValidationError("planned order", "supplier", f"{code} does not supply {item}: add a supplier item first")
    return supplier_id


def _lead_time(session: Session, item_id: int, kind: Procurement, supplier_id: int | None) -> float:
    """The lead time MRP plans with: the supplier's for a buy (none given: zero), else the item's."""
    if kind is Procurement.BUY and supplier_id is not None:
        days = session.scalar(
            select(SupplierItem.lead_time_days).where(
                SupplierItem.supplier_id == supplier_id, SupplierItem.item_id == item_id
            )
        )
        return float(days or 0)
    return float(session.scalar(select(Item.lead_time_days).where(Item.id == item_id)) or 0)


def firm_all(uow: UnitOfWork, numbers: list[str]) -> list[OrderView]:
    """Firm every planned order of ``numbers``, or none of them."""
    _check_list("firm", numbers)
    return uow.run(lambda session: [firm_order(session, number) for number in numbers])


def release_all(uow: UnitOfWork, numbers: list[str], *, today: dt.date) -> list[OrderView]:
    """Release every planned order of ``numbers`` as purchase or work orders, or none of them."""
    _check_list("release", numbers)
    return uow.run(lambda session: [release_order(session, number, today=today) for number in numbers])


def _check_list(record: str, numbers: list[str]) -> None:
    if not numbers:
        raise ValidationError(record, "orders", "name at least one planned order")
    twice = sorted({n for n in numbers if numbers.count(n) > 1})
    if twice:
        raise ValidationError(record, "orders", f"{', '.join(twice)} named more than once")


def act(uow: UnitOfWork, exception: str, action: str, *, today: dt.date) -> ActionResult:
    """Do what exception message ``exception`` (``E<run>-<position>``) asks with ``action``."""
    match = _NUMBER.fullmatch(exception.strip())
    if match is None:
        raise ValidationError("exception", "number", f"{exception!r} is no exception number (E<run>-<position>)")
    if action not in ACTIONS:
        raise ValidationError("exception", "action", f"{action!r} is not one of {', '.join(ACTIONS)}")
    run_id, position = int(match[1]), int(match[2])

    def work(session: Session) -> ActionResult:
        found = session.get(PlanException, {"run_id": run_id, "position": position})
        if found is None:
            raise NotFoundError("exception", exception)
        run = run_in_force(session)
        if run.id != run_id:
            raise ValidationError(
                "exception", "number", f"{exception} is not of the plan in force ({run.number}): act on its messages"
            )
        fitting = actions_for(found.kind, found.document_kind)
        if action not in fitting:
            allowed = f"it allows {', '.join(fitting)}" if fitting else "no action fits it"
            reason = f"{action} does not fit {exception} ({found.kind.value}): {allowed}"
            raise ValidationError("exception", "action", reason)
        name = exception_number(run_id, position)
        if action in (FIRM, RELEASE):
            if action == FIRM:
                view = firm_order(session, found.document)
            else:
                view = release_order(session, found.document, today=today)
            return ActionResult(name, action, found.document, f"{view.number} is {view.status.value}")
        if found.document_kind == "purchase":
            return ActionResult(name, action, found.document, _purchase_action(session, found, action))
        return ActionResult(name, action, found.document, _work_action(session, found, action))

    return uow.run(work)


def _purchase_action(session: Session, found: PlanException, action: str) -> str:
    order_number, _, line_number = found.document.rpartition("/")
    row = session.execute(
        select(PurchaseOrder, PurchaseOrderLine)
        .join(PurchaseOrderLine, PurchaseOrderLine.order_id == PurchaseOrder.id)
        .where(PurchaseOrder.number == order_number, PurchaseOrderLine.line == int(line_number))
        .with_for_update()
    ).first()
    if row is None:
        raise NotFoundError("purchase order line", found.document)
    order, line = row
    if order.status not in OPEN_PURCHASE_STATUSES or line.received_quantity >= line.quantity:
        raise ValidationError("exception", "action", f"{found.document} is no longer open: run the plan again")
    _check_unchanged(found, line.due_date)
    if action == CANCEL:
        if line.received_quantity > 0:
            received = f"{line.received_quantity.normalize():f}"
            raise ValidationError("exception", "action", f"{found.document} cannot be cancelled: {received} received")
        others = session.scalar(
            select(PurchaseOrderLine.id).where(PurchaseOrderLine.order_id == order.id, PurchaseOrderLine.id != line.id)
        )
        if others is not None:
            raise ValidationError(
                "exception", "action", f"{order.number} has other lines: cancel {found.document} with its supplier"
            )
        order.status = PurchaseStatus.CANCELLED
        return f"{order.number} is cancelled"
    line.due_date = _need_date(found)
    return f"{found.document} is now due on {line.due_date}"


def _work_action(session: Session, found: PlanException, action: str) -> str:
    order = session.scalars(select(WorkOrder).where(WorkOrder.number == found.document).with_for_update()).first()
    if order is None:
        raise NotFoundError("work order", found.document)
    if order.status not in OPEN_WORK_ORDERS:
        raise ValidationError("exception", "action", f"{found.document} is {order.status.value}: run the plan again")
    _check_unchanged(found, order.due_date)
    if action == CANCEL:
        if order.completed_quantity > 0 or order.status is WorkOrderStatus.IN_PROGRESS:
            reason = f"{found.document} cannot be cancelled: work on it has started"
            raise ValidationError("exception", "action", reason)
        order.status = WorkOrderStatus.CANCELLED
        return f"{found.document} is cancelled"
    due = _need_date(found)
    order.start_date += due - order.due_date  # the work keeps its length
    order.due_date = due
    return f"{found.document} is now due on {due} (start {order.start_date})"


def _check_unchanged(found: PlanException, due: dt.date) -> None:
    if found.document_due is not None and due != found.document_due:
        raise ValidationError(
            "exception",
            "action",
            f"{found.document} changed since the plan (due {due}, the plan saw {found.document_due}): plan again",
        )


def _need_date(found: PlanException) -> dt.date:
    if found.need_date is None:
        raise ValidationError("exception", "action", f"{found.document} has no date MRP needs it on")
    return found.need_date
