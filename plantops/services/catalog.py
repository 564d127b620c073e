"""Catalog use cases: what an item is, what it is made of and where it is used."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plantops.db.catalog import Bom, BomComponent, BomOutput, Item, Routing, RoutingOperation, Unit
from plantops.db.inventory import StockBalance
from plantops.db.session import UnitOfWork
from plantops.db.sites import WorkCenter
from plantops.engines.bom import process_shape
from plantops.errors import NotFoundError
from plantops.services.master_data.sheets import OPENING_STOCK, SHEETS
from plantops.vocabulary import ItemType, OutputKind, ProcessShape

MAX_TREE_DEPTH = 20


@dataclass(frozen=True)
class Output:
    item: str
    kind: OutputKind
    quantity: Decimal
    cost_share: Decimal


@dataclass
class BomNode:
    """A component line in an exploded BOM tree; ``bom`` is how the component is made."""

    item: str
    name: str
    item_type: ItemType
    quantity: Decimal  # per batch of the parent BOM
    unit: str
    scrap_factor: Decimal = Decimal(0)
    alternate_group: str | None = None
    priority: int = 1
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    bom: BomView | None = None


@dataclass
class BomView:
    code: str
    item: str
    quantity: Decimal
    shape: ProcessShape
    routing: str | None
    outputs: list[Output] = field(default_factory=list)
    components: list[BomNode] = field(default_factory=list)

    @property
    def main_cost_share(self) -> Decimal:
        return Decimal(1) - sum((o.cost_share for o in self.outputs), Decimal(0))


@dataclass(frozen=True)
class Use:
    """A BOM that consumes (``as_output`` False) or yields (True) the item."""

    bom: str
    parent_item: str
    quantity: Decimal
    as_output: bool


@dataclass(frozen=True)
class RoutingStep:
    sequence: int
    name: str
    work_center: str
    setup_minutes: Decimal
    run_minutes: Decimal


@dataclass
class ItemView:
    """An item's own fields (by column name, ids left out), its BOMs, uses and routing."""

    item: dict[str, Any]
    unit: str
    boms: list[BomView]
    used_in: list[Use]
    routing: list[RoutingStep]


def describe_item(uow: UnitOfWork, code: str) -> ItemView:
    """The item, the exploded tree of its BOMs, where it is used and its routing."""
    with uow:
        session = uow.session
        item = session.scalar(select(Item).where(Item.code == code))
        if item is None:
            raise NotFoundError("item", code)
        loader = _BomLoader(session)
        boms = loader.boms_of(item.id, depth=0)
        return ItemView(
            item={c.key: getattr(item, c.key) for c in Item.__table__.columns if not c.key.endswith("id")},
            unit=loader.units[item.unit_id],
            boms=boms,
            used_in=_used_in(session, item.id),
            routing=_routing_of(session, boms[0].routing) if boms and boms[0].routing else [],
        )


class _BomLoader:
    """Loads BOM trees level by level, a few queries per level."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.units = dict(session.execute(select(Unit.id, Unit.code)).all())

    def boms_of(self, item_id: int, depth: int) -> list[BomView]:
        views = []
        for bom in self.session.scalars(select(Bom).where(Bom.item_id == item_id).order_by(Bom.priority, Bom.code)):
            views.append(self._view(bom, depth))
        return views

    def _view(self, bom: Bom, depth: int) -> BomView:
        session = self.session
        components = session.execute(
            select(BomComponent, Item)
            .join(Item, Item.id == BomComponent.item_id)
            .where(BomComponent.bom_id == bom.id)
            .order_by(BomComponent.line)
        ).all()
        outputs = session.execute(
            select(BomOutput, Item.code)
            .join(Item, Item.id == BomOutput.item_id)
            .where(BomOutput.bom_id == bom.id)
            .order_by(Item.code)
        ).all()
        view = BomView(
            code=bom.code,
            item=session.scalar(select(Item.code).where(Item.id == bom.item_id)) or "",
            quantity=bom.quantity,
            shape=process_shape(len(components), 1 + len(outputs)),
            routing=session.scalar(select(Routing.code).where(Routing.id == bom.routing_id)),
            outputs=[Output(code, o.kind, o.quantity, o.cost_share) for o, code in outputs],
        )
        for line, component in components:
            node = BomNode(
                item=component.code,
                name=component.name,
                item_type=component.item_type,
                quantity=line.quantity,
                unit=self.units[component.unit_id],
                scrap_factor=line.scrap_factor,
                alternate_group=line.alternate_group,
                priority=line.priority,
                valid_from=line.valid_from,
                valid_to=line.valid_to,
            )
            if depth < MAX_TREE_DEPTH:
                made = self.boms_of(component.id, depth + 1)
                node.bom = made[0] if made else None
            view.components.append(node)
        return view


def _used_in(session: Session, item_id: int) -> list[Use]:
    parent = select(Bom.id, Bom.code, Item.code.label("parent")).join(Item, Item.id == Bom.item_id).subquery()
    uses = [
        Use(bom, parent_code, quantity, as_output=False)
        for bom, parent_code, quantity in session.execute(
            select(parent.c.code, parent.c.parent, BomComponent.quantity)
            .join(parent, parent.c.id == BomComponent.bom_id)
            .where(BomComponent.item_id == item_id)
        )
    ]
    uses += [
        Use(bom, parent_code, quantity, as_output=True)
        for bom, parent_code, quantity in session.execute(
            select(parent.c.code, parent.c.parent, BomOutput.quantity)
            .join(parent, parent.c.id == BomOutput.bom_id)
            .where(BomOutput.item_id == item_id)
        )
    ]
    return sorted(uses, key=lambda u: (u.parent_item, u.bom))


def _routing_of(session: Session, routing_code: str) -> list[RoutingStep]:
    rows = session.execute(
        select(RoutingOperation, WorkCenter.code)
        .join(Routing, Routing.id == RoutingOperation.routing_id)
        .join(WorkCenter, WorkCenter.id == RoutingOperation.work_center_id)
        .where(Routing.code == routing_code)
        .order_by(RoutingOperation.sequence)
    )
    return [RoutingStep(op.sequence, op.name, wc, op.setup_minutes, op.run_minutes) for op, wc in rows]


@dataclass(frozen=True)
class PlantSummary:
    """How many records of each kind the database holds, and BOMs by process shape."""

    counts: dict[str, int]
    boms_by_shape: dict[ProcessShape, int]


def summarize_plant(uow: UnitOfWork) -> PlantSummary:
    with uow:
        session = uow.session
        counts = {s.name: session.scalar(select(func.count()).select_from(s.model)) or 0 for s in SHEETS}
        inputs = defaultdict(
            int, session.execute(select(BomComponent.bom_id, func.count()).group_by(BomComponent.bom_id)).all()
        )
        outputs = defaultdict(
            int, session.execute(select(BomOutput.bom_id, func.count()).group_by(BomOutput.bom_id)).all()
        )
        shapes: dict[ProcessShape, int] = defaultdict(int)
        for bom_id in session.scalars(select(Bom.id)):
            shapes[process_shape(inputs[bom_id], 1 + outputs[bom_id])] += 1
        counts[OPENING_STOCK] = (
            session.scalar(select(func.count()).select_from(StockBalance).where(StockBalance.on_hand != 0)) or 0
        )
    return PlantSummary(counts, dict(shapes))
