"""Requests for quotation: ask several suppliers, enter their quotations, compare them side by side
and award the RFQ, whole or line by line, into draft purchase orders.

An RFQ ``RFQ-<nnnnnn>`` is made of open requisitions (which go ``in_rfq``) or of lines given by
hand, and invites two or more suppliers. A quotation gives, per RFQ line, price breaks (from a
minimum quantity on, a unit price for all units, a lead time), a freight charge for the whole
and a date it is valid until; it is entered one at a time or many at once from CSV.

The comparison puts each invited supplier in a column and each line in a row: the price valid
for the asked quantity (all-units price breaks: the break with the largest minimum at or below
the quantity; below the smallest minimum the minimum is bought), the line amount, the lead time
and whether the goods arrive by the due date (received on + lead time), and the landed cost of
the whole (line amounts + freight). The cheapest per line and overall are marked among the valid
quotations in one currency; an expired quotation is shown but cannot be awarded.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from plantops import bounds
from plantops.db.audit import acting_user
from plantops.db.catalog import Item, Unit
from plantops.db.procurement import (
    PurchaseOrder,
    Quotation,
    QuotationPrice,
    Requisition,
    Rfq,
    RfqLine,
    RfqSupplier,
    Supplier,
)
from plantops.db.session import UnitOfWork
from plantops.db.sites import Site
from plantops.errors import ImportRejectedError, NotFoundError, RowProblem, ValidationError
from plantops.services.inventory.references import check_quantity, item_ref, site_id
from plantops.services.purchasing.orders import insert_order, supplier_of
from plantops.services.purchasing.requisitions import mark_ordered, requisition_row
from plantops.services.purchasing.scorecards import warning_for
from plantops.services.sorting import order_by
from plantops.vocabulary import RequisitionStatus, RfqStatus

RECORD = "rfq"
QUOTATION = "quotation"
AWARD = "award"
NUMBER_PREFIX = "RFQ-"
_NUMBER = re.compile(r"^RFQ-(\d+)$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_LINES = 1000
MAX_SUPPLIERS = 50
MAX_CSV_BYTES = 1_000_000
#: The longest lead time a quotation may give: ten years.
MAX_LEAD_TIME_DAYS = 3660
#: The columns of a quotations CSV file, in this order or any other.
CSV_COLUMNS = ("supplier", "line", "min_quantity", "unit_price", "lead_time_days", "valid_until", "freight")


@dataclass(frozen=True)
class RfqLineIn:
    """A line of a new RFQ given by hand."""

    item: str
    quantity: Decimal
    due_date: dt.date


@dataclass(frozen=True)
class QuotedPrice:
    """A price break quoted for RFQ line ``line``."""

    line: int
    min_quantity: Decimal
    unit_price: Decimal
    lead_time_days: Decimal


@dataclass(frozen=True)
class QuotationIn:
    """A supplier's quotation: ``currency`` None is the supplier's own, ``received_on`` None today."""

    supplier: str
    valid_until: dt.date
    prices: Sequence[QuotedPrice]
    freight: Decimal = Decimal(0)
    currency: str | None = None
    received_on: dt.date | None = None


@dataclass(frozen=True)
class RfqLineView:
    line: int
    item: str
    item_name: str
    unit: str
    quantity: Decimal
    due_date: dt.date
    requisition: str | None


@dataclass(frozen=True)
class QuotationView:
    supplier: str
    received_on: dt.date
    valid_until: dt.date
    currency: str
    freight: Decimal
    prices: list[QuotedPrice]


@dataclass(frozen=True)
class RfqView:
    number: str
    site: str
    status: RfqStatus
    created_on: dt.date
    respond_by: dt.date | None
    created_by: str
    suppliers: list[str]
    lines: list[RfqLineView]
    quotations: list[QuotationView]
    purchase_orders: list[str]


@dataclass(frozen=True)
class RfqSummary:
    number: str
    site: str
    status: RfqStatus
    created_on: dt.date
    respond_by: dt.date | None
    lines: int
    suppliers: int
    quotations: int


@dataclass(frozen=True)
class RfqPage:
    total: int
    rfqs: list[RfqSummary]


@dataclass(frozen=True)
class Cell:
    """One supplier's offer for one line; ``quoted`` False is "no quote" (the rest is then None).

    ``bought_quantity`` is the asked quantity, or the supplier's minimum where the quantity is
    below it (``below_minimum``); ``arrives_on`` is the quotation's date plus the lead time."""

    supplier: str
    quoted: bool
    unit_price: Decimal | None = None
    bought_quantity: Decimal | None = None
    below_minimum: bool = False
    amount: Decimal | None = None
    lead_time_days: Decimal | None = None
    arrives_on: dt.date | None = None
    on_time: bool | None = None
    cheapest: bool = False


