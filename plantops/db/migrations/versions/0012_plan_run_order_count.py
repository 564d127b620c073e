"""plan run order count: how many planned orders a run wrote, so that a list of them needs no count

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 14:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plan_run") as table:
        table.add_column(sa.Column("order_count", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE plan_run SET order_count ="
        " (SELECT count(*) FROM planned_order WHERE planned_order.run_id = plan_run.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("plan_run") as table:
        table.drop_column("order_count")
