"""Read the weekly sales history (and the new items to launch) into the forecast engine's inputs.

A series is an item at a site. It runs from its first week of sales to the last week of
history in the database, every week present: a week without a row sold nothing. Weeks
start on Monday; a row dated inside a week counts for that week.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plantops.db.catalog import Item
from plantops.db.forecasting import ForecastLaunch
from plantops.db.procurement import SupplierItem
from plantops.db.sales import SalesHistory
from plantops.db.sites import Site
from plantops.engines.forecast import Launch
from plantops.errors import NotFoundError, ValidationError

SeriesKey = tuple[int, int]  # (item id, site id)
ONE_WEEK = dt.timedelta(weeks=1)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def series_id(key: SeriesKey) -> str:
    """The engine's name of a series."""
    return f"{key[0]}/{key[1]}"


@dataclass
class History:
    """The engine's inputs and what they stand for in the database."""

    frame: pd.DataFrame  # unique_id, ds, y
    last_week: dt.date
    keys: dict[str, SeriesKey]  # engine id -> (item, site)
    items: dict[int, tuple[str, str | None, float]]  # item id -> code, family, lead time in days (own or supplier's)
    sites: dict[int, str]  # site id -> code
    launches: list[Launch] = field(default_factory=list)

    @property
    def first_week(self) -> dt.date:
        return self.last_week + ONE_WEEK

    def describe(self, uid: str) -> str:
        item, site = self.keys[uid]
        return f"{self.items[item][0]} at {self.sites[site]}"


def load_history(session: Session, items: Sequence[str] = ()) -> History:
    """The sales history of ``items`` (all items when empty), their launches and the items those are like.

    Every series ends with the last week of history in the database.
    """
    supplied = dict(
        session.execute(
            select(SupplierItem.item_id, func.min(SupplierItem.lead_time_days))
            .where(SupplierItem.rank == 1)
            .group_by(SupplierItem.item_id)
        ).all()
    )
    item_rows = {
        row.id: (row.code, row.family, float(row.lead_time_days or supplied.get(row.id, 0)))
        for row in session.execute(select(Item.id, Item.code, Item.family, Item.lead_time_days))
    }
    by_code = {code: item_id for item_id, (code, _, _) in item_rows.items()}
    wanted = _item_ids(items, by_code)
    sites = dict(session.execute(select(Site.id, Site.code)).all())
    launch_query = select(ForecastLaunch)
    if wanted is not None:
        launch_query = launch_query.where(ForecastLaunch.item_id.in_(wanted))
    launch_rows = list(session.execute(launch_query).scalars())
    latest = session.scalar(select(func.max(SalesHistory.period_start)))
    if latest is None:
        raise ValidationError("forecast", "sales_history", "there is no sales history to forecast from")
    query = select(SalesHistory.item_id, SalesHistory.site_id, SalesHistory.period_start, SalesHistory.quantity)
    if wanted is not None:
        families = {item_rows[row.item_id][1] for row in launch_rows if row.like_item_id is None} - {None}
        analogs = {row.like_item_id for row in launch_rows if row.like_item_id is not None}
        analogs |= {item_id for item_id, (_, family, _) in item_rows.items() if family in families}
        query = query.where(SalesHistory.item_id.in_(wanted | analogs))
    weekly: dict[SeriesKey, dict[dt.date, float]] = defaultdict(lambda: defaultdict(float))
    for item_id, site, day, quantity in session.execute(query):
        weekly[(item_id, site)][monday_of(day)] += float(quantity)
    last_week = monday_of(latest)
    selected = {key for key in weekly if wanted is None or key[0] in wanted}
    launches = [_launch(row, weekly, item_rows) for row in launch_rows]
    for launch in launches:
        selected |= {_key(uid) for uid in launch.like}
    if not selected and not launches:
        raise ValidationError("forecast", "items", "none of the items has sales history or a launch by analogy")
    frame = _frame({key: weekly[key] for key in sorted(selected)}, last_week)
    keys = {series_id(key): key for key in selected}
    keys.update({launch.unique_id: _key(launch.unique_id) for launch in launches})
    return History(frame, last_week, keys, item_rows, sites, launches)


def _item_ids(codes: Sequence[str], by_code: dict[str, int]) -> set[int] | None:
    if not codes:
        return None
    unknown = [code for code in codes if code not in by_code]
    if unknown:
        raise NotFoundError("item", unknown[0])
    return {by_code[code] for code in codes}


def _key(uid: str) -> SeriesKey:
    item, site = uid.split("/")
    return int(item), int(site)


def _frame(weekly: dict[SeriesKey, dict[dt.date, float]], last_week: dt.date) -> pd.DataFrame:
    """Every week of every series from its first sale (or first row) to ``last_week``, zero-filled."""
    parts = []
    for key, weeks in weekly.items():
        index = pd.date_range(min(weeks), last_week, freq="W-MON")
        values = pd.Series(weeks, dtype="float64")
        values.index = pd.to_datetime(values.index)
        parts.append(pd.DataFrame({"unique_id": series_id(key), "ds": index, "y": values.reindex(index).fillna(0.0)}))
    if not parts:
        return pd.DataFrame({"unique_id": pd.Series(dtype=str), "ds": pd.Series(dtype="datetime64[ns]"), "y": []})
    return pd.concat(parts, ignore_index=True)


def _launch(
    row: ForecastLaunch, weekly: dict[SeriesKey, dict[dt.date, float]], items: dict[int, tuple[str, str | None, float]]
) -> Launch:
    """The engine's launch: like one item's series (at the same site, else where it sells most), or the family's."""
    code, family, _ = items[row.item_id]
    uid = series_id((row.item_id, row.site_id))
    if row.like_item_id is not None:
        candidates = [key for key in weekly if key[0] == row.like_item_id]
        here = [key for key in candidates if key[1] == row.site_id]
        if not (here or candidates):
            raise ValidationError(f"launch of {code}", "like", f"{items[row.like_item_id][0]} has no sales history")
        best = here[0] if here else max(candidates, key=lambda key: sum(weekly[key].values()))
        return Launch(uid, (series_id(best),), factor=float(row.factor))
    members = [key for key in weekly if key[0] != row.item_id and family is not None and items[key[0]][1] == family]
    here = [key for key in members if key[1] == row.site_id]
    chosen = here or members
    if not chosen:
        raise ValidationError(f"launch of {code}", "family", f"no other item of family {family!r} has sales history")
    level = None if row.weekly_quantity is None else float(row.weekly_quantity)
    return Launch(uid, tuple(series_id(key) for key in sorted(chosen)), level=level)