@dataclass(frozen=True)
class ComparisonRow:
    line: RfqLineView
    cells: list[Cell]


@dataclass(frozen=True)
class ComparedSupplier:
    """An invited supplier's column: its quotation's terms and the landed cost of what it quoted.

    ``complete`` says whether it quoted every line (only then is ``landed_cost`` the whole RFQ's)."""

    code: str
    name: str
    quoted: bool
    currency: str | None = None
    received_on: dt.date | None = None
    valid_until: dt.date | None = None
    expired: bool = False
    freight: Decimal | None = None
    landed_cost: Decimal | None = None
    complete: bool = False
    cheapest: bool = False
    warning: str | None = None


@dataclass(frozen=True)
class Comparison:
    """The RFQ's quotations side by side: a column per invited supplier, a row per line.

    ``ranked`` is False when the valid quotations are in more than one currency, so that nothing
    is marked cheapest."""

    rfq: RfqView
    today: dt.date
    suppliers: list[ComparedSupplier]
    rows: list[ComparisonRow]
    ranked: bool = True


@dataclass(frozen=True)
class AwardResult:
    rfq: RfqView
    purchase_orders: list[str] = field(default_factory=list)


def create_rfq(
    uow: UnitOfWork,
    *,
    suppliers: Sequence[str],
    requisitions: Sequence[str] = (),
    lines: Sequence[RfqLineIn] = (),
    site: str | None = None,
    respond_by: dt.date | None = None,
    today: dt.date,
) -> RfqView:
    """A new open RFQ ``RFQ-<nnnnnn>`` inviting ``suppliers`` (two or more) to quote on the open
    ``requisitions`` (which go ``in_rfq``) and on ``lines``, all for one site (``site``, or the
    requisitions' site)."""
    _check_invitations(suppliers)
    if not requisitions and not lines:
        raise ValidationError(RECORD, "lines", "give requisitions or lines (item, quantity, due date) to ask for")
    if len(requisitions) + len(lines) > MAX_LINES:
        raise ValidationError(RECORD, "lines", f"{len(requisitions) + len(lines)} lines: at most {MAX_LINES}")
    if len(set(requisitions)) != len(requisitions):
        raise ValidationError(RECORD, "requisitions", "a requisition is named twice")
    if respond_by is not None:
        bounds.check_date(RECORD, "respond_by", respond_by)
        if respond_by < today:
            raise ValidationError(RECORD, "respond_by", f"{respond_by} is before today ({today})")

    def work(session: Session) -> RfqView:
        rows = [requisition_row(session, number, lock=True) for number in requisitions]
        for row in rows:
            if row.status is not RequisitionStatus.OPEN:
                raise ValidationError(RECORD, "requisitions", f"{row.number} is {row.status.value}, not open")
        sites = {row.site_id for row in rows}
        if site is not None:
            sites.add(site_id(session, site))
        if len(sites) > 1:
            raise ValidationError(RECORD, "site", "the requisitions are for more than one site: one RFQ per site")
        if not sites:
            raise ValidationError(RECORD, "site", "give the site the lines are for")
        invited = [supplier_of(session, code) for code in suppliers]
        asked: list[tuple[int, Decimal, dt.date, int | None]] = [
            (row.item_id, row.quantity, row.due_date, row.id) for row in rows
        ]
        for line in lines:
            ref = item_ref(session, line.item)
            check_quantity(ref, line.quantity, record=RECORD)
            bounds.check_date(RECORD, "due_date", line.due_date)
            asked.append((ref.id, line.quantity, line.due_date, None))
        number = _next_number(session)
        rfq = Rfq(
            number=number,
            site_id=sites.pop(),
            status=RfqStatus.OPEN,
            created_on=today,
            respond_by=respond_by,
            created_by=acting_user(session),
        )
        session.add(rfq)
        session.flush()
        session.add_all(RfqSupplier(rfq_id=rfq.id, supplier_id=vendor.id) for vendor in invited)
        session.add_all(
            RfqLine(rfq_id=rfq.id, line=position, item_id=item, quantity=quantity, due_date=due, requisition_id=req)
            for position, (item, quantity, due, req) in enumerate(asked, start=1)
        )
        for row in rows:
            row.status = RequisitionStatus.IN_RFQ
        session.flush()
        return rfq_view(session, number)

    return uow.run(work)


