"""Inventory policies computed per item and location.

A policy run records how policies were computed (method, service targets, defaults) and
one line per item and site: the demand and lead time it used, its ABC and XYZ class, the
policy (safety stock, reorder point, order quantity or order-up-to level), its expected
cost and service, the planning parameters the item had when it was computed, what
applying it writes into them, and when and by whom it was applied.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plantops.db.base import Base, Fraction, Money, enum_column
from plantops.vocabulary import (
    AbcClass,
    DemandBasis,
    DemandDistribution,
    LeadTimeBasis,
    LotSizeRule,
    PolicyMethod,
    ServiceMeasure,
    VariabilityBasis,
    XyzClass,
)


class PolicyRun(Base):
    """One computation of inventory policies: method, service measure and settings (JSON)."""

    __tablename__ = "policy_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    computed_at: Mapped[dt.datetime]
    computed_by: Mapped[str] = mapped_column(String(64))
    method: Mapped[PolicyMethod] = mapped_column(enum_column(PolicyMethod, "policy_method"))
    service_measure: Mapped[ServiceMeasure] = mapped_column(enum_column(ServiceMeasure, "service_measure"))
    settings: Mapped[str] = mapped_column(Text)


class PolicyLine(Base):
    """The policy of an item at a site, what it rests on, and what applying it changes.

    Demand is per week; lead times are in working days of the site; costs are per year.
    ``before_*`` are the item's effective planning parameters at the site when the run was
    computed, ``new_*`` what applying the line leaves there; applying writes into the
    item's record at that site (:mod:`plantops.services.policy.apply`).
    """

    __tablename__ = "policy_line"
    __table_args__ = (
        UniqueConstraint("run_id", "item_id", "site_id"),
        Index("ix_policy_line_item", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("policy_run.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    abc_class: Mapped[AbcClass] = mapped_column(enum_column(AbcClass, "abc_class"))
    xyz_class: Mapped[XyzClass] = mapped_column(enum_column(XyzClass, "xyz_class"))
    distribution: Mapped[DemandDistribution] = mapped_column(enum_column(DemandDistribution, "demand_distribution"))
    service_target: Mapped[Decimal] = mapped_column(Fraction)
    demand_mean: Mapped[Decimal]
    demand_std: Mapped[Decimal]
    demand_basis: Mapped[DemandBasis] = mapped_column(enum_column(DemandBasis, "demand_basis"))
    variability_basis: Mapped[VariabilityBasis] = mapped_column(enum_column(VariabilityBasis, "variability_basis"))
    history_weeks: Mapped[int]
    lead_time_days: Mapped[Decimal]
    lead_time_std_days: Mapped[Decimal]
    lead_time_basis: Mapped[LeadTimeBasis] = mapped_column(enum_column(LeadTimeBasis, "lead_time_basis"))
    unit_cost: Mapped[Decimal] = mapped_column(Money)
    holding_cost_rate: Mapped[Decimal] = mapped_column(Fraction)
    ordering_cost: Mapped[Decimal] = mapped_column(Money)
    safety_stock: Mapped[Decimal]
    reorder_point: Mapped[Decimal | None]
    order_quantity: Mapped[Decimal | None]
    order_up_to: Mapped[Decimal | None]
    service_time_days: Mapped[int | None]
    expected_cost: Mapped[Decimal] = mapped_column(Money)
    expected_cycle_service: Mapped[Decimal] = mapped_column(Fraction)
    expected_fill_rate: Mapped[Decimal] = mapped_column(Fraction)
    before_safety_stock: Mapped[Decimal]
    before_lot_size_rule: Mapped[LotSizeRule] = mapped_column(enum_column(LotSizeRule, "before_lot_size_rule"))
    before_fixed_order_quantity: Mapped[Decimal | None]
    new_safety_stock: Mapped[Decimal]
    new_lot_size_rule: Mapped[LotSizeRule] = mapped_column(enum_column(LotSizeRule, "new_lot_size_rule"))
    new_fixed_order_quantity: Mapped[Decimal | None]
    applied_at: Mapped[dt.datetime | None]
    applied_by: Mapped[str | None] = mapped_column(String(64))
