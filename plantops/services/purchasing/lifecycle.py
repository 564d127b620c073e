"""A purchase order's life: approve (within the approver's limit), send, confirm the supplier's dates,
change it after sending as a new revision, cancel, and close.

draft → approved → sent → confirmed → partly received → received → closed, or cancelled. Each
step checks the status it starts from and refuses with the reason otherwise; receipts move an
order between confirmed, partly received and received (:mod:`.receiving`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from plantops import bounds
from plantops.db.audit import acting_user
from plantops.db.procurement import (
    PurchaseApprovalLimit,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderRevision,
    Supplier,
)
from plantops.db.session import UnitOfWork
from plantops.errors import ValidationError
from plantops.services.inventory.ledger import quantity_text
from plantops.services.inventory.references import check_quantity, item_ref
from plantops.services.purchasing.orders import RECORD, PurchaseOrderView, break_price, order_row, order_view
from plantops.vocabulary import PurchaseStatus, Role

#: Where an order can be changed as a new revision: sent to the supplier and not yet received in full.
REVISABLE = (PurchaseStatus.SENT, PurchaseStatus.CONFIRMED, PurchaseStatus.PARTLY_RECEIVED)


@dataclass(frozen=True)
class LineChange:
    """A change to line ``line`` (a new quantity, due date or price), or with ``line`` None a new line."""

    line: int | None
    quantity: Decimal | None = None
    due_date: dt.date | None = None
    unit_price: Decimal | None = None
    item: str | None = None


def approve(uow: UnitOfWork, number: str, roles: frozenset[Role]) -> PurchaseOrderView:
    """Approve a draft order whose total is within the highest approval limit of ``roles``."""

    def work(session: Session) -> PurchaseOrderView:
        order = order_row(session, number, lock=True)
        check_status(order, (PurchaseStatus.DRAFT,), "approve")
        limit = approval_limit(session, roles)
        total = order_total(session, order)
        if limit is None:
            raise ValidationError(
                RECORD, "status", "your roles have no approval limit for purchase orders: ask an approver"
            )
        if total > limit:
            raise ValidationError(
                RECORD,
                "total",
                f"{number} totals {total:,.2f} {order.currency}, above your approval limit of "
                f"{limit:,.2f}: ask an approver with a higher limit",
            )
        order.status = PurchaseStatus.APPROVED
        order.approved_by = acting_user(session)
        session.flush()
        return order_view(session, number)

    return uow.run(work)


def approval_limit(session: Session, roles: frozenset[Role]) -> Decimal | None:
    """The highest order total any of ``roles`` may approve, or None if none may approve."""
    limits = session.scalars(
        select(PurchaseApprovalLimit.max_amount).where(PurchaseApprovalLimit.role.in_(list(roles)))
    ).all()
    return max(limits) if limits else None


def order_total(session: Session, order: PurchaseOrder) -> Decimal:
    rows = session.execute(
        select(PurchaseOrderLine.quantity, PurchaseOrderLine.unit_price).where(PurchaseOrderLine.order_id == order.id)
    )
    return sum((quantity * price for quantity, price in rows), Decimal(0))


def send(uow: UnitOfWork, number: str, *, now: dt.datetime) -> PurchaseOrderView:
    """Mark an approved order as sent to the supplier (its PDF and CSV are what is sent)."""

    def work(session: Session) -> PurchaseOrderView:
        order = order_row(session, number, lock=True)
        check_status(order, (PurchaseStatus.APPROVED,), "send")
        order.status = PurchaseStatus.SENT
        order.sent_at = now
        session.flush()
        return order_view(session, number)

    return uow.run(work)


def confirm(uow: UnitOfWork, number: str, dates: Mapping[int, dt.date]) -> PurchaseOrderView:
    """Record the supplier's confirmed date per line (lines not named keep theirs)."""
    if not dates:
        raise ValidationError(RECORD, "confirmed_date", "give the supplier's date for at least one line")

    def work(session: Session) -> PurchaseOrderView:
        order = order_row(session, number, lock=True)
        check_status(order, REVISABLE, "confirm")
        lines = order_lines(session, order)
        for line, date in dates.items():
            bounds.check_date(RECORD, "confirmed_date", date)
            _line(lines, line).confirmed_date = date
        if order.status is PurchaseStatus.SENT:
            order.status = PurchaseStatus.CONFIRMED
        session.flush()
        return order_view(session, number)

    return uow.run(work)