def _check_invitations(suppliers: Sequence[str]) -> None:
    if len(set(suppliers)) != len(suppliers):
        raise ValidationError(RECORD, "suppliers", "a supplier is invited twice")
    if len(suppliers) < 2:
        raise ValidationError(RECORD, "suppliers", f"invite at least 2 suppliers to compare (got {len(suppliers)})")
    if len(suppliers) > MAX_SUPPLIERS:
        raise ValidationError(RECORD, "suppliers", f"{len(suppliers)} suppliers: at most {MAX_SUPPLIERS}")


def cancel_rfq(uow: UnitOfWork, number: str) -> RfqView:
    """Cancel an open RFQ; its requisitions are open again (for another RFQ or a proposal)."""

    def work(session: Session) -> RfqView:
        rfq = rfq_row(session, number, lock=True)
        check_open(rfq, "cancel")
        rfq.status = RfqStatus.CANCELLED
        session.execute(
            update(Requisition)
            .where(Requisition.id.in_(select(RfqLine.requisition_id).where(RfqLine.rfq_id == rfq.id)))
            .values(status=RequisitionStatus.OPEN)
        )
        session.flush()
        return rfq_view(session, number)

    return uow.run(work)


def check_open(rfq: Rfq, action: str) -> None:
    """Refuse ``action`` on an RFQ that is awarded or cancelled."""
    if rfq.status is not RfqStatus.OPEN:
        raise ValidationError(RECORD, "status", f"{rfq.number} is {rfq.status.value}: nothing more to {action}")


def enter_quotation(uow: UnitOfWork, number: str, quotation: QuotationIn, *, today: dt.date) -> RfqView:
    """Enter (or replace) an invited supplier's quotation on open RFQ ``number``."""

    def work(session: Session) -> RfqView:
        rfq = rfq_row(session, number, lock=True)
        _save_quotation(session, rfq, quotation, today=today)
        return rfq_view(session, number)

    return uow.run(work)


def _save_quotation(session: Session, rfq: Rfq, quotation: QuotationIn, *, today: dt.date) -> None:
    check_open(rfq, "quote on")
    vendor = supplier_of(session, quotation.supplier)
    if vendor.id not in _invited(session, rfq):
        raise ValidationError(QUOTATION, "supplier", f"{vendor.code} is not invited to {rfq.number}")
    received_on = quotation.received_on or today
    bounds.check_date(QUOTATION, "received_on", received_on)
    bounds.check_date(QUOTATION, "valid_until", quotation.valid_until)
    if quotation.valid_until < received_on:
        raise ValidationError(
            QUOTATION, "valid_until", f"{quotation.valid_until} is before the quotation's date {received_on}"
        )
    currency = (quotation.currency or vendor.currency).strip().upper()
    if not _CURRENCY.match(currency):
        raise ValidationError(QUOTATION, "currency", f"{currency!r} is not a three-letter currency code (EUR)")
    bounds.check_amount(QUOTATION, "freight", quotation.freight)
    if not quotation.prices:
        raise ValidationError(QUOTATION, "prices", "quote at least one line (line, minimum, unit price, lead time)")
    lines = {
        line: key for line, key in session.execute(select(RfqLine.line, RfqLine.id).where(RfqLine.rfq_id == rfq.id))
    }
    seen: set[tuple[int, Decimal]] = set()
    for price in quotation.prices:
        if price.line not in lines:
            raise ValidationError(QUOTATION, "line", f"{rfq.number} has no line {price.line} (lines 1-{len(lines)})")
        bounds.check_quantity(QUOTATION, "min_quantity", price.min_quantity, allow_zero=True)
        bounds.check_amount(QUOTATION, "unit_price", price.unit_price)
        bounds.check_quantity(QUOTATION, "lead_time_days", price.lead_time_days, allow_zero=True)
        if price.lead_time_days > MAX_LEAD_TIME_DAYS:
            raise ValidationError(
                QUOTATION, "lead_time_days", f"{price.lead_time_days} days: at most {MAX_LEAD_TIME_DAYS} (ten years)"
            )
        if (price.line, price.min_quantity) in seen:
            raise ValidationError(
                QUOTATION, "min_quantity", f"line {price.line} has two prices from {price.min_quantity}"
            )
        seen.add((price.line, price.min_quantity))
    session.execute(delete(Quotation).where(Quotation.rfq_id == rfq.id, Quotation.supplier_id == vendor.id))
    row = Quotation(
        rfq_id=rfq.id,
        supplier_id=vendor.id,
        received_on=received_on,
        valid_until=quotation.valid_until,
        currency=currency,
        freight=quotation.freight,
    )
    session.add(row)
    session.flush()
    session.add_all(
        QuotationPrice(
            quotation_id=row.id,
            rfq_line_id=lines[price.line],
            min_quantity=price.min_quantity,
            unit_price=price.unit_price,
            lead_time_days=price.lead_time_days,
        )
        for price in quotation.prices
    )
    session.flush()


