"""Receipts against purchase order lines, and returns to the supplier, each one stock posting under
the order's number made in the same transaction that updates the lines.

A line may receive up to its ordered quantity times (1 + the over-receipt tolerance): the
supplier item's own tolerance, else the supplier's. The order row is locked for the whole
posting, so concurrent receipts against the same order are counted one after the other and
never receive more than allowed together. A receipt is valued at the line's unit price.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from plantops import bounds
from plantops.db.catalog import Item
from plantops.db.procurement import PurchaseOrder, PurchaseOrderLine, PurchaseReceipt
from plantops.db.session import UnitOfWork
from plantops.db.sites import Location
from plantops.errors import ValidationError
from plantops.services.inventory.ledger import MoveLine, post_moves, quantity_text
from plantops.services.inventory.references import location_ref
from plantops.services.inventory.stock import PostingSummary, StockLine, Who, incoming_move, outgoing_move, summarize
from plantops.services.purchasing.invoices import rematch_order
from plantops.services.purchasing.lifecycle import REVISABLE, check_status, order_lines
from plantops.services.purchasing.orders import MAX_LINES, PurchaseOrderView, order_row, order_view, receipt_tolerance
from plantops.vocabulary import LocationKind, MoveType, PurchaseStatus

#: A line named with its order, as a PO's label barcode carries it: ``PO-000012/3``.
_LINE_REFERENCE = re.compile(r"^(?P<order>.+)/(?P<line>\d+)$")


@dataclass(frozen=True)
class PurchaseArrival:
    """Receive ``quantity`` of order line ``line`` into ``location``.

    ``line`` is the line number, or the line's reference ``<order>/<line>`` as scanned from
    a label; ``lot`` and ``expiry`` are the supplier's lot of a lot-tracked item.
    """

    line: int | str
    quantity: Decimal
    location: str
    lot: str | None = None
    expiry: dt.date | None = None


@dataclass(frozen=True)
class PurchasePosting:
    """A receipt or return: the order's lines as they now stand (without its history of receipts)
    and the stock posting that moved the goods."""

    order: PurchaseOrderView
    posting: PostingSummary


def receive(uow: UnitOfWork, number: str, arrivals: Sequence[PurchaseArrival], who: Who) -> PurchasePosting:
    """Receive goods against lines of order ``number``, in one posting.

    Refused, with nothing posted: an order not sent or already received, closed or
    cancelled; a line of another order; more than the line's tolerance allows; a location
    of another site.
    """
    if not arrivals:
        raise ValidationError("receipt", "lines", "at least one line (line, quantity, location) is required")
    if len(arrivals) > MAX_LINES:
        raise ValidationError("receipt", "lines", f"{len(arrivals)} lines: at most {MAX_LINES}")

    def work(session: Session) -> PurchasePosting:
        order = order_row(session, number, lock=True)
        check_status(order, REVISABLE, "receive goods")
        lines = order_lines(session, order)
        moves: list[MoveLine] = []
        received: dict[int, Decimal] = defaultdict(Decimal)
        for arrival in arrivals:
            line = _line_of(lines, _line_number(arrival.line, number), number)
            bounds.check_quantity("receipt", "quantity", arrival.quantity)
            received[line.line] += arrival.quantity
            allowed = line.quantity * (1 + receipt_tolerance(session, order, line))
            if line.received_quantity + received[line.line] > allowed:
                raise ValidationError(
                    "receipt",
                    "quantity",
                    f"line {line.line} ordered {quantity_text(line.quantity)} and has received "
                    f"{quantity_text(line.received_quantity)}: {quantity_text(received[line.line])} more is beyond "
                    f"its tolerance (at most {quantity_text(allowed)} in all)",
                )
            _check_location(session, order, arrival.location, "receipt")
            stock = StockLine(
                _item_code(session, line),
                arrival.location,
                arrival.quantity,
                arrival.lot,
                line.unit_price,
                arrival.expiry,
            )
            moves.append(incoming_move(session, MoveType.RECEIPT, stock, "receipt", who))
        posting = _posted(uow, session, order, lines, who, moves, received, reason="")
        _advance(session, order, lines)
        rematch_order(session, order)
        return PurchasePosting(order_view(session, number, history=False), posting)

    return uow.run(work)


def return_to_supplier(
    uow: UnitOfWork,
    number: str,
    *,
    line: int,
    quantity: Decimal,
    location: str,
    lot: str | None,
    reason: str,
    who: Who,
) -> PurchasePosting:
    """Send ``quantity`` of a received line back to the supplier: a negative receipt with its reason
    and a debit note ``DN-<order>-<n>`` for what the supplier owes back; the line is open again by
    that much (cancel it or close the order if nothing more is to come)."""
    bounds.check_text("return", "reason", reason, max_length=200)
    if not reason.strip():
        raise ValidationError("return", "reason", "say why the goods go back to the supplier")

    def work(session: Session) -> PurchasePosting:
        order = order_row(session, number, lock=True)
        check_status(order, (*REVISABLE, PurchaseStatus.RECEIVED, PurchaseStatus.CLOSED), "return goods")
        lines = order_lines(session, order)
        found = _line_of(lines, line, number)
        bounds.check_quantity("return", "quantity", quantity)
        if quantity > found.received_quantity:
            raise ValidationError(
                "return",
                "quantity",
                f"line {found.line} has received {quantity_text(found.received_quantity)}: "
                f"{quantity_text(quantity)} cannot go back",
            )
        _check_location(session, order, location, "return")
        move = outgoing_move(
            session, MoveType.ISSUE, StockLine(_item_code(session, found), location, quantity, lot), "return"
        )
        note = f"DN-{order.number}-{_returns_so_far(session, order) + 1}"
        posting = _posted(
            uow, session, order, lines, who, [move], {found.line: -quantity}, reason=reason.strip(), debit_note=note
        )
        if not posting.replayed:
            found.returned_quantity += quantity
            session.flush()
        _advance(session, order, lines)
        rematch_order(session, order)
        return PurchasePosting(order_view(session, number, history=False), posting)

    return uow.run(work)


def _posted(
    uow: UnitOfWork,
    session: Session,
    order: PurchaseOrder,
    lines: dict[int, PurchaseOrderLine],
    who: Who,
    moves: list[MoveLine],
    quantities: dict[int, Decimal],
    *,
    reason: str,
    debit_note: str | None = None,
) -> PostingSummary:
    """Post ``moves`` under the order's number, add ``quantities`` to the lines' received quantity and
    record each as a receipt (not again when the idempotency key had posted them before).

    The lines were read after the order row was locked, so adding to them here is safe from
    concurrent receipts of the same order."""
    as_order = Who(who.user, order.number, reason or who.reason, who.effective_at, who.idempotency_key)
    now = dt.datetime.now(dt.UTC)
    result = post_moves(session, as_order.posting(uow.posting_window), moves, now=now)
    if not result.replayed:
        for number, quantity in quantities.items():
            line = lines[number]
            line.received_quantity += quantity
            session.add(
                PurchaseReceipt(
                    order_line_id=line.id,
                    posting_id=result.posting_id,
                    quantity=quantity,
                    received_at=who.effective_at or now,
                    received_by=who.user,
                    reason=reason,
                    debit_note=debit_note,
                )
            )
        session.flush()
    return summarize(session, result)


def _advance(session: Session, order: PurchaseOrder, lines: dict[int, PurchaseOrderLine]) -> None:
    """Move the order to partly received or received by what its lines have received."""
    if order.status not in REVISABLE and order.status is not PurchaseStatus.RECEIVED:
        return
    if all(line.received_quantity >= line.quantity for line in lines.values()):
        order.status = PurchaseStatus.RECEIVED
    elif any(line.received_quantity > 0 for line in lines.values()):
        order.status = PurchaseStatus.PARTLY_RECEIVED
    elif order.status is not PurchaseStatus.SENT:
        order.status = PurchaseStatus.CONFIRMED
    session.flush()


def _check_location(session: Session, order: PurchaseOrder, code: str, record: str) -> None:
    place = location_ref(session, code)
    kind = session.scalar(select(Location.kind).where(Location.id == place.id))
    if place.site_id != order.site_id or kind is LocationKind.TRANSIT:
        raise ValidationError(
            record, "location", f"{code} is not a storage place of the site {order.number} delivers to"
        )


def _line_number(given: int | str, number: str) -> int:
    """A line number, from ``3`` or from a scanned ``<order>/3``, which must name this order."""
    if isinstance(given, int):
        return given
    text = given.strip()
    if text.isdigit():
        return int(text)
    match = _LINE_REFERENCE.match(text)
    if match is None:
        raise ValidationError("receipt", "line", f"{given!r} is neither a line number nor <order>/<line>")
    if match["order"] != number:
        raise ValidationError("receipt", "line", f"{text} is a line of {match['order']}, not of {number}")
    return int(match["line"])


def _line_of(lines: dict[int, PurchaseOrderLine], number: int, order: str) -> PurchaseOrderLine:
    found = lines.get(number)
    if found is None:
        known = ", ".join(str(n) for n in lines) or "none"
        raise ValidationError("receipt", "line", f"{order} has no line {number} (its lines: {known})")
    return found


def _item_code(session: Session, line: PurchaseOrderLine) -> str:
    return session.scalar(select(Item.code).where(Item.id == line.item_id)) or ""


def _returns_so_far(session: Session, order: PurchaseOrder) -> int:
    return len(
        session.scalars(
            select(PurchaseReceipt.id)
            .join(PurchaseOrderLine, PurchaseOrderLine.id == PurchaseReceipt.order_line_id)
            .where(PurchaseOrderLine.order_id == order.id, PurchaseReceipt.quantity < 0)
        ).all()
    )
