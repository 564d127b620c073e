"""durable jobs: workers claim jobs from the database, report progress there, can be cancelled;
recurring jobs; on PostgreSQL, procrastinate's queue tables

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = "status IN ('queued', 'running', 'succeeded', 'failed')"
NEW_STATUSES = "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')"

#: Removes what procrastinate's schema creates: its tables and types (CASCADE takes the
#: triggers and the functions that name the types), then its remaining functions.
DROP_PROCRASTINATE = """
DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs,
    procrastinate_workers CASCADE;
DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_event_type,
    procrastinate_job_status CASCADE;
DO $$
DECLARE f record;
BEGIN
    FOR f IN SELECT oid::regprocedure AS signature FROM pg_proc WHERE proname LIKE 'procrastinate\\_%' LOOP
        EXECUTE 'DROP FUNCTION ' || f.signature || ' CASCADE';
    END LOOP;
END $$;
"""


def upgrade() -> None:
    with op.batch_alter_table("background_job") as table:
        table.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        table.add_column(sa.Column("worker", sa.String(length=128), nullable=True))
        table.add_column(sa.Column("step_done", sa.Integer(), nullable=True))
        table.add_column(sa.Column("step_total", sa.Integer(), nullable=True))
        table.add_column(sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("cancel_requested", sa.Boolean(), nullable=False, server_default=sa.false()))
        table.add_column(sa.Column("schedule", sa.String(length=64), nullable=True))
        table.drop_constraint(op.f("ck_background_job_job_status"), type_="check")
        table.create_check_constraint(op.f("ck_background_job_job_status"), NEW_STATUSES)
        table.create_index("ix_background_job_status", ["status", "id"])
    op.execute("UPDATE background_job SET attempts = 1 WHERE started_at IS NOT NULL")
    op.create_table(
        "job_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("cron", sa.String(length=120), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_job", sa.String(length=32), nullable=True),
        sa.Column("run_as", sa.String(length=64), nullable=False),
        sa.Column("declared_by", sa.String(length=64), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_schedule")),
        sa.UniqueConstraint("name", name=op.f("uq_job_schedule_name")),
    )
    if op.get_bind().dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        op.execute(DROP_PROCRASTINATE)  # a database that had the queue before PlantOps' tables
        op.execute(SchemaManager.get_schema())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DROP_PROCRASTINATE)
    op.drop_table("job_schedule")
    op.execute("UPDATE background_job SET status = 'failed' WHERE status = 'cancelled'")
    with op.batch_alter_table("background_job") as table:
        table.drop_index("ix_background_job_status")
        table.drop_constraint(op.f("ck_background_job_job_status"), type_="check")
        table.create_check_constraint(op.f("ck_background_job_job_status"), OLD_STATUSES)
        for column in ("schedule", "cancel_requested", "reported_at", "step_total", "step_done", "worker", "attempts"):
            table.drop_column(column)
