"""Resolve the codes a user types (item, location, lot) and check quantities against units."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from plantops import bounds
from plantops.db.base import table_of, text_length
from plantops.db.catalog import Item, Unit
from plantops.db.inventory import Lot
from plantops.db.sites import Location, Site
from plantops.errors import NotFoundError, ValidationError
from plantops.vocabulary import Tracking

_LOT_CODE_LENGTH = text_length(Lot, "code")


@dataclass(frozen=True)
class ItemRef:
    id: int
    code: str
    unit: str
    decimals: int
    tracking: Tracking
    allow_negative_stock: bool
    standard_cost: Decimal


@dataclass(frozen=True)
class LocationRef:
    id: int
    code: str
    site_id: int
    site: str


def item_ref(session: Session, code: str) -> ItemRef:
    row = session.execute(
        select(
            Item.id, Item.code, Unit.code, Unit.decimals, Item.tracking, Item.allow_negative_stock, Item.standard_cost
        )
        .join(Unit, Unit.id == Item.unit_id)
        .where(Item.code == code)
    ).first()
    if row is None:
        raise NotFoundError("item", code)
    return ItemRef(*row)


def location_ref(session: Session, code: str) -> LocationRef:
    row = session.execute(
        select(Location.id, Location.code, Site.id, Site.code)
        .join(Site, Site.id == Location.site_id)
        .where(Location.code == code)
    ).first()
    if row is None:
        raise NotFoundError("location", code)
    return LocationRef(*row)


def site_id(session: Session, code: str) -> int:
    found = session.scalar(select(Site.id).where(Site.code == code))
    if found is None:
        raise NotFoundError("site", code)
    return found


def lot_id(session: Session, item: ItemRef, code: str | None, *, record: str) -> int | None:
    """The lot of a tracked item (it must exist); None for an untracked item (no lot allowed)."""
    _check_lot_given(item, code, record)
    if code is None:
        return None
    found = session.scalar(select(Lot.id).where(Lot.item_id == item.id, Lot.code == code))
    if found is None:
        raise NotFoundError("lot", code, of=f"item {item.code}")
    return found


def lot_for_receipt(
    session: Session, item: ItemRef, code: str | None, expiry: dt.date | None, *, record: str
) -> int | None:
    """The lot a receipt goes into, created on first receipt with its expiry date."""
    _check_lot_given(item, code, record)
    if expiry is not None:
        bounds.check_date(record, "expiry", expiry)
    if code is None:
        return None
    # Claim the lot first: two concurrent first receipts of a new lot must both succeed.
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(table_of(Lot))
        .values(item_id=item.id, code=code, expiry_date=expiry)
        .on_conflict_do_nothing(index_elements=["item_id", "code"])
    )
    lot = session.execute(select(Lot.id, Lot.expiry_date).where(Lot.item_id == item.id, Lot.code == code)).one()
    if expiry is not None and lot.expiry_date not in (None, expiry):
        raise ValidationError(record, "expiry", f"lot {code} of {item.code} already expires on {lot.expiry_date}")
    return int(lot.id)


def check_expiry(
    session: Session, item: ItemRef, expiry: dt.date, *, received_on: dt.date, reason: str, record: str
) -> None:
    """An expiry already past, or further off than the item's shelf life from receipt, needs a reason.

    Such a date is most often a typing slip (2020 for 2026, a month for a day); where it
    is true (a return of expired goods, a longer-lived lot), the reason says so.
    """
    bounds.check_date(record, "expiry", expiry)
    if reason.strip():
        return
    if expiry < received_on:
        raise ValidationError(
            record, "expiry", f"{expiry} is before the receipt ({received_on}): give a reason to receive expired stock"
        )
    shelf_life = session.scalar(select(Item.shelf_life_days).where(Item.id == item.id))
    if shelf_life and expiry > received_on + dt.timedelta(days=shelf_life):
        raise ValidationError(
            record,
            "expiry",
            f"{expiry} is more than the shelf life of {item.code} ({shelf_life} days) after the receipt "
            f"({received_on}): check the date, or give a reason",
        )


def _check_lot_given(item: ItemRef, code: str | None, record: str) -> None:
    bounds.check_text(record, "lot", code, max_length=_LOT_CODE_LENGTH)
    if item.tracking is not Tracking.NONE and code is None:
        raise ValidationError(record, "lot", f"item {item.code} is {item.tracking.value}-tracked: give its lot")
    if item.tracking is Tracking.NONE and code is not None:
        raise ValidationError(record, "lot", f"item {item.code} is not lot- or serial-tracked")


def check_quantity(item: ItemRef, quantity: Decimal, *, record: str) -> None:
    """A positive quantity within the bound, with no more decimals than the item's unit allows."""
    bounds.check_quantity(record, "quantity", quantity)
    if quantity != quantity.quantize(Decimal(1).scaleb(-item.decimals)):
        raise ValidationError(
            record, "quantity", f"{quantity} has more decimals than unit {item.unit} allows ({item.decimals})"
        )
    if item.tracking is Tracking.SERIAL and quantity != 1:
        raise ValidationError(record, "quantity", f"item {item.code} is serial-tracked: one unit per serial number")