def import_quotations(
    uow: UnitOfWork, number: str, text: str, *, today: dt.date, source: str = "quotations.csv"
) -> RfqView:
    """Enter the quotations of a CSV file (columns :data:`CSV_COLUMNS`, one row per price break; a
    supplier's rows share ``valid_until`` and ``freight``) on RFQ ``number``, all or nothing: any bad
    row rejects the file with every row's problems (:class:`ImportRejectedError`)."""
    quotations = _parse_quotations(text, source)

    def work(session: Session) -> RfqView:
        rfq = rfq_row(session, number, lock=True)
        problems: list[RowProblem] = []
        for quotation, first_row in quotations:
            try:
                with session.begin_nested():
                    _save_quotation(session, rfq, quotation, today=today)
            except (ValidationError, NotFoundError) as error:
                problems.append(RowProblem(source, first_row, getattr(error, "field", "supplier"), _reason(error)))
        if problems:
            raise ImportRejectedError(problems)
        return rfq_view(session, number)

    return uow.run(work)


def csv_text(data: bytes) -> str:
    """The text of an uploaded quotations file: UTF-8 (with or without its byte order mark), at most
    :data:`MAX_CSV_BYTES`."""
    if len(data) > MAX_CSV_BYTES:
        raise ValidationError(QUOTATION, "file", f"{len(data):,} bytes: at most {MAX_CSV_BYTES:,}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(QUOTATION, "file", f"not UTF-8 text (byte {error.start}): save it as CSV UTF-8") from None


def _reason(error: ValidationError | NotFoundError) -> str:
    return error.reason if isinstance(error, ValidationError) else str(error)


def _parse_quotations(text: str, source: str) -> list[tuple[QuotationIn, int]]:
    """The file's quotations, each with the row it starts on; every row's problems at once. A file the
    CSV reader cannot read (a stray carriage return inside a field, say) is refused with the row."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        return _read_quotations(reader, source)
    except csv.Error as error:
        raise ImportRejectedError([RowProblem(source, reader.line_num, "file", f"is not CSV: {error}")]) from None


def _read_quotations(reader: csv.DictReader[str], source: str) -> list[tuple[QuotationIn, int]]:
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in CSV_COLUMNS if name not in header]
    if missing:
        raise ImportRejectedError([RowProblem(source, 1, name, "column missing") for name in missing])
    problems: list[RowProblem] = []
    grouped: dict[str, tuple[int, dt.date | None, Decimal | None, list[QuotedPrice]]] = {}
    for row_number, raw in enumerate(reader, start=2):
        row = {(key or "").strip(): (value or "").strip() for key, value in raw.items() if key is not None}
        bad = len(problems)

        def cell(name: str, parse: Any, row: dict[str, str] = row, row_number: int = row_number) -> Any:
            try:
                return parse(row[name])
            except (ValueError, InvalidOperation, ValidationError) as error:
                reason = error.reason if isinstance(error, ValidationError) else f"{row[name]!r} is not valid"
                problems.append(RowProblem(source, row_number, name, reason))
                return None

        supplier = row["supplier"]
        if not supplier:
            problems.append(RowProblem(source, row_number, "supplier", "is empty"))
        line = cell("line", _line)
        minimum = cell("min_quantity", lambda v: _number(v, "min_quantity", allow_zero=True))
        price = cell("unit_price", lambda v: _amount(v, "unit_price"))
        lead = cell("lead_time_days", lambda v: _number(v, "lead_time_days", allow_zero=True))
        valid_until = cell("valid_until", _date)
        freight = cell("freight", lambda v: _amount(v or "0", "freight"))
        if len(problems) > bad:
            continue
        _, until, charge, prices = grouped.setdefault(supplier, (row_number, valid_until, freight, []))
        if until != valid_until:
            problems.append(RowProblem(source, row_number, "valid_until", f"{supplier}'s rows differ: {until} before"))
        elif charge != freight:
            problems.append(RowProblem(source, row_number, "freight", f"{supplier}'s rows differ: {charge} before"))
        else:
            prices.append(QuotedPrice(line, minimum, price, lead))
    if problems:
        raise ImportRejectedError(problems)
    if not grouped:
        raise ImportRejectedError([RowProblem(source, 2, "supplier", "no rows: the file has only its header")])
    return [
        (QuotationIn(supplier, until, prices, freight=charge or Decimal(0)), first)
        for supplier, (first, until, charge, prices) in grouped.items()
        if until is not None
    ]


def _line(value: str) -> int:
    number = int(value)
    if not 1 <= number <= MAX_LINES:
        raise ValidationError(QUOTATION, "line", f"must be between 1 and {MAX_LINES}, got {number}")
    return number


def _number(value: str, name: str, *, allow_zero: bool) -> Decimal:
    number = Decimal(value)
    bounds.check_quantity(QUOTATION, name, number, allow_zero=allow_zero)
    return number


def _amount(value: str, name: str) -> Decimal:
    number = Decimal(value)
    bounds.check_amount(QUOTATION, name, number)
    return number


def _date(value: str) -> dt.date:
    day = dt.date.fromisoformat(value)
    bounds.check_date(QUOTATION, "valid_until", day)
    return day


def comparison(uow: UnitOfWork, number: str, *, today: dt.date) -> Comparison:
    """RFQ ``number``'s quotations side by side, as of ``today`` (which decides what has expired), each
    supplier with its poor-score warning, if any (:mod:`.scorecards`)."""
    with uow:
        session = uow.session
        found = compare(rfq_view(session, number), _names(session, number), today=today)
        warned = [replace(column, warning=warning_for(session, column.code, today=today)) for column in found.suppliers]
        return replace(found, suppliers=warned)


def compare(rfq: RfqView, names: Mapping[str, str], *, today: dt.date) -> Comparison:
    """The comparison of ``rfq``'s quotations (see the module's docstring); ``names`` are the suppliers'."""
    quotes = {q.supplier: q for q in rfq.quotations}
    valid = [q for q in rfq.quotations if q.valid_until >= today]
    ranked = len({q.currency for q in valid}) <= 1
    rows = []
    for line in rfq.lines:
        cells = [_cell(line, quotes.get(code), code) for code in rfq.suppliers]
        amounts = [
            c.amount for c in cells if c.amount is not None and quotes[c.supplier].valid_until >= today and ranked
        ]
        best = min(amounts, default=None)
        rows.append(ComparisonRow(line, [_mark(c, best, quotes, today) for c in cells]))
    columns = []
    for index, code in enumerate(rfq.suppliers):
        quote = quotes.get(code)
        if quote is None:
            columns.append(ComparedSupplier(code, names.get(code, ""), quoted=False))
            continue
        quoted = [row.cells[index].amount for row in rows]
        landed = sum((a for a in quoted if a is not None), Decimal(0)) + quote.freight
        columns.append(
            ComparedSupplier(
                code,
                names.get(code, ""),
                quoted=True,
                currency=quote.currency,
                received_on=quote.received_on,
                valid_until=quote.valid_until,
                expired=quote.valid_until < today,
                freight=quote.freight,
                landed_cost=landed,
                complete=all(a is not None for a in quoted),
            )
        )
    candidates = [c.landed_cost for c in columns if c.complete and not c.expired and c.landed_cost is not None]
    best_total = min(candidates, default=None) if ranked else None
    columns = [
        _with(c, cheapest=True) if c.complete and not c.expired and c.landed_cost == best_total else c for c in columns
    ]
    return Comparison(rfq, today, columns, rows, ranked)


