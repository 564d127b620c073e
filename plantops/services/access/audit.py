"""Reading the audit trail: who changed what, when, with the values before and after.

Two sources make the trail: ``audit_entry`` (every change made through a unit of work,
see :mod:`plantops.db.audit`) and the stock ledger, whose postings are append-only and
name who posted which moves when. :func:`audit_trail` reads both as one list, newest
first, filtered by record, key, user and time.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from plantops.db.access import AuditEntry
from plantops.db.catalog import Item
from plantops.db.inventory import Lot, StockMove, StockPosting
from plantops.db.session import UnitOfWork
from plantops.db.sites import Location
from plantops.errors import ValidationError
from plantops.vocabulary import AuditAction

#: The record name under which the stock ledger's postings appear in the trail.
STOCK_POSTING = "stock_posting"
MAX_PAGE = 1000


@dataclass(frozen=True)
class AuditRecord:
    at: dt.datetime
    user: str
    action: AuditAction
    record: str
    key: str
    rows: int
    before: Any
    after: Any


@dataclass(frozen=True)
class AuditPage:
    total: int
    entries: list[AuditRecord]


def audit_trail(
    uow: UnitOfWork,
    *,
    record: str | None = None,
    key: str | None = None,
    user: str | None = None,
    action: AuditAction | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    offset: int = 0,
    limit: int = 100,
) -> AuditPage:
    """Changes matching every filter given, newest first: ``record`` is a table name
    (``item``, ``planned_order``, ``stock_posting``...), ``key`` its business code,
    ``since`` inclusive and ``until`` exclusive."""
    if not 0 < limit <= MAX_PAGE:
        raise ValidationError("audit", "limit", f"must be 1 to {MAX_PAGE}, not {limit}")
    if offset < 0:
        raise ValidationError("audit", "offset", f"must not be negative, not {offset}")
    for name, instant in (("since", since), ("until", until)):
        if instant is not None and instant.utcoffset() is None:
            raise ValidationError("audit", name, "needs a time zone (e.g. +00:00)")
    with uow:
        session = uow.session
        entries = _entries(record, key, user, since, until)
        if action is not None:
            entries = entries.where(AuditEntry.action == action)
        postings = _postings(record, key, user, since, until) if action in (None, AuditAction.INSERT) else None
        total = _count(session, entries) + (_count(session, postings) if postings is not None else 0)
        wanted = offset + limit
        found = [
            _entry(row)
            for row in session.scalars(entries.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(wanted))
        ]
        if postings is not None:
            rows = session.scalars(
                postings.order_by(StockPosting.posted_at.desc(), StockPosting.id.desc()).limit(wanted)
            )
            found += _posting_entries(session, list(rows))
        found.sort(key=lambda e: e.at, reverse=True)
        return AuditPage(total, found[offset:wanted])


def audit_records(uow: UnitOfWork) -> list[str]:
    """The names of the records the trail holds changes of (``stock_posting`` always), by name."""
    with uow:
        named = set(uow.session.scalars(select(AuditEntry.record).distinct()))
    return sorted(named | {STOCK_POSTING})


def _entries(
    record: str | None, key: str | None, user: str | None, since: dt.datetime | None, until: dt.datetime | None
) -> Select[Any]:
    query = select(AuditEntry)
    if record is not None:
        query = query.where(AuditEntry.record == record)
    if key is not None:
        query = query.where(AuditEntry.record_key == key)
    if user is not None:
        query = query.where(AuditEntry.username == user)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    return query


def _postings(
    record: str | None, key: str | None, user: str | None, since: dt.datetime | None, until: dt.datetime | None
) -> Select[Any] | None:
    if record is not None and record != STOCK_POSTING:
        return None
    query = select(StockPosting)
    if key is not None:
        if not key.isdigit():
            return None
        query = query.where(StockPosting.id == int(key))
    if user is not None:
        query = query.where(StockPosting.posted_by == user)
    if since is not None:
        query = query.where(StockPosting.posted_at >= since)
    if until is not None:
        query = query.where(StockPosting.posted_at < until)
    return query


def _count(session: Session, query: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _entry(row: AuditEntry) -> AuditRecord:
    return AuditRecord(
        at=row.at,
        user=row.username,
        action=row.action,
        record=row.record,
        key=row.record_key,
        rows=row.rows,
        before=None if row.before is None else json.loads(row.before),
        after=None if row.after is None else json.loads(row.after),
    )


def _posting_entries(session: Session, postings: list[StockPosting]) -> list[AuditRecord]:
    """A posting as an insert whose values after are its document, reason and moves."""
    moves: dict[int, list[dict[str, str]]] = defaultdict(list)
    if postings:
        for posting_id, move_type, item, location, lot, quantity in session.execute(
            select(StockMove.posting_id, StockMove.move_type, Item.code, Location.code, Lot.code, StockMove.quantity)
            .join(Item, Item.id == StockMove.item_id)
            .join(Location, Location.id == StockMove.location_id)
            .outerjoin(Lot, Lot.id == StockMove.lot_id)
            .where(StockMove.posting_id.in_([p.id for p in postings]))
            .order_by(StockMove.id)
        ):
            move = {"move_type": move_type.value, "item": item, "location": location, "quantity": _text(quantity)}
            if lot is not None:
                move["lot"] = lot
            moves[posting_id].append(move)
    return [
        AuditRecord(
            at=p.posted_at,
            user=p.posted_by,
            action=AuditAction.INSERT,
            record=STOCK_POSTING,
            key=str(p.id),
            rows=len(moves[p.id]),
            before=None,
            after={
                "document": p.source_document,
                "reason": p.reason,
                "reverses_posting": p.reverses_posting_id,
                "moves": moves[p.id],
            },
        )
        for p in postings
    ]


def _text(quantity: Any) -> str:
    return format(quantity.normalize(), "f")
