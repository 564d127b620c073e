"""Apply a policy run: write its policies into the planning parameters MRP uses, in one transaction.

MRP keeps one safety stock and one lot-sizing rule per item, used at every site that
plans the item; where an item has policies at several sites, the one with the largest
safety stock is applied, so that no site is left below its target. Applying refuses an
item whose planning parameters changed since the run was computed (compute again), and
one whose policy was already applied; any refusal changes nothing.
"""

from __future__ import annotations

import datetime as dt
import getpass
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from plantops.db.catalog import Item
from plantops.db.inventory_policy import PolicyLine, PolicyRun
from plantops.db.session import UnitOfWork
from plantops.db.sites import Site
from plantops.errors import NotFoundError, PlantOpsError, ValidationError
from plantops.vocabulary import LotSizeRule


class NoPolicyRunError(PlantOpsError):
    def __init__(self) -> None:
        super().__init__("there are no policies yet: run `plantops policy` first")


@dataclass(frozen=True)
class Change:
    """What applying a policy changed in an item's planning parameters."""

    item: str
    site: str  # the site whose policy was applied
    safety_stock: tuple[Decimal, Decimal]
    lot_size_rule: tuple[LotSizeRule, LotSizeRule]
    fixed_order_quantity: tuple[Decimal | None, Decimal | None]


def policy_run(session: Session, number: str | None) -> PolicyRun:
    """The run ``number``, or the newest run."""
    if number is None:
        run = session.scalars(select(PolicyRun).order_by(PolicyRun.id.desc()).limit(1)).first()
        if run is None:
            raise NoPolicyRunError()
        return run
    found = session.scalars(select(PolicyRun).where(PolicyRun.number == number)).first()
    if found is None:
        raise NotFoundError("policy run", number)
    return found


def apply_policies(
    uow: UnitOfWork,
    *,
    items: tuple[str, ...] = (),
    run: str | None = None,
    lot_sizing: bool = True,
    applied_by: str | None = None,
) -> tuple[str, list[Change]]:
    """Write the run's policies (of ``items``, or all not applied yet) into the items' planning parameters.

    Without ``lot_sizing`` only the safety stock is written and the item keeps its lot-sizing rule
    (the line then records the rule kept).
    """

    def work(session: Session) -> tuple[str, list[Change]]:
        chosen = policy_run(session, run)
        rows = session.execute(
            select(PolicyLine, Item, Site.code)
            .join(Item, Item.id == PolicyLine.item_id)
            .join(Site, Site.id == PolicyLine.site_id)
            .where(PolicyLine.run_id == chosen.id)
            .order_by(Item.code, Site.code)
        ).all()
        by_item: dict[str, list[tuple[PolicyLine, Item, str]]] = defaultdict(list)
        for line, item, site in rows:
            by_item[item.code].append((line, item, site))
        for code in items:
            if code not in by_item:
                if session.scalar(select(Item.id).where(Item.code == code)) is None:
                    raise NotFoundError("item", code)
                raise ValidationError(code, "items", f"has no policy in {chosen.number}")
        now = dt.datetime.now(dt.UTC)
        who = applied_by or getpass.getuser()
        if items:
            changes = [_apply(chosen.number, by_item[code], now, who, lot_sizing) for code in items]
        else:  # everything not applied yet
            pending = [code for code, lines in by_item.items() if all(line.applied_at is None for line, _, _ in lines)]
            changes = [_apply(chosen.number, by_item[code], now, who, lot_sizing) for code in pending]
        session.flush()
        return chosen.number, changes

    return uow.run(work)


def _apply(run: str, lines: list[tuple[PolicyLine, Item, str]], now: dt.datetime, who: str, lot_sizing: bool) -> Change:
    item = lines[0][1]
    for line, _, site in lines:
        if line.applied_at is not None:
            raise ValidationError(
                item.code, "item", f"the policy of {run} at {site} was applied on {line.applied_at:%Y-%m-%d %H:%M} UTC"
            )
    line, _, site = max(lines, key=lambda entry: entry[0].new_safety_stock)
    for name, before, now_value in (
        ("safety_stock", line.before_safety_stock, item.safety_stock),
        ("lot_size_rule", line.before_lot_size_rule, item.lot_size_rule),
        ("fixed_order_quantity", line.before_fixed_order_quantity, item.fixed_order_quantity),
    ):
        if before != now_value:
            raise ValidationError(
                item.code, name, f"changed from {before} to {now_value} since {run} was computed: compute again"
            )
    if not lot_sizing:
        line.new_lot_size_rule, line.new_fixed_order_quantity = item.lot_size_rule, item.fixed_order_quantity
    change = Change(
        item=item.code,
        site=site,
        safety_stock=(item.safety_stock, line.new_safety_stock),
        lot_size_rule=(item.lot_size_rule, line.new_lot_size_rule),
        fixed_order_quantity=(item.fixed_order_quantity, line.new_fixed_order_quantity),
    )
    if line.new_lot_size_rule is LotSizeRule.FIXED_ORDER_QUANTITY and not line.new_fixed_order_quantity:
        raise ValidationError(item.code, "fixed_order_quantity", "a fixed order quantity must be above 0")
    item.safety_stock = line.new_safety_stock
    item.lot_size_rule = line.new_lot_size_rule
    item.fixed_order_quantity = line.new_fixed_order_quantity
    line.applied_at, line.applied_by = now, who
    return change
