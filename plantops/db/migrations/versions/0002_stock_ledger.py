"""stock ledger: reservations, genealogy, cycle counts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 11:35:08.308207
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cycle_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "posted", name="count_status", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posting_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.ForeignKeyConstraint(
            ["posting_id"], ["stock_posting.id"], name=op.f("fk_cycle_count_posting_id_stock_posting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle_count")),
        sa.UniqueConstraint("number", name=op.f("uq_cycle_count_number")),
    )
    op.create_table(
        "cycle_count_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("count_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("expected_quantity", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column("counted_quantity", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.ForeignKeyConstraint(
            ["count_id"], ["cycle_count.id"], name=op.f("fk_cycle_count_line_count_id_cycle_count"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_cycle_count_line_item_id_item")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_cycle_count_line_location_id_location")
        ),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"], name=op.f("fk_cycle_count_line_lot_id_lot")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle_count_line")),
        sa.UniqueConstraint(
            "count_id",
            "item_id",
            "location_id",
            "lot_id",
            name=op.f("uq_cycle_count_line_count_id_item_id_location_id_lot_id"),
        ),
    )
    op.create_table(
        "lot_link",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("posting_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("consumed_lot_id", sa.Integer(), nullable=False),
        sa.Column("produced_lot_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.ForeignKeyConstraint(["consumed_lot_id"], ["lot.id"], name=op.f("fk_lot_link_consumed_lot_id_lot")),
        sa.ForeignKeyConstraint(
            ["posting_id"], ["stock_posting.id"], name=op.f("fk_lot_link_posting_id_stock_posting")
        ),
        sa.ForeignKeyConstraint(["produced_lot_id"], ["lot.id"], name=op.f("fk_lot_link_produced_lot_id_lot")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lot_link")),
        sa.UniqueConstraint(
            "posting_id",
            "consumed_lot_id",
            "produced_lot_id",
            name=op.f("uq_lot_link_posting_id_consumed_lot_id_produced_lot_id"),
        ),
    )
    with op.batch_alter_table("lot_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lot_link_consumed_lot_id"), ["consumed_lot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lot_link_produced_lot_id"), ["produced_lot_id"], unique=False)

    op.create_table(
        "stock_reservation",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("balance_id", sa.Integer(), nullable=False),
        sa.Column("document", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column("reserved_quantity", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "consumed",
                "released",
                name="reservation_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "reserved_quantity >= 0 AND reserved_quantity <= quantity", name=op.f("ck_stock_reservation_reserved_range")
        ),
        sa.ForeignKeyConstraint(
            ["balance_id"], ["stock_balance.id"], name=op.f("fk_stock_reservation_balance_id_stock_balance")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_reservation")),
        sa.UniqueConstraint("number", name=op.f("uq_stock_reservation_number")),
    )
    with op.batch_alter_table("stock_reservation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stock_reservation_balance_id"), ["balance_id"], unique=False)
        batch_op.create_index("ix_stock_reservation_document", ["document"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stock_reservation", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_reservation_document")
        batch_op.drop_index(batch_op.f("ix_stock_reservation_balance_id"))

    op.drop_table("stock_reservation")
    with op.batch_alter_table("lot_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lot_link_produced_lot_id"))
        batch_op.drop_index(batch_op.f("ix_lot_link_consumed_lot_id"))

    op.drop_table("lot_link")
    op.drop_table("cycle_count_line")
    op.drop_table("cycle_count")
