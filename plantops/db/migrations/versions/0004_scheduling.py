"""scheduling: schedule runs, scheduled orders, operations and work center loads

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "schedule_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "schedule", "repair", name="schedule_run_kind", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("repaired_run_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_by", sa.String(length=64), nullable=False),
        sa.Column("horizon_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("horizon_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "optimal",
                "feasible",
                "infeasible",
                "unknown",
                name="schedule_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("proven_optimal", sa.Boolean(), nullable=False),
        sa.Column("objective", sa.Float(), nullable=False),
        sa.Column("bound", sa.Float(), nullable=False),
        sa.Column("moved_operations", sa.Integer(), nullable=True),
        sa.CheckConstraint("horizon_end > horizon_start", name=op.f("ck_schedule_run_horizon_positive")),
        sa.ForeignKeyConstraint(
            ["repaired_run_id"],
            ["schedule_run.id"],
            name=op.f("fk_schedule_run_repaired_run_id_schedule_run"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_run")),
        sa.UniqueConstraint("number", name=op.f("uq_schedule_run_number")),
    )
    op.create_table(
        "scheduled_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "work_order",
                "planned_order",
                name="scheduled_order_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("release_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completion_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lateness_minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_scheduled_order_quantity_positive")),
        sa.CheckConstraint("weight > 0", name=op.f("ck_scheduled_order_weight_positive")),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_scheduled_order_item_id_item")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["schedule_run.id"], name=op.f("fk_scheduled_order_run_id_schedule_run"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_scheduled_order_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_order")),
        sa.UniqueConstraint("run_id", "source", "number", name=op.f("uq_scheduled_order_run_id_source_number")),
    )
    op.create_table(
        "scheduled_operation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("work_center_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("setup_minutes", sa.Integer(), nullable=False),
        sa.Column("frozen", sa.Boolean(), nullable=False),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.CheckConstraint("ends_at >= starts_at", name=op.f("ck_scheduled_operation_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["scheduled_order.id"],
            name=op.f("fk_scheduled_operation_order_id_scheduled_order"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["schedule_run.id"], name=op.f("fk_scheduled_operation_run_id_schedule_run"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["work_center_id"], ["work_center.id"], name=op.f("fk_scheduled_operation_work_center_id_work_center")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_operation")),
        sa.UniqueConstraint("order_id", "sequence", name=op.f("uq_scheduled_operation_order_id_sequence")),
    )
    op.create_table(
        "scheduled_work_center",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("work_center_id", sa.Integer(), nullable=False),
        sa.Column("busy_minutes", sa.Integer(), nullable=False),
        sa.Column("available_minutes", sa.Integer(), nullable=False),
        sa.Column("utilisation", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["schedule_run.id"],
            name=op.f("fk_scheduled_work_center_run_id_schedule_run"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["work_center_id"], ["work_center.id"], name=op.f("fk_scheduled_work_center_work_center_id_work_center")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_work_center")),
        sa.UniqueConstraint("run_id", "work_center_id", name=op.f("uq_scheduled_work_center_run_id_work_center_id")),
    )
    with op.batch_alter_table("scheduled_operation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_scheduled_operation_run_work_center", ["run_id", "work_center_id", "starts_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("scheduled_operation", schema=None) as batch_op:
        batch_op.drop_index("ix_scheduled_operation_run_work_center")

    op.drop_table("scheduled_operation")
    op.drop_table("scheduled_work_center")
    op.drop_table("scheduled_order")
    op.drop_table("schedule_run")
