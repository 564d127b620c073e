"""item sites and transfer orders: planning data per item and site (overriding the item's), the
inventory policy MRP carries out there, and transfer orders shipped through an in-transit location

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = ("storage", "receiving", "shipping", "production", "quality")
NEW_KINDS = (*OLD_KINDS, "transit")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _kinds(kinds: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def upgrade() -> None:
    with op.batch_alter_table("location") as table:
        table.drop_constraint(op.f("ck_location_location_kind"), type_="check")
        table.create_check_constraint(op.f("ck_location_location_kind"), _kinds(NEW_KINDS))
    with op.batch_alter_table("item") as table:
        table.add_column(sa.Column("planner_code", sa.String(length=32), nullable=True))
    op.create_table(
        "item_site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("procurement", _enum("procurement", "make", "buy", "transfer"), nullable=True),
        sa.Column("transfer_from_site_id", sa.Integer(), nullable=True),
        sa.Column("lead_time_days", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column(
            "lot_size_rule",
            _enum(
                "lot_size_rule",
                "lot_for_lot",
                "fixed_order_quantity",
                "economic_order_quantity",
                "period_order_quantity",
                "wagner_whitin",
            ),
            nullable=True,
        ),
        sa.Column("fixed_order_quantity", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("order_periods", sa.Integer(), nullable=True),
        sa.Column("min_order_quantity", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("order_multiple", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("max_order_quantity", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("safety_stock", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("policy", _enum("replenishment_policy", "reorder_point", "min_max"), nullable=True),
        sa.Column("reorder_point", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("order_quantity", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("order_up_to", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("review_weeks", sa.Integer(), nullable=True),
        sa.Column("planner_code", sa.String(length=32), nullable=True),
        sa.Column("abc_class", _enum("abc_class", "A", "B", "C"), nullable=True),
        sa.CheckConstraint("lead_time_days >= 0", name=op.f("ck_item_site_lead_time_nonnegative")),
        sa.CheckConstraint("safety_stock >= 0", name=op.f("ck_item_site_safety_stock_nonnegative")),
        sa.CheckConstraint("review_weeks >= 1", name=op.f("ck_item_site_review_weeks_positive")),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_item_site_item_id_item"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_item_site_site_id_site")),
        sa.ForeignKeyConstraint(
            ["transfer_from_site_id"], ["site.id"], name=op.f("fk_item_site_transfer_from_site_id_site")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_site")),
        sa.UniqueConstraint("item_id", "site_id", name=op.f("uq_item_site_item_id_site_id")),
    )
    op.create_index("ix_item_site_site", "item_site", ["site_id"])
    op.create_table(
        "transfer_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("from_site_id", sa.Integer(), nullable=False),
        sa.Column("to_site_id", sa.Integer(), nullable=False),
        sa.Column("status", _enum("order_status", "draft", "open", "closed", "cancelled"), nullable=False),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("ship_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("planned_order", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint("from_site_id <> to_site_id", name=op.f("ck_transfer_order_sites_differ")),
        sa.CheckConstraint("due_date >= ship_date", name=op.f("ck_transfer_order_due_after_ship")),
        sa.ForeignKeyConstraint(["from_site_id"], ["site.id"], name=op.f("fk_transfer_order_from_site_id_site")),
        sa.ForeignKeyConstraint(["to_site_id"], ["site.id"], name=op.f("fk_transfer_order_to_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_order")),
        sa.UniqueConstraint("number", name=op.f("uq_transfer_order_number")),
    )
    op.create_index("ix_transfer_order_status", "transfer_order", ["status"])
    op.create_table(
        "transfer_order_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column("shipped_quantity", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column("received_quantity", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_transfer_order_line_quantity_positive")),
        sa.CheckConstraint(
            "received_quantity >= 0 AND received_quantity <= shipped_quantity AND shipped_quantity <= quantity",
            name=op.f("ck_transfer_order_line_received_within_shipped"),
        ),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_transfer_order_line_item_id_item")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["transfer_order.id"],
            name=op.f("fk_transfer_order_line_order_id_transfer_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_order_line")),
        sa.UniqueConstraint("order_id", "line", name=op.f("uq_transfer_order_line_order_id_line")),
    )
    op.create_index("ix_transfer_order_line_item", "transfer_order_line", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_transfer_order_line_item", table_name="transfer_order_line")
    op.drop_table("transfer_order_line")
    op.drop_index("ix_transfer_order_status", table_name="transfer_order")
    op.drop_table("transfer_order")
    op.drop_index("ix_item_site_site", table_name="item_site")
    op.drop_table("item_site")
    with op.batch_alter_table("item") as table:
        table.drop_column("planner_code")
    op.execute("UPDATE location SET kind = 'storage' WHERE kind = 'transit'")
    with op.batch_alter_table("location") as table:
        table.drop_constraint(op.f("ck_location_location_kind"), type_="check")
        table.create_check_constraint(op.f("ck_location_location_kind"), _kinds(OLD_KINDS))
