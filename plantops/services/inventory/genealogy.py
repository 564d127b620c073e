"""Lot genealogy: which lots went into a lot (backward) and where a lot went (forward)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from sqlalchemy import select

from plantops.db.catalog import Item
from plantops.db.inventory import Lot, LotLink
from plantops.db.session import UnitOfWork
from plantops.services.inventory.references import item_ref, lot_id

Direction = Literal["backward", "forward"]


@dataclass
class LotNode:
    item: str
    lot: str
    quantity: Decimal | None = None  # consumed into the parent (backward) or from it (forward)
    links: list[LotNode] = field(default_factory=list)


def trace(uow: UnitOfWork, *, item: str, lot: str, direction: Direction = "backward", depth: int = 20) -> LotNode:
    """The genealogy tree of a lot, ``depth`` levels at most (a recall's reach)."""
    with uow:
        session = uow.session
        ref = item_ref(session, item)
        start = lot_id(session, ref, lot, record="trace")
        assert start is not None
        mine, theirs = (
            (LotLink.produced_lot_id, LotLink.consumed_lot_id)
            if direction == "backward"
            else (LotLink.consumed_lot_id, LotLink.produced_lot_id)
        )
        root = LotNode(item, lot)
        frontier = {start: [root]}
        seen = {start}
        for _ in range(depth):
            if not frontier:
                break
            rows = session.execute(
                select(mine, theirs, Item.code, Lot.code, LotLink.quantity)
                .join(Lot, Lot.id == theirs)
                .join(Item, Item.id == Lot.item_id)
                .where(mine.in_(list(frontier)))
                .order_by(Item.code, Lot.code)
            ).all()
            following: dict[int, list[LotNode]] = {}
            for parent_id, child_id, item_code, lot_code, quantity in rows:
                for parent in frontier[parent_id]:
                    child = LotNode(item_code, lot_code, quantity)
                    parent.links.append(child)
                    if child_id not in seen:
                        following.setdefault(child_id, []).append(child)
            seen.update(following)
            frontier = following
        return root
