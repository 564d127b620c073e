"""user number locale: the locale a user writes numbers in (None: their browser's)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as table:
        table.add_column(sa.Column("number_locale", sa.String(length=35), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_user") as table:
        table.drop_column("number_locale")
