"""Catalog tables: units, conversions, items, bills of materials, routings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plantops.db.base import Base, Fraction, Money, enum_column
from plantops.vocabulary import (
    AbcClass,
    ItemType,
    LotSizeRule,
    OutputKind,
    Procurement,
    ProductionType,
    ReplenishmentPolicy,
    Tracking,
    UnitDimension,
    ValuationMethod,
)


class Unit(Base):
    """A unit of measure; ``decimals`` is how many decimal places a quantity may have."""

    __tablename__ = "unit"
    __table_args__ = (CheckConstraint("decimals >= 0 AND decimals <= 6", name="decimals_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    dimension: Mapped[UnitDimension] = mapped_column(enum_column(UnitDimension, "unit_dimension"))
    decimals: Mapped[int] = mapped_column(default=0)


class UnitConversion(Base):
    """``1 from_unit = factor to_unit``; with an item, valid for that item only (1 box = 12 pcs)."""

    __tablename__ = "unit_conversion"
    __table_args__ = (
        UniqueConstraint("from_unit_id", "to_unit_id", "item_id"),
        CheckConstraint("factor > 0", name="factor_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    to_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    factor: Mapped[Decimal] = mapped_column(Money)


class Item(Base):
    """Anything that is stocked, made, bought or sold, with its planning parameters."""

    __tablename__ = "item"
    __table_args__ = (
        CheckConstraint("lead_time_days >= 0", name="lead_time_nonnegative"),
        CheckConstraint("safety_stock >= 0", name="safety_stock_nonnegative"),
        CheckConstraint("shrinkage >= 0", name="shrinkage_nonnegative"),
        CheckConstraint("yield_rate > 0", name="yield_positive"),
        CheckConstraint("standard_cost >= 0", name="standard_cost_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    item_type: Mapped[ItemType] = mapped_column(enum_column(ItemType, "item_type"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    family: Mapped[str | None] = mapped_column(String(64))
    procurement: Mapped[Procurement] = mapped_column(enum_column(Procurement, "procurement"))
    transfer_from_site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    lead_time_days: Mapped[Decimal] = mapped_column(default=Decimal(0))
    lot_size_rule: Mapped[LotSizeRule] = mapped_column(
        enum_column(LotSizeRule, "lot_size_rule"), default=LotSizeRule.LOT_FOR_LOT
    )
    fixed_order_quantity: Mapped[Decimal | None]
    order_periods: Mapped[int | None]
    ordering_cost: Mapped[Decimal | None] = mapped_column(Money)
    holding_cost_rate: Mapped[Decimal | None] = mapped_column(Fraction)
    min_order_quantity: Mapped[Decimal | None]
    order_multiple: Mapped[Decimal | None]
    max_order_quantity: Mapped[Decimal | None]
    safety_stock: Mapped[Decimal] = mapped_column(default=Decimal(0))
    shrinkage: Mapped[Decimal] = mapped_column(Fraction, default=Decimal(0))
    yield_rate: Mapped[Decimal] = mapped_column(Fraction, default=Decimal(1))
    standard_cost: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    abc_class: Mapped[AbcClass | None] = mapped_column(enum_column(AbcClass, "abc_class"))
    tracking: Mapped[Tracking] = mapped_column(enum_column(Tracking, "tracking"), default=Tracking.NONE)
    shelf_life_days: Mapped[int | None]
    valuation_method: Mapped[ValuationMethod] = mapped_column(
        enum_column(ValuationMethod, "valuation_method"), default=ValuationMethod.FIFO
    )
    allow_negative_stock: Mapped[bool] = mapped_column(default=False)
    planner_code: Mapped[str | None] = mapped_column(String(32))


class ItemSite(Base):
    """How an item is planned at one site: each value set here overrides the item's own.

    An empty value (NULL) means "as the item": MRP, DRP, policies and the pages read the
    effective value, the site's where it is set and the item's otherwise. The policy
    (``policy`` with ``reorder_point``, ``order_quantity`` or ``order_up_to`` and
    ``review_weeks``) has no item-wide default: without one the site nets against its
    safety stock with its lot-size rule.
    """

    __tablename__ = "item_site"
    __table_args__ = (
        UniqueConstraint("item_id", "site_id"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_nonnegative"),
        CheckConstraint("safety_stock >= 0", name="safety_stock_nonnegative"),
        CheckConstraint("review_weeks >= 1", name="review_weeks_positive"),
        Index("ix_item_site_site", "site_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    procurement: Mapped[Procurement | None] = mapped_column(enum_column(Procurement, "procurement"))
    transfer_from_site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    lead_time_days: Mapped[Decimal | None]
    lot_size_rule: Mapped[LotSizeRule | None] = mapped_column(enum_column(LotSizeRule, "lot_size_rule"))
    fixed_order_quantity: Mapped[Decimal | None]
    order_periods: Mapped[int | None]
    min_order_quantity: Mapped[Decimal | None]
    order_multiple: Mapped[Decimal | None]
    max_order_quantity: Mapped[Decimal | None]
    safety_stock: Mapped[Decimal | None]
    policy: Mapped[ReplenishmentPolicy | None] = mapped_column(enum_column(ReplenishmentPolicy, "replenishment_policy"))
    reorder_point: Mapped[Decimal | None]
    order_quantity: Mapped[Decimal | None]
    order_up_to: Mapped[Decimal | None]
    review_weeks: Mapped[int | None]
    planner_code: Mapped[str | None] = mapped_column(String(32))
    abc_class: Mapped[AbcClass | None] = mapped_column(enum_column(AbcClass, "abc_class"))


class Routing(Base):
    """The ordered operations that make an item, and the production type they run in."""

    __tablename__ = "routing"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    production_type: Mapped[ProductionType] = mapped_column(enum_column(ProductionType, "production_type"))


class RoutingOperation(Base):
    """One step of a routing on its primary work center.

    ``run_minutes`` is per unit; ``batch_size`` units run together (an oven load);
    ``transfer_quantity`` units may move to the next step before the batch is done
    (overlap); empty means the whole batch moves at once.
    """

    __tablename__ = "routing_operation"
    __table_args__ = (
        UniqueConstraint("routing_id", "sequence"),
        CheckConstraint("setup_minutes >= 0 AND run_minutes >= 0", name="times_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    routing_id: Mapped[int] = mapped_column(ForeignKey("routing.id", ondelete="CASCADE"))
    sequence: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    work_center_id: Mapped[int] = mapped_column(ForeignKey("work_center.id"))
    setup_minutes: Mapped[Decimal] = mapped_column(default=Decimal(0))
    run_minutes: Mapped[Decimal] = mapped_column(default=Decimal(0))
    batch_size: Mapped[Decimal | None]
    transfer_quantity: Mapped[Decimal | None]


class RoutingAlternative(Base):
    """Another work center that can run a routing step, with its own times."""

    __tablename__ = "routing_alternative"
    __table_args__ = (UniqueConstraint("operation_id", "work_center_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("routing_operation.id", ondelete="CASCADE"))
    work_center_id: Mapped[int] = mapped_column(ForeignKey("work_center.id"))
    setup_minutes: Mapped[Decimal] = mapped_column(default=Decimal(0))
    run_minutes: Mapped[Decimal] = mapped_column(default=Decimal(0))
    priority: Mapped[int] = mapped_column(default=1)


class Bom(Base):
    """A bill of materials: ``quantity`` of ``item`` (the main product) per batch.

    Inputs are :class:`BomComponent` rows; co-products and by-products are
    :class:`BomOutput` rows. The main product's cost share is what the other outputs
    leave (1 minus their shares).
    """

    __tablename__ = "bom"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_bom_item_priority", "item_id", "priority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    quantity: Mapped[Decimal] = mapped_column(default=Decimal(1))
    routing_id: Mapped[int | None] = mapped_column(ForeignKey("routing.id"))
    priority: Mapped[int] = mapped_column(default=1)
    valid_from: Mapped[dt.date | None]
    valid_to: Mapped[dt.date | None]


class BomComponent(Base):
    """An input of a BOM, per batch of the BOM's quantity.

    Lines sharing an ``alternate_group`` replace each other; the lowest ``priority`` is
    the primary. ``operation_sequence`` names the routing step that consumes it.
    """

    __tablename__ = "bom_component"
    __table_args__ = (
        UniqueConstraint("bom_id", "line"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("scrap_factor >= 0", name="scrap_nonnegative"),
        Index("ix_bom_component_item", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bom_id: Mapped[int] = mapped_column(ForeignKey("bom.id", ondelete="CASCADE"))
    line: Mapped[int]
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    quantity: Mapped[Decimal]
    scrap_factor: Mapped[Decimal] = mapped_column(Fraction, default=Decimal(0))
    operation_sequence: Mapped[int | None]
    alternate_group: Mapped[str | None] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(default=1)
    valid_from: Mapped[dt.date | None]
    valid_to: Mapped[dt.date | None]


class BomOutput(Base):
    """A co-product or by-product of a BOM, per batch, with its cost-allocation share."""

    __tablename__ = "bom_output"
    __table_args__ = (
        UniqueConstraint("bom_id", "item_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("cost_share >= 0", name="cost_share_nonnegative"),
        Index("ix_bom_output_item", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bom_id: Mapped[int] = mapped_column(ForeignKey("bom.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    kind: Mapped[OutputKind] = mapped_column(enum_column(OutputKind, "output_kind"))
    quantity: Mapped[Decimal]
    cost_share: Mapped[Decimal] = mapped_column(Fraction, default=Decimal(0))
