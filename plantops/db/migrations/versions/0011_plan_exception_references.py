"""plan exception references: what kind of order an exception names, the order's due date as planned,
and the demand it concerns

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plan_exception") as table:
        table.add_column(sa.Column("document_kind", sa.String(length=16), nullable=True))
        table.add_column(sa.Column("document_due", sa.Date(), nullable=True))
        table.add_column(sa.Column("demand", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_exception") as table:
        table.drop_column("demand")
        table.drop_column("document_due")
        table.drop_column("document_kind")
