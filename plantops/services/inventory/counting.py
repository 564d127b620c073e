"""Cycle counting: list what is due for counting, record what was found, post the differences.

An item is counted at a location every :data:`COUNT_FREQUENCY_DAYS` days of its ABC
class. The date an item was last counted at a location is the posting date (in the
site's time zone) of the newest posted count list holding it there. Posting a count
list posts, for every line, the difference between the counted quantity and the
ledger's on-hand *at posting time* (not the snapshot taken when the list was made), so
stock that moved between listing and posting is not adjusted twice.

Each use case runs in one unit of work and commits once.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from plantops.db.catalog import Item, Unit
from plantops.db.inventory import CycleCount, CycleCountLine, Lot, StockBalance, StockPosting
from plantops.db.session import UnitOfWork
from plantops.db.sites import Location, Site
from plantops.errors import NotFoundError, PlantOpsError, ValidationError
from plantops.services.inventory.counted import CountedStock, balances_for_update, post_counted_stock
from plantops.services.inventory.ledger import Posting, quantity_text
from plantops.vocabulary import AbcClass, CountStatus, MoveType

#: Days between two counts of an item at a location, by ABC class.
COUNT_FREQUENCY_DAYS: dict[AbcClass, int] = {AbcClass.A: 30, AbcClass.B: 90, AbcClass.C: 180}
#: Days between two counts of an item without an ABC class.
UNCLASSIFIED_FREQUENCY_DAYS = 365

NUMBER_PREFIX = "CC-"
_NUMBER = re.compile(rf"^{NUMBER_PREFIX}(\d+)$")

#: A count as a counter reports it: item code, location code, lot code (or None), quantity.
Count = tuple[str, str, str | None, Decimal]


class CountListPostedError(PlantOpsError):
    """A count list whose differences are already posted cannot change or post again."""

    def __init__(self, number: str) -> None:
        self.number = number
        super().__init__(f"count list {number} is already posted: start a new count list")


class NothingToCountError(PlantOpsError):
    """No stock matches the filters and is due for counting; no count list was made."""

    def __init__(self, today: dt.date, filters: str) -> None:
        self.today = today
        super().__init__(f"nothing is due for counting on {today.isoformat()}{filters}")


class CountIncompleteError(ValidationError):
    """Lines of a count list have no counted quantity; nothing was posted."""

    def __init__(self, number: str, lines: list[str]) -> None:
        self.lines = lines
        shown = ", ".join(lines[:20]) + (f" and {len(lines) - 20} more" if len(lines) > 20 else "")
        super().__init__(f"count list {number}", "counted_quantity", f"not counted yet: {shown}")


@dataclass(frozen=True)
class CountListLine:
    """A balance to count: what the ledger held when the list was made, and what was counted."""

    item: str
    location: str
    lot: str | None
    expected: Decimal
    counted: Decimal | None = None


@dataclass(frozen=True)
class CountList:
    """A count list and its lines, ordered by item, location and lot."""

    number: str
    status: CountStatus
    created_at: dt.datetime
    lines: tuple[CountListLine, ...]


@dataclass(frozen=True)
class CountDifference:
    """A posted line: ``difference = counted - on_hand`` was posted as an adjustment.

    ``on_hand`` is the ledger's quantity just before posting; ``expected`` the snapshot
    taken when the list was made.
    """

    item: str
    location: str
    lot: str | None
    expected: Decimal
    on_hand: Decimal
    counted: Decimal
    difference: Decimal


@dataclass(frozen=True)
class CountResult:
    number: str
    posting_id: int
    lines: tuple[CountDifference, ...]

    @property
    def adjusted(self) -> tuple[CountDifference, ...]:
        """The lines whose count differed from the ledger."""
        return tuple(line for line in self.lines if line.difference)


def frequency_days(abc_class: AbcClass | None) -> int:
    """Days between counts for an item of ``abc_class`` (None: unclassified)."""
    return UNCLASSIFIED_FREQUENCY_DAYS if abc_class is None else COUNT_FREQUENCY_DAYS[abc_class]


# --- use cases -----------------------------------------------------------------------


def create_count_list(
    uow: UnitOfWork,
    *,
    today: dt.date,
    abc_classes: set[AbcClass] | None = None,
    location: str | None = None,
    limit: int | None = None,
    created_by: str,
    now: dt.datetime | None = None,
) -> CountList:
    """Make a count list of the balances due for counting on ``today``.

    A balance (item, location, lot) with stock is due when its item was never counted at
    that location, or was last counted more than ``frequency_days(item's class)`` days
    before ``today``. Balances already on an open count list are left out, and so are
    balances with nothing on hand. ``limit`` caps the number of lines, keeping the most
    urgent: never counted first, then the most overdue, A before B before C before
    unclassified. ``abc_classes`` keeps only items of those classes (unclassified items
    are then left out); ``location`` keeps one location. The lines come back ordered by
    item, location and lot.

    ``expected`` is the on-hand now. ``created_by`` names who asked (the count list
    table has no column for it yet). ``now`` stamps the list (default: the clock).
    Raises :class:`NothingToCountError` when nothing is due.
    """
    if limit is not None and limit < 1:
        raise ValidationError("count list", "limit", f"must be at least 1, got {limit}")
    if not created_by.strip():
        raise ValidationError("count list", "created_by", "is required")
    stamp = _checked_instant(now or dt.datetime.now(dt.UTC), "now")
    with uow:
        session = uow.session
        location_id: int | None = None
        if location is not None:
            location_id = session.scalar(select(Location.id).where(Location.code == location))
            if location_id is None:
                raise NotFoundError("location", location)
        due = _due_balances(session, today, abc_classes, location_id)
        if limit is not None:
            due = due[:limit]
        if not due:
            raise NothingToCountError(today, _describe_filters(abc_classes, location))
        count = CycleCount(number=_next_number(session), status=CountStatus.OPEN, created_at=stamp)
        session.add(count)
        session.flush()
        session.add_all(
            CycleCountLine(
                count_id=count.id,
                item_id=b.item_id,
                location_id=b.location_id,
                lot_id=b.lot_id,
                expected_quantity=b.on_hand,
                counted_quantity=None,
            )
            for b in due
        )
        session.flush()
        result = _read(session, count)
        uow.commit()
    return result


def read_count_list(uow: UnitOfWork, number: str) -> CountList:
    """A count list with its lines; :class:`NotFoundError` if there is none numbered so."""
    with uow:
        return _read(uow.session, _count_by_number(uow.session, number, lock=False))


def record_counts(uow: UnitOfWork, number: str, counts: Sequence[Count]) -> CountList:
    """Set the counted quantity of lines of an open count list (a later count replaces an earlier one).

    Every count must name a line of the list, be at least 0 and have no more decimals
    than the item's unit allows; the first bad one raises :class:`ValidationError` and
    nothing is recorded. A posted list raises :class:`CountListPostedError`.
    """
    with uow:
        session = uow.session
        count = _count_by_number(session, number, lock=True)
        if count.status is CountStatus.POSTED:
            raise CountListPostedError(number)
        record = f"count list {number}"
        lines = {line.key: line for line in _lines(session, count.id)}
        seen: set[tuple[str, str, str | None]] = set()
        for item, location, lot, quantity in counts:
            key = (item, location, lot or None)
            where = _where(*key)
            if key not in lines:
                raise ValidationError(record, "item", f"{where} is not on the count list")
            if key in seen:
                raise ValidationError(record, "item", f"{where} is counted twice")
            seen.add(key)
            line = lines[key]
            if not isinstance(quantity, Decimal) or not quantity.is_finite():
                raise ValidationError(record, "counted_quantity", f"{where}: {quantity!r} is not a number")
            if quantity < 0:
                raise ValidationError(record, "counted_quantity", f"{where}: must be at least 0, got {quantity}")
            if quantity != quantity.quantize(Decimal(1).scaleb(-line.decimals)):
                raise ValidationError(
                    record, "counted_quantity", f"{where}: {quantity} has more than {line.decimals} decimal places"
                )
            line.row.counted_quantity = quantity
        session.flush()
        result = _read(session, count)
        uow.commit()
    return result


def post_count(uow: UnitOfWork, number: str, *, posted_by: str, now: dt.datetime) -> CountResult:
    """Post the differences between counted quantities and the ledger's on-hand, and close the list.

    Every line must be counted (:class:`CountIncompleteError` names the others; nothing is
    posted). The differences are posted as one posting of ``adjustment`` moves with
    reason ``"cycle count <number>"``; gains are valued at the item's standard cost. A
    list whose counts all agree gets a posting without moves, so that its date is known.
    A count below what is reserved at a balance raises :class:`ValidationError`.
    """
    _checked_instant(now, "now")
    if not posted_by.strip():
        raise ValidationError(f"count list {number}", "posted_by", "is required")
    with uow:
        session = uow.session
        count = _count_by_number(session, number, lock=True)
        if count.status is CountStatus.POSTED:
            raise CountListPostedError(number)
        lines = _lines(session, count.id)
        uncounted = [line.where for line in lines if line.row.counted_quantity is None]
        if uncounted:
            raise CountIncompleteError(number, uncounted)
        current = balances_for_update(
            session, [(line.row.item_id, line.row.location_id, line.row.lot_id) for line in lines]
        )
        differences: list[CountDifference] = []
        counted: list[CountedStock] = []
        for line in lines:
            row, quantity = line.row, line.row.counted_quantity
            assert quantity is not None
            on_hand, reserved = current.get((row.item_id, row.location_id, row.lot_id), (Decimal(0), Decimal(0)))
            if quantity < reserved:
                raise ValidationError(
                    f"count list {number}",
                    "counted_quantity",
                    f"{line.where}: counted {quantity_text(quantity)} is below "
                    f"the {quantity_text(reserved)} reserved there; "
                    "release those reservations first",
                )
            gain_cost = line.standard_cost if quantity > on_hand else None
            counted.append(CountedStock(row.item_id, row.location_id, row.lot_id, quantity, unit_cost=gain_cost))
            differences.append(
                CountDifference(
                    line.item, line.location, line.lot, row.expected_quantity, on_hand, quantity, quantity - on_hand
                )
            )
        posting = Posting(
            posted_by=posted_by,
            source_document=number,
            reason=f"cycle count {number}",
            idempotency_key=f"cycle-count:{number}",
        )
        posted = post_counted_stock(session, counted, posting, move_type=MoveType.ADJUSTMENT, now=now)
        posting_id = posted.posting_id if posted is not None else _empty_posting(session, posting, now)
        count.status = CountStatus.POSTED
        count.posting_id = posting_id
        session.flush()
        uow.commit()
    return CountResult(number, posting_id, tuple(differences))


# --- reading count lists ----------------------------------------------------------------


@dataclass(frozen=True)
class CountListSummary:
    """A count list as a list of them shows it: how many lines it has and how many are counted."""

    number: str
    status: CountStatus
    created_at: dt.datetime
    lines: int
    counted: int
    posting_id: int | None


def count_lists(
    uow: UnitOfWork,
    *,
    status: CountStatus | None = None,
    search: str | None = None,
    sort: Sequence[str] = ("-number",),
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[CountListSummary]]:
    """How many count lists match, and a page of them: of ``status``, whose number holds ``search``,
    sorted by ``sort`` (``number``, ``status``, ``created_at``, ``lines``, ``counted``; ``-`` before
    one for descending)."""
    lines = func.count(CycleCountLine.id)
    counted = func.count(CycleCountLine.counted_quantity)
    order_by = {
        "number": CycleCount.number,
        "status": CycleCount.status,
        "created_at": CycleCount.created_at,
        "lines": lines,
        "counted": counted,
    }
    order = []
    for word in sort:
        column = order_by.get(word.removeprefix("-"))
        if column is None:
            raise ValidationError(
                "count lists", "sort", f"no column {word!r} to sort by (known: {', '.join(order_by)})"
            )
        order.append(column.desc() if word.startswith("-") else column.asc())
    query = select(CycleCount.id)
    if status is not None:
        query = query.where(CycleCount.status == status)
    if search:
        query = query.where(func.lower(CycleCount.number).like(f"%{search.lower()}%"))
    with uow:
        session = uow.session
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.execute(
            select(CycleCount.number, CycleCount.status, CycleCount.created_at, lines, counted, CycleCount.posting_id)
            .outerjoin(CycleCountLine, CycleCountLine.count_id == CycleCount.id)
            .where(CycleCount.id.in_(query))
            .group_by(CycleCount.id)
            .order_by(*order, CycleCount.number.desc())
            .offset(offset)
            .limit(limit)
        )
        return total, [CountListSummary(*row) for row in rows]


# --- choosing what is due ------------------------------------------------------------


@dataclass(frozen=True)
class _Balance:
    item_id: int
    location_id: int
    lot_id: int | None
    on_hand: Decimal
    item_code: str
    location_code: str
    lot_code: str | None
    abc_class: AbcClass | None
    overdue_days: int | None  # None: never counted here


_CLASS_ORDER = {AbcClass.A: 0, AbcClass.B: 1, AbcClass.C: 2, None: 3}


def _due_balances(
    session: Session, today: dt.date, abc_classes: set[AbcClass] | None, location_id: int | None
) -> list[_Balance]:
    query = (
        select(
            StockBalance.item_id,
            StockBalance.location_id,
            StockBalance.lot_id,
            StockBalance.on_hand,
            Item.code,
            Location.code,
            Lot.code,
            Item.abc_class,
        )
        .join(Item, Item.id == StockBalance.item_id)
        .join(Location, Location.id == StockBalance.location_id)
        .outerjoin(Lot, Lot.id == StockBalance.lot_id)
        .where(StockBalance.on_hand != 0)
    )
    if abc_classes is not None:
        query = query.where(Item.abc_class.in_(sorted(abc_classes)))
    if location_id is not None:
        query = query.where(StockBalance.location_id == location_id)
    last = _last_counted(session)
    on_open_lists = _on_open_lists(session)
    due: list[_Balance] = []
    for item_id, loc_id, lot_id, on_hand, item_code, location_code, lot_code, abc_class in session.execute(query):
        if (item_id, loc_id, lot_id or 0) in on_open_lists:
            continue
        counted_on = last.get((item_id, loc_id))
        overdue: int | None = None
        if counted_on is not None:
            overdue = (today - counted_on).days - frequency_days(abc_class)
            if overdue <= 0:
                continue
        due.append(_Balance(item_id, loc_id, lot_id, on_hand, item_code, location_code, lot_code, abc_class, overdue))
    due.sort(
        key=lambda b: (
            b.overdue_days is not None,
            -(b.overdue_days or 0),
            _CLASS_ORDER[b.abc_class],
            b.item_code,
            b.location_code,
            b.lot_code or "",
        )
    )
    return due


def _last_counted(session: Session) -> dict[tuple[int, int], dt.date]:
    """Per (item, location), the local date of the newest posted count holding it."""
    counted_at = func.coalesce(StockPosting.posted_at, CycleCount.created_at)
    rows = session.execute(
        select(CycleCountLine.item_id, CycleCountLine.location_id, Site.time_zone, func.max(counted_at))
        .join(CycleCount, CycleCount.id == CycleCountLine.count_id)
        .outerjoin(StockPosting, StockPosting.id == CycleCount.posting_id)
        .join(Location, Location.id == CycleCountLine.location_id)
        .join(Site, Site.id == Location.site_id)
        .where(CycleCount.status == CountStatus.POSTED)
        .group_by(CycleCountLine.item_id, CycleCountLine.location_id, Site.time_zone)
    )
    return {
        (item_id, location_id): _local_date(instant, time_zone) for item_id, location_id, time_zone, instant in rows
    }


def _local_date(instant: dt.datetime, time_zone: str) -> dt.date:
    if instant.tzinfo is None:  # SQLite hands back the stored UTC wall time through max()
        instant = instant.replace(tzinfo=dt.UTC)
    try:
        return instant.astimezone(zoneinfo.ZoneInfo(time_zone)).date()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return instant.astimezone(dt.UTC).date()


def _on_open_lists(session: Session) -> set[tuple[int, int, int]]:
    rows = session.execute(
        select(CycleCountLine.item_id, CycleCountLine.location_id, CycleCountLine.lot_id)
        .join(CycleCount, CycleCount.id == CycleCountLine.count_id)
        .where(CycleCount.status == CountStatus.OPEN)
    )
    return {(item_id, location_id, lot_id or 0) for item_id, location_id, lot_id in rows}


def _next_number(session: Session) -> str:
    numbers = session.scalars(select(CycleCount.number).where(CycleCount.number.startswith(NUMBER_PREFIX)))
    highest = max((int(m.group(1)) for n in numbers if (m := _NUMBER.match(n))), default=0)
    return f"{NUMBER_PREFIX}{highest + 1:06d}"


def _describe_filters(abc_classes: set[AbcClass] | None, location: str | None) -> str:
    parts = []
    if abc_classes is not None:
        parts.append("ABC class " + "/".join(sorted(c.value for c in abc_classes)))
    if location is not None:
        parts.append(f"location {location}")
    return f" ({', '.join(parts)})" if parts else ""


# --- reading and locking -------------------------------------------------------------


def _count_by_number(session: Session, number: str, *, lock: bool) -> CycleCount:
    query = select(CycleCount).where(CycleCount.number == number)
    count = session.scalar(query.with_for_update() if lock else query)
    if count is None:
        raise NotFoundError("count list", number)
    return count


@dataclass(frozen=True)
class _Line:
    """A count list line with the codes and item facts the use cases need."""

    row: CycleCountLine
    item: str
    location: str
    lot: str | None
    decimals: int  # of the item's unit
    standard_cost: Decimal

    @property
    def key(self) -> tuple[str, str, str | None]:
        return self.item, self.location, self.lot

    @property
    def where(self) -> str:
        return _where(self.item, self.location, self.lot)


def _lines(session: Session, count_id: int) -> list[_Line]:
    """The lines of a count list, by item, location and lot code."""
    rows = session.execute(
        select(CycleCountLine, Item.code, Location.code, Lot.code, Unit.decimals, Item.standard_cost)
        .join(Item, Item.id == CycleCountLine.item_id)
        .join(Unit, Unit.id == Item.unit_id)
        .join(Location, Location.id == CycleCountLine.location_id)
        .outerjoin(Lot, Lot.id == CycleCountLine.lot_id)
        .where(CycleCountLine.count_id == count_id)
    )
    lines = [_Line(*row) for row in rows]
    lines.sort(key=lambda line: (line.item, line.location, line.lot or ""))
    return lines


def _read(session: Session, count: CycleCount) -> CountList:
    lines = tuple(
        CountListLine(line.item, line.location, line.lot, line.row.expected_quantity, line.row.counted_quantity)
        for line in _lines(session, count.id)
    )
    return CountList(count.number, count.status, count.created_at, lines)


def _empty_posting(session: Session, posting: Posting, now: dt.datetime) -> int:
    """A posting without moves: the record that a count was made and agreed with the ledger."""
    posting_id: int = session.execute(
        insert(StockPosting)
        .values(
            idempotency_key=posting.idempotency_key,
            posted_at=now,
            posted_by=posting.posted_by,
            source_document=posting.source_document,
            reason=posting.reason,
        )
        .returning(StockPosting.id)
    ).scalar_one()
    return posting_id


def _where(item: str, location: str, lot: str | None) -> str:
    return f"item {item} at {location}" + (f" lot {lot}" if lot else "")


def _checked_instant(value: dt.datetime, field: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError("count list", field, "must carry a time zone")
    return value