def _with(supplier: ComparedSupplier, *, cheapest: bool) -> ComparedSupplier:
    return ComparedSupplier(**{**vars(supplier), "cheapest": cheapest})


def _cell(line: RfqLineView, quote: QuotationView | None, code: str) -> Cell:
    breaks = sorted((p for p in quote.prices if p.line == line.line), key=lambda p: p.min_quantity) if quote else []
    if quote is None or not breaks:
        return Cell(code, quoted=False)
    price, bought, below = offer(breaks, line.quantity)
    arrives = quote.received_on + dt.timedelta(days=math.ceil(price.lead_time_days))
    return Cell(
        code,
        quoted=True,
        unit_price=price.unit_price,
        bought_quantity=bought,
        below_minimum=below,
        amount=bought * price.unit_price,
        lead_time_days=price.lead_time_days,
        arrives_on=arrives,
        on_time=arrives <= line.due_date,
    )


def offer(breaks: Sequence[QuotedPrice], quantity: Decimal) -> tuple[QuotedPrice, Decimal, bool]:
    """The price break that applies to ``quantity`` (all-units: the largest minimum at or below it),
    the quantity bought, and whether that is the supplier's minimum because ``quantity`` is below it.
    ``breaks`` is sorted by minimum quantity and not empty."""
    valid = [p for p in breaks if p.min_quantity <= quantity]
    if valid:
        return valid[-1], quantity, False
    return breaks[0], breaks[0].min_quantity, True


