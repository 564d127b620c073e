"""inventory_policy: inventory policies per item and location

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 09:00:00
"""

from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOT_SIZE_RULES = (
    "lot_for_lot",
    "fixed_order_quantity",
    "economic_order_quantity",
    "period_order_quantity",
    "wagner_whitin",
)


def _enum(*values: str, name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _quantity() -> sa.Numeric[Decimal]:
    return sa.Numeric(precision=20, scale=6)


def _fraction() -> sa.Numeric[Decimal]:
    return sa.Numeric(precision=9, scale=6)


def upgrade() -> None:
    op.create_table(
        "policy_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("computed_by", sa.String(length=64), nullable=False),
        sa.Column(
            "method",
            _enum("reorder_point", "periodic", "base_stock", "guaranteed_service", name="policy_method"),
            nullable=False,
        ),
        sa.Column("service_measure", _enum("cycle_service_level", "fill_rate", name="service_measure"), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_run")),
        sa.UniqueConstraint("number", name=op.f("uq_policy_run_number")),
    )
    op.create_table(
        "policy_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("abc_class", _enum("A", "B", "C", name="abc_class"), nullable=False),
        sa.Column("xyz_class", _enum("X", "Y", "Z", name="xyz_class"), nullable=False),
        sa.Column("distribution", _enum("normal", "poisson", "gamma", name="demand_distribution"), nullable=False),
        sa.Column("service_target", _fraction(), nullable=False),
        sa.Column("demand_mean", _quantity(), nullable=False),
        sa.Column("demand_std", _quantity(), nullable=False),
        sa.Column("demand_basis", _enum("forecast", "history", "users", name="demand_basis"), nullable=False),
        sa.Column("variability_basis", _enum("forecast_errors", "history", name="variability_basis"), nullable=False),
        sa.Column("history_weeks", sa.Integer(), nullable=False),
        sa.Column("lead_time_days", _quantity(), nullable=False),
        sa.Column("lead_time_std_days", _quantity(), nullable=False),
        sa.Column(
            "lead_time_basis", _enum("purchase_history", "supplier", "item", name="lead_time_basis"), nullable=False
        ),
        sa.Column("unit_cost", _quantity(), nullable=False),
        sa.Column("holding_cost_rate", _fraction(), nullable=False),
        sa.Column("ordering_cost", _quantity(), nullable=False),
        sa.Column("safety_stock", _quantity(), nullable=False),
        sa.Column("reorder_point", _quantity(), nullable=True),
        sa.Column("order_quantity", _quantity(), nullable=True),
        sa.Column("order_up_to", _quantity(), nullable=True),
        sa.Column("service_time_days", sa.Integer(), nullable=True),
        sa.Column("expected_cost", _quantity(), nullable=False),
        sa.Column("expected_cycle_service", _fraction(), nullable=False),
        sa.Column("expected_fill_rate", _fraction(), nullable=False),
        sa.Column("before_safety_stock", _quantity(), nullable=False),
        sa.Column("before_lot_size_rule", _enum(*LOT_SIZE_RULES, name="before_lot_size_rule"), nullable=False),
        sa.Column("before_fixed_order_quantity", _quantity(), nullable=True),
        sa.Column("new_safety_stock", _quantity(), nullable=False),
        sa.Column("new_lot_size_rule", _enum(*LOT_SIZE_RULES, name="new_lot_size_rule"), nullable=False),
        sa.Column("new_fixed_order_quantity", _quantity(), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("applied_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_policy_line_item_id_item")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["policy_run.id"], name=op.f("fk_policy_line_run_id_policy_run"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_policy_line_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_line")),
        sa.UniqueConstraint("run_id", "item_id", "site_id", name=op.f("uq_policy_line_run_id_item_id_site_id")),
    )
    with op.batch_alter_table("policy_line", schema=None) as batch_op:
        batch_op.create_index("ix_policy_line_item", ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("policy_line", schema=None) as batch_op:
        batch_op.drop_index("ix_policy_line_item")

    op.drop_table("policy_line")
    op.drop_table("policy_run")
