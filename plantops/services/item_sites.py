"""Planning data per item and site: the effective value of each parameter and where it comes from.

An item's own planning parameters are the defaults; an ``item_site`` row overrides, per
site, each value it sets (an empty value is "as the item"). The inventory policy and its
parameters exist per site only. One rule is derived rather than stored: an item supplied
by transfer is *made* (or bought, when it has no BOM) at the site it is transferred from,
since a site cannot ship to itself.

:func:`planning_at` reads one (item, site) for pages and commands; :func:`site_columns`
reads every override as columns, for MRP and the policies, which apply them with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from plantops.db.base import as_float
from plantops.db.bulk import read_columns
from plantops.db.catalog import Bom, Item, ItemSite
from plantops.db.session import UnitOfWork
from plantops.db.sites import Site
from plantops.errors import NotFoundError
from plantops.vocabulary import Procurement

#: Parameters an item-site may override, in the order pages show them.
OVERRIDABLE: tuple[str, ...] = (
    "procurement",
    "transfer_from_site",
    "lead_time_days",
    "lot_size_rule",
    "fixed_order_quantity",
    "order_periods",
    "min_order_quantity",
    "order_multiple",
    "max_order_quantity",
    "safety_stock",
    "planner_code",
    "abc_class",
)
#: Parameters that exist per site only.
POLICY: tuple[str, ...] = ("policy", "reorder_point", "order_quantity", "order_up_to", "review_weeks")
#: Decimal parameters, read as floats by :func:`site_columns`.
NUMERIC: tuple[str, ...] = (
    "lead_time_days",
    "fixed_order_quantity",
    "min_order_quantity",
    "order_multiple",
    "max_order_quantity",
    "safety_stock",
    "reorder_point",
    "order_quantity",
    "order_up_to",
)


class Source(StrEnum):
    """Where an effective value comes from."""

    SITE = "site"  # the item-site record
    ITEM = "item"  # the item's own value
    DERIVED = "derived"  # the item's transfer source makes (or buys) what it ships
    NONE = "none"  # not set anywhere


@dataclass(frozen=True)
class Setting:
    value: Any
    source: Source


@dataclass(frozen=True)
class ItemSitePlanning:
    """The effective planning parameters of an item at a site, each with its source."""

    item: str
    site: str
    has_record: bool
    settings: dict[str, Setting]

    def __getitem__(self, name: str) -> Any:
        return self.settings[name].value


def planning_at(uow: UnitOfWork, item: str, site: str) -> ItemSitePlanning:
    """The effective parameters of ``item`` at ``site`` (``NotFoundError`` for an unknown code)."""
    with uow:
        return planning_in(uow.session, item, site)


def planning_of_item(uow: UnitOfWork, item: str) -> list[ItemSitePlanning]:
    """The effective parameters of ``item`` at every site that has a record for it, by site code."""
    with uow:
        session = uow.session
        item_id = _item_id(session, item)
        sites = session.scalars(
            select(Site.code).join(ItemSite, ItemSite.site_id == Site.id).where(ItemSite.item_id == item_id)
        )
        return [planning_in(session, item, code) for code in sorted(sites)]


def planning_in(session: Session, item: str, site: str) -> ItemSitePlanning:
    """:func:`planning_at` inside the caller's unit of work."""
    found = session.execute(select(Item).where(Item.code == item)).scalar_one_or_none()
    if found is None:
        raise NotFoundError("item", item)
    site_id = session.scalar(select(Site.id).where(Site.code == site))
    if site_id is None:
        raise NotFoundError("site", site)
    record = session.execute(
        select(ItemSite).where(ItemSite.item_id == found.id, ItemSite.site_id == site_id)
    ).scalar_one_or_none()
    codes: dict[int, str] = {row.id: row.code for row in session.execute(select(Site.id, Site.code))}
    settings: dict[str, Setting] = {}
    for name in OVERRIDABLE:
        attr = f"{name}_id" if name == "transfer_from_site" else name
        own = getattr(record, attr) if record is not None else None
        if own is not None:
            settings[name] = Setting(own, Source.SITE)
        else:
            default = getattr(found, attr)
            settings[name] = Setting(default, Source.NONE if default is None else Source.ITEM)
        if name == "transfer_from_site" and settings[name].value is not None:
            settings[name] = Setting(codes[settings[name].value], settings[name].source)
    for name in POLICY:
        own = getattr(record, name) if record is not None else None
        settings[name] = Setting(own, Source.NONE if own is None else Source.SITE)
    if settings["procurement"].value is Procurement.TRANSFER and settings["transfer_from_site"].value == site:
        made = session.scalar(select(Bom.id).where(Bom.item_id == found.id).limit(1)) is not None
        settings["procurement"] = Setting(Procurement.MAKE if made else Procurement.BUY, Source.DERIVED)
        settings["transfer_from_site"] = Setting(None, Source.DERIVED)
    elif settings["procurement"].value is not Procurement.TRANSFER:
        settings["transfer_from_site"] = Setting(None, settings["transfer_from_site"].source)
    return ItemSitePlanning(found.code, site, record is not None, settings)


def _item_id(session: Session, code: str) -> int:
    found = session.scalar(select(Item.id).where(Item.code == code))
    if found is None:
        raise NotFoundError("item", code)
    return found


def site_columns(connection: Connection) -> dict[str, np.ndarray]:
    """Every item-site record as columns: ``item``, ``site``, and each overridable and policy
    parameter (numbers as floats with NaN, words as text or ``None``, where not set)."""
    flat = connection.dialect.name
    numbers = [as_float(getattr(ItemSite, name), flat).label(name) for name in NUMERIC]
    return read_columns(
        connection,
        select(
            ItemSite.item_id.label("item"),
            ItemSite.site_id.label("site"),
            ItemSite.procurement.label("procurement"),
            ItemSite.transfer_from_site_id.label("transfer_from_site"),
            ItemSite.lot_size_rule.label("lot_size_rule"),
            ItemSite.order_periods.label("order_periods"),
            ItemSite.policy.label("policy"),
            ItemSite.review_weeks.label("review_weeks"),
            ItemSite.abc_class.label("abc_class"),
            ItemSite.planner_code.label("planner_code"),
            *numbers,
        ).order_by(ItemSite.item_id, ItemSite.site_id),
    )


def by_parameter(plannings: list[ItemSitePlanning]) -> list[tuple[str, list[Setting]]]:
    """The parameters of ``plannings`` as rows of a table with one column per site: each parameter
    that has a value at one site at least, with its setting at each site."""
    names = (*OVERRIDABLE, *POLICY)
    return [
        (name, [p.settings[name] for p in plannings])
        for name in names
        if any(p.settings[name].source is not Source.NONE for p in plannings)
    ]
