"""When work centers do not work, for a chart of the schedule: outside their shifts, in breaks and on
holidays (their calendar), and down (their downtimes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from plantops.db.session import UnitOfWork
from plantops.db.sites import WorkCenter
from plantops.services.scheduling.problem import downtimes_of, work_center_windows


@dataclass(frozen=True)
class NonWorking:
    """A span in which ``work_center`` does not work: ``down`` (a downtime) or off its calendar."""

    work_center: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    down: bool


def non_working_time(
    uow: UnitOfWork, work_centers: list[str], start: dt.datetime, end: dt.datetime
) -> list[NonWorking]:
    """Per work center (by code), its time off its calendar and its downtimes within ``[start, end)``."""
    with uow:
        session = uow.session
        ids = dict(
            session.execute(select(WorkCenter.code, WorkCenter.id).where(WorkCenter.code.in_(work_centers))).all()
        )
        windows = work_center_windows(session, list(ids.values()), start, end, with_downtimes=False)
        downtimes = downtimes_of(session, list(ids.values()), start, end)
    total = int((end - start).total_seconds() // 60)

    def at(minute: int) -> dt.datetime:
        return start + dt.timedelta(minutes=minute)

    found: list[NonWorking] = []
    for code, center in ids.items():
        edge = 0
        for a, b in [*windows[center], (total, total)]:
            if a > edge:
                found.append(NonWorking(code, at(edge), at(a), down=False))
            edge = max(edge, b)
        found += [NonWorking(code, max(a, start), min(b, end), down=True) for a, b in downtimes[center]]
    return found