def revise(uow: UnitOfWork, number: str, changes: Sequence[LineChange], reason: str) -> PurchaseOrderView:
    """Change an order: before it is sent, in place (an approved order goes back to draft, to be
    approved again); once sent, as revision n + 1, keeping revision n's lines in its history.

    A quantity may not drop below what the line has received; a new line needs its item.
    """
    if not changes:
        raise ValidationError(RECORD, "lines", "give at least one change (line with quantity, due date or price)")
    bounds.check_text(RECORD, "reason", reason, max_length=200)

    def work(session: Session) -> PurchaseOrderView:
        order = order_row(session, number, lock=True)
        check_status(order, (PurchaseStatus.DRAFT, PurchaseStatus.APPROVED, *REVISABLE), "change")
        lines = order_lines(session, order)
        if order.status in REVISABLE:
            if not reason.strip():
                raise ValidationError(RECORD, "reason", f"{number} was sent: say why it changes")
            session.add(
                PurchaseOrderRevision(
                    order_id=order.id,
                    revision=order.revision,
                    changed_at=dt.datetime.now(dt.UTC),
                    changed_by=acting_user(session),
                    reason=reason.strip(),
                    lines=json.dumps([_snapshot(line) for line in lines.values()]),
                )
            )
            order.revision += 1
        elif order.status is PurchaseStatus.APPROVED:
            order.status = PurchaseStatus.DRAFT
            order.approved_by = None
        for change in changes:
            if change.line is None:
                if change.item is None or change.quantity is None or change.due_date is None:
                    raise ValidationError(RECORD, "item", "a new line needs its item, quantity and due date")
                item = item_ref(session, change.item)
                check_quantity(item, change.quantity, record=RECORD)
                bounds.check_date(RECORD, "due_date", change.due_date)
                supplier = session.get_one(Supplier, order.supplier_id)
                price = change.unit_price
                if price is None:
                    price = break_price(session, supplier, item, change.quantity)
                position = max(lines, default=0) + 1
                added = PurchaseOrderLine(
                    order_id=order.id,
                    line=position,
                    item_id=item.id,
                    quantity=change.quantity,
                    received_quantity=Decimal(0),
                    returned_quantity=Decimal(0),
                    invoiced_quantity=Decimal(0),
                    unit_price=price,
                    due_date=change.due_date,
                )
                session.add(added)
                lines[position] = added
                continue
            line = _line(lines, change.line)
            if change.quantity is not None:
                bounds.check_quantity(RECORD, "quantity", change.quantity)
                if change.quantity < line.received_quantity:
                    raise ValidationError(
                        RECORD,
                        "quantity",
                        f"line {line.line} has received {quantity_text(line.received_quantity)}: "
                        f"{quantity_text(change.quantity)} is less",
                    )
                line.quantity = change.quantity
            if change.due_date is not None:
                bounds.check_date(RECORD, "due_date", change.due_date)
                line.due_date = change.due_date
            if change.unit_price is not None:
                bounds.check_amount(RECORD, "unit_price", change.unit_price)
                line.unit_price = change.unit_price
        session.flush()
        return order_view(session, number)

    return uow.run(work)


def cancel(uow: UnitOfWork, number: str) -> PurchaseOrderView:
    """Cancel an order of which nothing was received (close it instead once something was)."""

    def work(session: Session) -> PurchaseOrderView:
        order = order_row(session, number, lock=True)
        check_status(order, (PurchaseStatus.DRAFT, PurchaseStatus.APPROVED, *REVISABLE), "cancel")
        received = [line for line in order_lines(session, order).values() if line.received_quantity > 0]
        if received:
            raise ValidationError(
                RECORD, "status", f"{number} has received goods on line {received[0].line}: close it instead"
            )
        order.status = PurchaseStatus.CANCELLED
        session.flush()
        return order_view(session, number)

    return uow.run(work)


def close(uow: UnitOfWork, number: str) -> PurchaseOrderView:
    """Close an order: nothing more is expected on it (what is still open is no longer supply)."""

    def work(session: Session) -> PurchaseOrderView:
        order = order_row(session, number, lock=True)
        check_status(order, (*REVISABLE, PurchaseStatus.RECEIVED), "close")
        order.status = PurchaseStatus.CLOSED
        session.flush()
        return order_view(session, number)

    return uow.run(work)


def check_status(order: PurchaseOrder, allowed: Sequence[PurchaseStatus], action: str) -> None:
    """Refuse ``action`` (a verb: "approve") on an order whose status is not one of ``allowed``."""
    if order.status not in allowed:
        expected = ", ".join(status_text(status) for status in allowed)
        raise ValidationError(
            RECORD, "status", f"{order.number} is {status_text(order.status)}: only an order {expected} can {action}"
        )


def status_text(status: PurchaseStatus) -> str:
    """A status as a buyer says it: "partly received"."""
    return status.value.replace("_", " ")


def order_lines(session: Session, order: PurchaseOrder) -> dict[int, PurchaseOrderLine]:
    """The order's lines by number, read afresh (after the order row was locked, safe to change)."""
    rows = session.scalars(
        select(PurchaseOrderLine)
        .where(PurchaseOrderLine.order_id == order.id)
        .order_by(PurchaseOrderLine.line)
        .execution_options(populate_existing=True)
    )
    return {line.line: line for line in rows}


def _line(lines: Mapping[int, PurchaseOrderLine], number: int) -> PurchaseOrderLine:
    found = lines.get(number)
    if found is None:
        known = ", ".join(str(n) for n in lines) or "none"
        raise ValidationError(RECORD, "line", f"the order has no line {number} (its lines: {known})")
    return found


def _snapshot(line: PurchaseOrderLine) -> dict[str, str | int | None]:
    return {
        "line": line.line,
        "item_id": line.item_id,
        "quantity": str(line.quantity),
        "unit_price": str(line.unit_price),
        "due_date": line.due_date.isoformat(),
        "confirmed_date": line.confirmed_date.isoformat() if line.confirmed_date else None,
    }
