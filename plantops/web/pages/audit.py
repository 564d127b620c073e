"""The audit trail: who changed what and when, with the values before and after, filtered by
user, record kind, key, action and dates, newest first (:func:`plantops.services.access.audit.audit_trail`);
for those whose roles may read it (``read_audit``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from plantops import bounds
from plantops.db.session import UnitOfWork
from plantops.errors import ValidationError
from plantops.services.access import Permission
from plantops.services.access.audit import STOCK_POSTING, AuditRecord, audit_records, audit_trail
from plantops.services.master_data.values import INSTANT, INTEGER
from plantops.vocabulary import AuditAction
from plantops.web import forms, lists
from plantops.web.auth import CurrentUser, Forbidden, User, plant
from plantops.web.templating import render


def auditor(user: CurrentUser) -> User:
    """The user, if their roles let them read the audit trail."""
    if not user.may(Permission.READ_AUDIT):
        raise Forbidden(Permission.READ_AUDIT)
    return user


router = APIRouter(prefix="/audit", dependencies=[Depends(auditor)])

#: The date fields of the trail (the list's own filters are text and menus), and their labels.
LABELS = {"since": "From", "until": "To"}
#: Changed values shown per entry; the rest are counted.
SHOWN_CHANGES = 6
COLUMNS = (
    lists.Column("at", "When (UTC)", INSTANT, sortable=False),
    lists.Column("user", "Who", sortable=False),
    lists.Column("action", "Action", shown="words", sortable=False),
    lists.Column("record", "Record", shown="words", sortable=False),
    lists.Column("key", "Key", sortable=False),
    lists.Column("rows", "Rows", INTEGER, sortable=False),
    lists.Column("changes", "Changes", sortable=False),
)


def list_view(records: list[str], since: dt.datetime | None, until: dt.datetime | None) -> lists.ListView:
    """The trail from ``since`` until ``until`` (exclusive), by user, record kind, key and action."""

    def fetch(uow: UnitOfWork, query: lists.Query, offset: int, limit: int) -> lists.Rows:
        chosen = query.filters
        page = audit_trail(
            uow,
            record=chosen.get("record"),
            key=chosen.get("key"),
            user=chosen.get("user"),
            action=AuditAction(chosen["action"]) if "action" in chosen else None,
            since=since,
            until=until,
            offset=offset,
            limit=limit,
        )
        return lists.Rows(page.total, [_row(entry) for entry in page.entries])

    return lists.ListView(
        name="audit",
        title="Audit trail",
        path="/audit",
        columns=COLUMNS,
        fetch=fetch,
        filters=(
            lists.Filter("user", "Who"),
            lists.Filter("record", "Record", choices=tuple((r, r.replace("_", " ")) for r in records)),
            lists.Filter("key", "Key"),
            lists.Filter("action", "Action", choices=tuple((a.value, a.value) for a in AuditAction)),
        ),
        searchable=False,
    )


def _row(entry: AuditRecord) -> dict[str, Any]:
    return {
        "at": entry.at,
        "user": entry.user,
        "action": entry.action,
        "record": entry.record,
        "key": entry.key,
        "rows": entry.rows,
        "changes": _changes(entry),
    }


def _changes(entry: AuditRecord) -> str:
    """What an entry changed, in one line: a posting's moves, else each value before -> after."""
    if entry.record == STOCK_POSTING and isinstance(entry.after, Mapping):
        moves = [
            f"{m['move_type'].replace('_', ' ')} {m['quantity']} {m['item']} at {m['location']}"
            + (f" lot {m['lot']}" if m.get("lot") else "")
            for m in entry.after.get("moves", [])
        ]
        return "; ".join(filter(None, [*moves, str(entry.after.get("reason") or "")]))
    before = entry.before if isinstance(entry.before, Mapping) else {}
    after = entry.after if isinstance(entry.after, Mapping) else {}
    names = [name for name in [*before, *(n for n in after if n not in before)] if before.get(name) != after.get(name)]
    said = [f"{name}: {_value(before.get(name))} → {_value(after.get(name))}" for name in names[:SHOWN_CHANGES]]
    more = len(names) - SHOWN_CHANGES
    return "; ".join(said) + (f"; and {more} more" if more > 0 else "")


def _value(value: Any) -> str:
    return "none" if value is None else str(value)


def _dates(request: Request) -> tuple[dict[str, str], dict[str, str], dt.datetime | None, dt.datetime | None]:
    """The dates typed, their errors, and the instants they mean (midnight UTC; ``To`` takes in its whole day)."""
    typed = {name: request.query_params.get(name, "").strip() for name in LABELS}
    errors: dict[str, str] = {}
    instants: dict[str, dt.datetime | None] = {}
    for name, text in typed.items():
        try:
            day = forms.date("audit", name, text)
            if day is not None:
                bounds.check_date("audit", name, day)
        except ValidationError as error:
            errors[name], day = error.reason, None
        if day is not None and name == "until":
            day += dt.timedelta(days=1)
        instants[name] = None if day is None else dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return typed, errors, instants["since"], instants["until"]


@router.get("")
def audit_page(request: Request) -> Response:
    typed, errors, since, until = _dates(request)
    view = list_view(audit_records(plant(request).uow()), since, until)
    query = lists.read_query(request, view)
    query = replace(query, filters={**query.filters, **{name: value for name, value in typed.items() if value}})
    listing = lists.Shown(view, query, 0, []) if errors else lists.fetch(request, view, query)
    return render(
        request, "audit/index.html", 400 if errors else 200, listing=listing, form=typed, errors=errors, labels=LABELS
    )


@router.get("/export.{fmt}")
def audit_export(request: Request, fmt: str) -> Response:
    _, errors, since, until = _dates(request)
    for name, reason in errors.items():
        raise ValidationError("audit", name, reason)
    return lists.export(request, list_view(audit_records(plant(request).uow()), since, until), fmt)
