"""Recurring jobs: a nightly plan, a weekly forecast, declared once and run by the workers.

A schedule names a job kind, its request, a cron expression (five fields, read in the
schedule's time zone, as ``cron`` and frePPLe's scheduled tasks read them) and the user
the job runs as. :func:`submit_due` submits every schedule whose time has come and moves
its ``next_run_at`` on in the same transaction, on the condition that no other process
moved it first: however many workers look, each run is submitted once. A schedule that
was due several times while no worker ran (a weekend with the servers down) runs once,
not once per missed time. Cron expressions are read by croniter, the library
procrastinate's own periodic tasks use.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from dataclasses import dataclass
from typing import Any

from croniter import croniter
from sqlalchemy import delete, select, update

from plantops.db.access import JobSchedule, User
from plantops.db.session import UnitOfWork
from plantops.errors import NotFoundError, ValidationError
from plantops.services.access.jobs import insert_job

NAME_LENGTH = 64


@dataclass(frozen=True)
class ScheduleView:
    name: str
    kind: str
    cron: str
    timezone: str
    enabled: bool
    next_run_at: dt.datetime
    last_job: str | None
    run_as: str
    request: dict[str, Any]
    declared_by: str
    declared_at: dt.datetime


@dataclass(frozen=True)
class DueJob:
    """A job a schedule has just submitted."""

    number: str
    kind: str
    schedule: str


def next_time(cron: str, timezone: str, after: dt.datetime) -> dt.datetime:
    """The first time after ``after`` that ``cron`` names, read in ``timezone``; in UTC."""
    check_cron(cron, timezone)
    local = after.astimezone(zoneinfo.ZoneInfo(timezone))
    following: dt.datetime = croniter(cron, local).get_next(dt.datetime)
    return following.astimezone(dt.UTC)


def check_cron(cron: str, timezone: str) -> None:
    """Refuse an expression that is not five cron fields, or an unknown time zone."""
    if len(cron.split()) != 5 or not croniter.is_valid(cron):
        raise ValidationError(
            "job schedule", "cron", f"{cron!r} is not a cron expression of five fields (minute hour day month weekday)"
        )
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError("job schedule", "timezone", f"{timezone!r} is not a known time zone") from None


def declare_schedule(
    uow: UnitOfWork,
    *,
    name: str,
    kind: str,
    request: dict[str, Any],
    cron: str,
    timezone: str,
    run_as: str,
    declared_by: str,
    enabled: bool = True,
) -> ScheduleView:
    """Create the schedule ``name``, or replace what it says; it is next due at the first time of
    ``cron`` from now. The job it submits runs as ``run_as`` (a user that must exist)."""
    name = name.strip()
    if not name or len(name) > NAME_LENGTH or any(c.isspace() for c in name):
        raise ValidationError("job schedule", "name", f"must be 1 to {NAME_LENGTH} characters without spaces")
    now = dt.datetime.now(dt.UTC)
    due = next_time(cron, timezone, now)
    with uow:
        session = uow.session
        if session.scalar(select(User.id).where(User.username == run_as)) is None:
            raise ValidationError("job schedule", "run_as", f"no user {run_as!r}")
        values = {
            "kind": kind,
            "request": json.dumps(request, default=str, sort_keys=True),
            "cron": cron,
            "timezone": timezone,
            "enabled": enabled,
            "next_run_at": due,
            "run_as": run_as,
            "declared_by": declared_by,
            "declared_at": now,
        }
        schedule = session.scalar(select(JobSchedule).where(JobSchedule.name == name))
        if schedule is None:
            session.add(JobSchedule(name=name, **values))
        else:
            for column, value in values.items():
                setattr(schedule, column, value)
        uow.commit()
    return get_schedule(uow, name)


def remove_schedule(uow: UnitOfWork, name: str) -> None:
    with uow:
        removed = uow.session.execute(delete(JobSchedule).where(JobSchedule.name == name))
        if not getattr(removed, "rowcount", 0):
            raise NotFoundError("job schedule", name)
        uow.commit()


def get_schedule(uow: UnitOfWork, name: str) -> ScheduleView:
    with uow:
        schedule = uow.session.scalar(select(JobSchedule).where(JobSchedule.name == name))
        if schedule is None:
            raise NotFoundError("job schedule", name)
        return _view(schedule)


def list_schedules(uow: UnitOfWork) -> list[ScheduleView]:
    with uow:
        return [_view(s) for s in uow.session.scalars(select(JobSchedule).order_by(JobSchedule.name))]


def submit_due(uow: UnitOfWork, steps_of: dict[str, int], now: dt.datetime | None = None) -> list[DueJob]:
    """Submit the job of every enabled schedule due at ``now``, once each; the jobs submitted.

    ``steps_of`` gives the number of steps of each kind of job; a schedule of a kind no
    longer known is skipped (and stays due)."""
    now = now or dt.datetime.now(dt.UTC)
    submitted: list[DueJob] = []
    with uow:
        session = uow.session
        due = session.scalars(
            select(JobSchedule).where(JobSchedule.enabled, JobSchedule.next_run_at <= now).order_by(JobSchedule.id)
        ).all()
        for schedule in due:
            if schedule.kind not in steps_of:
                continue
            following = next_time(schedule.cron, schedule.timezone, now)
            moved = session.execute(
                update(JobSchedule)
                .where(JobSchedule.id == schedule.id, JobSchedule.next_run_at == schedule.next_run_at)
                .values(next_run_at=following)
            )
            if not getattr(moved, "rowcount", 0):
                continue  # another process submitted this run
            number = insert_job(
                session,
                schedule.kind,
                json.loads(schedule.request),
                schedule.run_as,
                steps_of[schedule.kind],
                schedule=schedule.name,
            )
            session.execute(update(JobSchedule).where(JobSchedule.id == schedule.id).values(last_job=number))
            submitted.append(DueJob(number, schedule.kind, schedule.name))
        uow.commit()
    return submitted


def _view(schedule: JobSchedule) -> ScheduleView:
    return ScheduleView(
        name=schedule.name,
        kind=schedule.kind,
        cron=schedule.cron,
        timezone=schedule.timezone,
        enabled=schedule.enabled,
        next_run_at=schedule.next_run_at,
        last_job=schedule.last_job,
        run_as=schedule.run_as,
        request=json.loads(schedule.request),
        declared_by=schedule.declared_by,
        declared_at=schedule.declared_at,
    )
