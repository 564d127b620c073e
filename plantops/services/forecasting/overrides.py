"""What planners put into the forecast: overrides of a week, new items by analogy, publishing a version.

An override replaces the forecast of one item at one site in one week, in
``demand_forecast`` at once and in every version published later; it keeps who made it,
when and why, and the statistical forecast it replaced (for forecast value added).
A launch says how to forecast a new item until its own history is long enough: like a
similar item (times a factor) or from its family's profile.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from plantops import bounds
from plantops.db.catalog import Item
from plantops.db.forecasting import ForecastLaunch, ForecastOverride, ForecastVersion
from plantops.db.sales import DemandForecast, SalesHistory
from plantops.db.session import UnitOfWork
from plantops.errors import NotFoundError, ValidationError
from plantops.services.forecasting.history import monday_of
from plantops.services.forecasting.publish import publish_version, published_statistical
from plantops.services.inventory.references import item_ref, site_id

MAX_REASON = 2000


@dataclass(frozen=True)
class OverrideView:
    item: str
    site: str
    week: dt.date
    quantity: Decimal
    statistical_quantity: Decimal | None
    version: str | None
    reason: str
    created_by: str
    created_at: dt.datetime


def override_forecast(
    uow: UnitOfWork, *, item: str, site: str, week: dt.date, quantity: Decimal | str | float, reason: str, by: str
) -> OverrideView:
    """Set the forecast of ``item`` at ``site`` for the week of ``week`` to ``quantity``, saying why."""
    amount = _quantity("override", "quantity", quantity)
    why = _reason("override", reason)
    bounds.check_date("override", "week", week)
    monday = monday_of(week)
    with uow:
        session = uow.session
        ref, where = item_ref(session, item), site_id(session, site)
        history_end = session.scalar(
            select(func.max(SalesHistory.period_start)).where(
                SalesHistory.item_id == ref.id, SalesHistory.site_id == where
            )
        )
        if history_end is not None and monday <= monday_of(history_end):
            raise ValidationError(
                "override", "week", f"the week of {monday} has sales history already; override a coming week"
            )
        version_id, statistical = published_statistical(session, ref.id, where, monday)
        created_at = dt.datetime.now(dt.UTC)
        session.execute(
            insert(ForecastOverride).values(
                item_id=ref.id,
                site_id=where,
                period_start=monday,
                quantity=amount,
                statistical_quantity=statistical,
                version_id=version_id,
                reason=why,
                created_by=by,
                created_at=created_at,
            )
        )
        session.execute(
            delete(DemandForecast).where(
                DemandForecast.item_id == ref.id, DemandForecast.site_id == where, DemandForecast.period_start == monday
            )
        )
        session.execute(
            insert(DemandForecast).values(item_id=ref.id, site_id=where, period_start=monday, quantity=amount)
        )
        number = session.scalar(select(ForecastVersion.number).where(ForecastVersion.id == version_id))
        uow.commit()
    return OverrideView(item, site, monday, amount, statistical, number, why, by, created_at)


def launch_item(
    uow: UnitOfWork,
    *,
    item: str,
    site: str,
    like: str | None,
    factor: Decimal | str | float = 1,
    weekly_quantity: Decimal | str | float | None = None,
    reason: str,
    by: str,
) -> None:
    """Forecast a new ``item`` at ``site`` like ``like`` (times ``factor``), or from its family's profile."""
    why = _reason("launch", reason)
    scale = _quantity("launch", "factor", factor)
    weekly = None if weekly_quantity is None else _quantity("launch", "weekly_quantity", weekly_quantity)
    if like is not None and weekly is not None:
        raise ValidationError(
            "launch", "weekly_quantity", "give either a similar item (and a factor) or a weekly quantity"
        )
    with uow:
        session = uow.session
        ref, where = item_ref(session, item), site_id(session, site)
        like_id = None
        if like is not None:
            if like == item:
                raise ValidationError("launch", "like", "an item cannot be like itself")
            like_id = item_ref(session, like).id
        else:
            _check_family(session, ref.id, item)
        session.execute(delete(ForecastLaunch).where(ForecastLaunch.item_id == ref.id, ForecastLaunch.site_id == where))
        session.execute(
            insert(ForecastLaunch).values(
                item_id=ref.id,
                site_id=where,
                like_item_id=like_id,
                factor=scale,
                weekly_quantity=weekly,
                reason=why,
                created_by=by,
                created_at=dt.datetime.now(dt.UTC),
            )
        )
        uow.commit()


def publish(uow: UnitOfWork, number: str, *, by: str) -> int:
    """Publish forecast version ``number`` (again); returns the rows written to ``demand_forecast``."""
    with uow:
        version_id = uow.session.scalar(select(ForecastVersion.id).where(ForecastVersion.number == number))
        if version_id is None:
            raise NotFoundError("forecast version", number)
        written = publish_version(uow.session, version_id, published_by=by, at=dt.datetime.now(dt.UTC))
        uow.commit()
    return written


def _check_family(session: Session, item_id: int, code: str) -> None:
    family = session.scalar(select(Item.family).where(Item.id == item_id))
    if family is None:
        raise ValidationError("launch", "like", f"{code} has no family: name a similar item")


def _quantity(record: str, field: str, value: Decimal | str | float) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError(record, field, f"not a number: {value!r}") from None
    bounds.check_quantity(record, field, amount, allow_zero=True)
    return amount


def _reason(record: str, reason: str) -> str:
    why = reason.strip()
    if not why:
        raise ValidationError(record, "reason", "say why (it is kept with the change)")
    if len(why) > MAX_REASON:
        raise ValidationError(record, "reason", f"at most {MAX_REASON} characters, got {len(why)}")
    return why
