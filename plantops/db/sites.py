"""Sites, locations, work centers and their working calendars."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plantops.db.base import Base, Fraction, Money, enum_column
from plantops.vocabulary import LocationKind, ShiftKind, SiteKind


class Site(Base):
    """A plant or warehouse; its calendars are read in its IANA ``time_zone``."""

    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[SiteKind] = mapped_column(enum_column(SiteKind, "site_kind"))
    time_zone: Mapped[str] = mapped_column(String(64))


class Location(Base):
    """A place inside a site where stock lies; codes are unique across sites."""

    __tablename__ = "location"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    kind: Mapped[LocationKind] = mapped_column(enum_column(LocationKind, "location_kind"))


class Calendar(Base):
    """A weekly working pattern with holidays, shared by any number of work centers."""

    __tablename__ = "calendar"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class CalendarShift(Base):
    """Working time (or a break inside it) on a weekday, in the site's local time.

    ``weekday`` is 0 for Monday; an ``end_time`` at or before ``start_time`` runs past
    midnight into the next day.
    """

    __tablename__ = "calendar_shift"
    __table_args__ = (
        UniqueConstraint("calendar_id", "weekday", "kind", "start_time"),
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendar.id", ondelete="CASCADE"))
    weekday: Mapped[int]
    kind: Mapped[ShiftKind] = mapped_column(enum_column(ShiftKind, "shift_kind"))
    start_time: Mapped[dt.time]
    end_time: Mapped[dt.time]
    name: Mapped[str] = mapped_column(String(64), default="")


class CalendarHoliday(Base):
    """A whole local day without work."""

    __tablename__ = "calendar_holiday"
    __table_args__ = (UniqueConstraint("calendar_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendar.id", ondelete="CASCADE"))
    day: Mapped[dt.date]
    name: Mapped[str] = mapped_column(String(200), default="")


class WorkCenter(Base):
    """Machines or a team that run operations.

    ``parallel_units`` identical units work at the same time; ``efficiency`` scales
    the standard run time (1.0 = standard; 0.85 means times take 1/0.85 as long).
    """

    __tablename__ = "work_center"
    __table_args__ = (
        CheckConstraint("parallel_units >= 1", name="parallel_units_positive"),
        CheckConstraint("efficiency > 0", name="efficiency_positive"),
        CheckConstraint("cost_per_hour >= 0", name="cost_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendar.id"))
    parallel_units: Mapped[int] = mapped_column(default=1)
    efficiency: Mapped[Decimal] = mapped_column(Fraction, default=Decimal(1))
    cost_per_hour: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))


class WorkCenterDowntime(Base):
    """A planned window when a work center does not run (maintenance, cleaning)."""

    __tablename__ = "work_center_downtime"
    __table_args__ = (UniqueConstraint("work_center_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_center_id: Mapped[int] = mapped_column(ForeignKey("work_center.id", ondelete="CASCADE"))
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    reason: Mapped[str] = mapped_column(String(200), default="")