def _mark(cell: Cell, best: Decimal | None, quotes: Mapping[str, QuotationView], today: dt.date) -> Cell:
    if best is None or cell.amount != best or quotes[cell.supplier].valid_until < today:
        return cell
    return Cell(**{**vars(cell), "cheapest": True})


def award(
    uow: UnitOfWork,
    number: str,
    *,
    today: dt.date,
    supplier: str | None = None,
    lines: Mapping[int, str] | None = None,
) -> AwardResult:
    """Award open RFQ ``number`` whole to ``supplier``, or each of its lines to the supplier ``lines``
    names: one draft purchase order per supplier, priced from its quotation for the quantity bought
    (the asked quantity, or the supplier's minimum above it); the RFQ is awarded, its requisitions
    ordered. Refused, changing nothing, for a supplier not invited, without a quotation or whose
    quotation has expired, a line it did not quote, a line left out, or an RFQ not open."""
    if (supplier is None) == (lines is None):
        raise ValidationError(AWARD, "supplier", "award the whole RFQ to one supplier, or give each line's supplier")

    def work(session: Session) -> AwardResult:
        rfq = rfq_row(session, number, lock=True)
        check_open(rfq, "award")
        view = rfq_view(session, number)
        chosen = dict.fromkeys((line.line for line in view.lines), supplier) if supplier else dict(lines or {})
        known = {line.line for line in view.lines}
        for line_number in chosen:
            if line_number not in known:
                raise ValidationError(AWARD, "lines", f"{number} has no line {line_number}")
        left = sorted(known - set(chosen))
        if left:
            raise ValidationError(AWARD, "lines", f"line {left[0]} is not awarded: award every line, or cancel the RFQ")
        quotes = {q.supplier: q for q in view.quotations}
        by_supplier: dict[str, list[tuple[RfqLineView, QuotedPrice, Decimal]]] = {}
        for line in view.lines:
            code = str(chosen[line.line])
            if code not in view.suppliers:
                supplier_of(session, code)  # an unknown code is not found rather than not invited
                raise ValidationError(AWARD, "supplier", f"{code} is not invited to {number}")
            quote = quotes.get(code)
            if quote is None:
                raise ValidationError(AWARD, "supplier", f"{code} has sent no quotation for {number}")
            if quote.valid_until < today:
                raise ValidationError(
                    AWARD, "supplier", f"{code}'s quotation expired on {quote.valid_until}: ask for a new one"
                )
            breaks = sorted((p for p in quote.prices if p.line == line.line), key=lambda p: p.min_quantity)
            if not breaks:
                raise ValidationError(AWARD, "lines", f"{code} did not quote line {line.line} ({line.item})")
            price, bought, _ = offer(breaks, line.quantity)
            by_supplier.setdefault(code, []).append((line, price, bought))
        made = []
        for code, awarded in by_supplier.items():
            order = insert_order(
                session,
                supplier=supplier_of(session, code),
                site=rfq.site_id,
                lines=[
                    (item_ref(session, line.item), bought, line.due_date, price.unit_price)
                    for line, price, bought in awarded
                ],
                today=today,
                rfq=number,
            )
            mark_ordered(session, [line.requisition for line, _, _ in awarded if line.requisition], order)
            made.append(order)
        rfq.status = RfqStatus.AWARDED
        session.flush()
        return AwardResult(rfq_view(session, number), made)

    return uow.run(work)


