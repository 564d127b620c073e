"""sign-in failures: refused sign-ins by name and address, to throttle guessing

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failure")),
    )
    op.create_index("ix_sign_in_failure_username_failed_at", "sign_in_failure", ["username", "failed_at"])
    op.create_index("ix_sign_in_failure_address_failed_at", "sign_in_failure", ["address", "failed_at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_failure_address_failed_at", table_name="sign_in_failure")
    op.drop_index("ix_sign_in_failure_username_failed_at", table_name="sign_in_failure")
    op.drop_table("sign_in_failure")
