"""The audit trail: every change, who made it, when, and the values before and after."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field

from plantops.api.problems import problem_responses
from plantops.api.schemas import Offset, Page, Schema, Text
from plantops.api.security import AuditReader
from plantops.services.access import audit
from plantops.vocabulary import AuditAction

router = APIRouter(prefix="/audit", tags=["audit"], responses=problem_responses(401, 403, 422))


class AuditEntryOut(BaseModel):
    at: dt.datetime
    user: str
    action: AuditAction
    record: str = Field(description="The table: item, planned_order, stock_posting...")
    key: str = Field(description="The record's business code, or its id where it has none.")
    rows: int
    before: Any
    after: Any


class AuditQuery(Schema):
    record: Text | None = None
    key: Text | None = None
    user: Text | None = None
    action: AuditAction | None = None
    since: AwareDatetime | None = Field(default=None, description="From this instant on (inclusive).")
    until: AwareDatetime | None = Field(default=None, description="Before this instant.")
    offset: Offset = 0
    limit: int = Field(default=100, ge=1, le=1000)


@router.get("", response_model=Page[AuditEntryOut], summary="Changes by record, user and time, newest first")
def audit_trail(query: Annotated[AuditQuery, Query()], caller: AuditReader) -> Page[AuditEntryOut]:
    page = audit.audit_trail(
        caller.uow(),
        record=query.record,
        key=query.key,
        user=query.user,
        action=query.action,
        since=query.since,
        until=query.until,
        offset=query.offset,
        limit=query.limit,
    )
    return Page(
        total=page.total,
        offset=query.offset,
        limit=query.limit,
        items=[AuditEntryOut(**e.__dict__) for e in page.entries],
    )
