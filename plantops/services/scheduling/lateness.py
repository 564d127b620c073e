"""Why the late orders of the schedule in force are late (:mod:`plantops.engines.schedule.lateness`).

Each late order's earliest completion is worked out on the schedule's own problem, read
again for the run's horizon: its routing's steps from its release (or the schedule's
start) on their work centers' calendars, with no other work in the way. A late order
whose due date lay before the schedule's start or before that earliest completion is
late by its due date; any other waited for capacity, for as many minutes as it
completes after its earliest completion. Materials are not a cause: the scheduler does
not model them (:mod:`.problem`). An order no longer open (completed since) has no cause.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from plantops.db.session import UnitOfWork
from plantops.engines.schedule.lateness import LateCause, earliest_completion, late_cause
from plantops.services.scheduling.problem import load_schedule, reference_by_step
from plantops.services.scheduling.queries import LateOrder, late_orders_of
from plantops.services.scheduling.runs import OVERFLOW, NoScheduleError, schedule_in_force


@dataclass(frozen=True)
class ExplainedLateOrder(LateOrder):
    """A late order and why: ``cause``, its ``earliest_completion_at`` on an empty plant, and the
    ``queued_minutes`` it completes after that (waiting for capacity)."""

    cause: LateCause | None
    earliest_completion_at: dt.datetime | None
    queued_minutes: int | None


def why_late(uow: UnitOfWork) -> list[ExplainedLateOrder]:
    """The late orders of the schedule in force, latest first, each with why it is late."""
    with uow:
        session = uow.session
        run = schedule_in_force(session)
        if run is None:
            raise NoScheduleError()
        late = late_orders_of(session, run)
        if not late:
            return []
        loaded = load_schedule(
            session,
            horizon_start=run.horizon_start,
            horizon_end=run.horizon_end,
            until=run.horizon_end + (run.horizon_end - run.horizon_start) * OVERFLOW,
            include_planned=bool(json.loads(run.settings).get("include_planned", True)),
            reference=reference_by_step(session, run.id),
        )
        origin = run.horizon_start
    earliest = earliest_completion(loaded.problem)
    never = loaded.until - origin
    by_order = {
        (order.source, order.number): None if dt.timedelta(minutes=int(minutes)) > never else int(minutes)
        for order, minutes in zip(loaded.orders, earliest.tolist(), strict=True)
    }

    def minutes(moment: dt.datetime) -> int:
        return int((moment - origin).total_seconds() // 60)

    explained = []
    for order in late:
        key = (order.source, order.number)
        if key not in by_order:
            explained.append(
                ExplainedLateOrder(**vars(order), cause=None, earliest_completion_at=None, queued_minutes=None)
            )
            continue
        first = by_order[key]
        completion = minutes(order.completion_at)
        reachable = first if first is not None else minutes(loaded.until) + 1  # never within the schedule
        cause = late_cause(due=minutes(order.due_at), completion=completion, earliest=reachable)
        explained.append(
            ExplainedLateOrder(
                **vars(order),
                cause=cause,
                earliest_completion_at=None if first is None else origin + dt.timedelta(minutes=first),
                queued_minutes=None if first is None else max(0, completion - first),
            )
        )
    return explained