def rfq_row(session: Session, number: str, *, lock: bool = False) -> Rfq:
    query = select(Rfq).where(Rfq.number == number).execution_options(populate_existing=True)
    found = session.scalars(query.with_for_update() if lock else query).first()
    if found is None:
        raise NotFoundError(RECORD, number)
    return found


def _invited(session: Session, rfq: Rfq) -> set[int]:
    return set(session.scalars(select(RfqSupplier.supplier_id).where(RfqSupplier.rfq_id == rfq.id)))


def _names(session: Session, number: str) -> dict[str, str]:
    rows = session.execute(
        select(Supplier.code, Supplier.name)
        .join(RfqSupplier, RfqSupplier.supplier_id == Supplier.id)
        .join(Rfq, Rfq.id == RfqSupplier.rfq_id)
        .where(Rfq.number == number)
    )
    return {code: name for code, name in rows}


def rfq(uow: UnitOfWork, number: str) -> RfqView:
    """RFQ ``number`` with its lines, invited suppliers, quotations and the orders it was awarded as."""
    with uow:
        return rfq_view(uow.session, number)


def rfq_view(session: Session, number: str) -> RfqView:
    found = session.execute(
        select(Rfq, Site.code)
        .join(Site, Site.id == Rfq.site_id)
        .where(Rfq.number == number)
        .execution_options(populate_existing=True)
    ).first()
    if found is None:
        raise NotFoundError(RECORD, number)
    row, site = found
    lines = session.execute(
        select(
            RfqLine.line,
            Item.code,
            Item.name,
            Unit.code,
            RfqLine.quantity,
            RfqLine.due_date,
            Requisition.number,
        )
        .join(Item, Item.id == RfqLine.item_id)
        .join(Unit, Unit.id == Item.unit_id)
        .outerjoin(Requisition, Requisition.id == RfqLine.requisition_id)
        .where(RfqLine.rfq_id == row.id)
        .order_by(RfqLine.line)
    )
    suppliers = session.scalars(
        select(Supplier.code)
        .join(RfqSupplier, RfqSupplier.supplier_id == Supplier.id)
        .where(RfqSupplier.rfq_id == row.id)
        .order_by(Supplier.code)
    )
    prices: dict[int, list[QuotedPrice]] = {}
    for quotation_id, line, minimum, price, lead in session.execute(
        select(
            QuotationPrice.quotation_id,
            RfqLine.line,
            QuotationPrice.min_quantity,
            QuotationPrice.unit_price,
            QuotationPrice.lead_time_days,
        )
        .join(RfqLine, RfqLine.id == QuotationPrice.rfq_line_id)
        .where(RfqLine.rfq_id == row.id)
        .order_by(RfqLine.line, QuotationPrice.min_quantity)
    ):
        prices.setdefault(quotation_id, []).append(QuotedPrice(line, minimum, price, lead))
    quotations = [
        QuotationView(code, q.received_on, q.valid_until, q.currency, q.freight, prices.get(q.id, []))
        for q, code in session.execute(
            select(Quotation, Supplier.code)
            .join(Supplier, Supplier.id == Quotation.supplier_id)
            .where(Quotation.rfq_id == row.id)
            .order_by(Supplier.code)
            .execution_options(populate_existing=True)
        )
    ]
    orders = session.scalars(select(PurchaseOrder.number).where(PurchaseOrder.rfq == number).order_by(PurchaseOrder.id))
    return RfqView(
        number=row.number,
        site=site,
        status=row.status,
        created_on=row.created_on,
        respond_by=row.respond_by,
        created_by=row.created_by,
        suppliers=list(suppliers),
        lines=[RfqLineView(*line) for line in lines],
        quotations=quotations,
        purchase_orders=list(orders),
    )


