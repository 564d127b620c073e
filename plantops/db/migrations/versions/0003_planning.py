"""planning: plan runs, planned orders, MRP records, exceptions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 12:16:48.726421
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_by", sa.String(length=64), nullable=False),
        sa.Column("horizon_start", sa.Date(), nullable=False),
        sa.Column("bucket_starts", sa.Text(), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_run")),
        sa.UniqueConstraint("number", name=op.f("uq_plan_run_number")),
    )
    op.create_table(
        "mrp_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("low_level_code", sa.Integer(), nullable=False),
        sa.Column("rows", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["plan_run.id"], name=op.f("fk_mrp_record_run_id_plan_run"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mrp_record")),
        sa.UniqueConstraint("run_id", "item_id", "site_id", name=op.f("uq_mrp_record_run_id_item_id_site_id")),
    )
    op.create_table(
        "plan_exception",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "expedite",
                "defer",
                "cancel",
                "past_due",
                "below_safety_stock",
                "late_demand",
                "slushy_fence",
                name="plan_exception_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("document", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column("need_date", sa.Date(), nullable=True),
        sa.Column("cause", sa.String(length=32), nullable=True),
        sa.Column("days_late", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["plan_run.id"], name=op.f("fk_plan_exception_run_id_plan_run"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_exception")),
    )
    with op.batch_alter_table("plan_exception", schema=None) as batch_op:
        batch_op.create_index("ix_plan_exception_run_kind", ["run_id", "kind"], unique=False)

    op.create_table(
        "planned_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "make", "buy", "transfer", name="procurement", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("quantity", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column("release_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("bom_id", sa.Integer(), nullable=True),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("source_site_id", sa.Integer(), nullable=True),
        sa.Column("driver_item_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "firm",
                "released",
                name="planned_order_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("released_as", sa.String(length=32), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_planned_order_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["plan_run.id"], name=op.f("fk_planned_order_run_id_plan_run"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planned_order")),
        sa.UniqueConstraint("run_id", "number", name=op.f("uq_planned_order_run_id_number")),
    )
    with op.batch_alter_table("planned_order", schema=None) as batch_op:
        batch_op.create_index("ix_planned_order_run_item", ["run_id", "item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("planned_order", schema=None) as batch_op:
        batch_op.drop_index("ix_planned_order_run_item")

    op.drop_table("planned_order")
    with op.batch_alter_table("plan_exception", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_exception_run_kind")

    op.drop_table("plan_exception")
    op.drop_table("mrp_record")
    op.drop_table("plan_run")