_LINES = select(RfqLine.rfq_id, func.count().label("lines")).group_by(RfqLine.rfq_id).subquery()
_INVITED = select(RfqSupplier.rfq_id, func.count().label("suppliers")).group_by(RfqSupplier.rfq_id).subquery()
_QUOTED = select(Quotation.rfq_id, func.count().label("quotations")).group_by(Quotation.rfq_id).subquery()

#: What the list of RFQs may be sorted by.
RFQ_SORTS: dict[str, Any] = {
    "number": Rfq.number,
    "site": Site.code,
    "status": Rfq.status,
    "created_on": Rfq.created_on,
    "respond_by": Rfq.respond_by,
    "lines": _LINES.c.lines,
    "suppliers": _INVITED.c.suppliers,
    "quotations": _QUOTED.c.quotations,
}


def rfqs(
    uow: UnitOfWork,
    *,
    status: RfqStatus | None = None,
    site: str | None = None,
    supplier: str | None = None,
    item: str | None = None,
    search: str | None = None,
    sort: Sequence[str] = (),
    offset: int = 0,
    limit: int = 100,
) -> RfqPage:
    """A page of RFQs, newest first unless ``sort`` names columns of :data:`RFQ_SORTS` (``-`` first
    for descending): of ``status`` and ``site``, inviting ``supplier``, with a line of ``item``,
    whose number contains ``search``; with how many match."""
    with uow:
        session = uow.session
        query = (
            select(
                Rfq.number,
                Site.code,
                Rfq.status,
                Rfq.created_on,
                Rfq.respond_by,
                func.coalesce(_LINES.c.lines, 0),
                func.coalesce(_INVITED.c.suppliers, 0),
                func.coalesce(_QUOTED.c.quotations, 0),
            )
            .join(Site, Site.id == Rfq.site_id)
            .outerjoin(_LINES, _LINES.c.rfq_id == Rfq.id)
            .outerjoin(_INVITED, _INVITED.c.rfq_id == Rfq.id)
            .outerjoin(_QUOTED, _QUOTED.c.rfq_id == Rfq.id)
        )
        if status is not None:
            query = query.where(Rfq.status == status)
        if site is not None:
            query = query.where(Rfq.site_id == site_id(session, site))
        if supplier is not None:
            invited = select(RfqSupplier.rfq_id).where(RfqSupplier.supplier_id == supplier_of(session, supplier).id)
            query = query.where(Rfq.id.in_(invited))
        if item is not None:
            query = query.where(Rfq.id.in_(select(RfqLine.rfq_id).where(RfqLine.item_id == item_ref(session, item).id)))
        if search:
            query = query.where(Rfq.number.ilike(f"%{search.strip()}%"))
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        ordering = order_by(sort, RFQ_SORTS, "rfqs")
        rows = session.execute(query.order_by(*ordering, Rfq.id.desc()).offset(offset).limit(limit))
        return RfqPage(total, [RfqSummary(*row) for row in rows])


def _next_number(session: Session) -> str:
    numbers = session.scalars(select(Rfq.number).where(Rfq.number.startswith(NUMBER_PREFIX)))
    highest = max((int(m.group(1)) for n in numbers if (m := _NUMBER.match(n))), default=0)
    return f"{NUMBER_PREFIX}{highest + 1:06d}"
