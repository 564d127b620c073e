"""purchasing: requisitions, RFQs and quotations, the purchase order's life cycle with revisions
and approval limits, receipts against order lines, supplier invoices matched three ways, the
invoiced cost of a receipt for valuation, and receiving tolerances per supplier and item

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NUMBER = sa.Numeric(precision=20, scale=6)
FRACTION = sa.Numeric(precision=9, scale=6)
OLD_STATUSES = ("draft", "open", "closed", "cancelled")
NEW_STATUSES = ("draft", "approved", "sent", "confirmed", "partly_received", "received", "closed", "cancelled")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    op.create_table(
        "stock_move_cost",
        sa.Column("move_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("unit_cost", NUMBER, nullable=False),
        sa.Column("document", sa.String(length=64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint("unit_cost >= 0", name=op.f("ck_stock_move_cost_cost_nonnegative")),
        sa.ForeignKeyConstraint(["move_id"], ["stock_move.id"], name=op.f("fk_stock_move_cost_move_id_stock_move")),
        sa.PrimaryKeyConstraint("move_id", name=op.f("pk_stock_move_cost")),
    )
    op.create_table(
        "purchase_approval_limit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "planner",
                "buyer",
                "production",
                "quality",
                "maintenance",
                "operator",
                "viewer",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("max_amount", NUMBER, nullable=False),
        sa.CheckConstraint("max_amount >= 0", name=op.f("ck_purchase_approval_limit_max_amount_nonnegative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_approval_limit")),
        sa.UniqueConstraint("role", name=op.f("uq_purchase_approval_limit_role")),
    )
    op.create_table(
        "rfq",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open", "awarded", "cancelled", name="rfq_status", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("respond_by", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_rfq_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfq")),
        sa.UniqueConstraint("number", name=op.f("uq_rfq_number")),
    )
    op.create_table(
        "supplier_invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "matched",
                "blocked",
                "approved",
                name="invoice_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["supplier.id"], name=op.f("fk_supplier_invoice_supplier_id_supplier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_invoice")),
        sa.UniqueConstraint("supplier_id", "number", name=op.f("uq_supplier_invoice_supplier_id_number")),
    )
    op.create_table(
        "purchase_order_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["purchase_order.id"],
            name=op.f("fk_purchase_order_revision_order_id_purchase_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order_revision")),
        sa.UniqueConstraint("order_id", "revision", name=op.f("uq_purchase_order_revision_order_id_revision")),
    )
    op.create_table(
        "quotation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rfq_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("freight", NUMBER, nullable=False),
        sa.CheckConstraint("freight >= 0", name=op.f("ck_quotation_freight_nonnegative")),
        sa.ForeignKeyConstraint(["rfq_id"], ["rfq.id"], name=op.f("fk_quotation_rfq_id_rfq"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier.id"], name=op.f("fk_quotation_supplier_id_supplier")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotation")),
        sa.UniqueConstraint("rfq_id", "supplier_id", name=op.f("uq_quotation_rfq_id_supplier_id")),
    )
    op.create_table(
        "requisition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("quantity", NUMBER, nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "in_rfq",
                "ordered",
                "cancelled",
                name="requisition_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("planned_order", sa.String(length=32), nullable=True),
        sa.Column("purchase_order", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_requisition_quantity_positive")),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_requisition_item_id_item")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_requisition_site_id_site")),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier.id"], name=op.f("fk_requisition_supplier_id_supplier")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requisition")),
        sa.UniqueConstraint("number", name=op.f("uq_requisition_number")),
    )
    op.create_index("ix_requisition_status", "requisition", ["status"], unique=False)
    op.create_table(
        "rfq_supplier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rfq_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["rfq_id"], ["rfq.id"], name=op.f("fk_rfq_supplier_rfq_id_rfq"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier.id"], name=op.f("fk_rfq_supplier_supplier_id_supplier")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfq_supplier")),
        sa.UniqueConstraint("rfq_id", "supplier_id", name=op.f("uq_rfq_supplier_rfq_id_supplier_id")),
    )
    op.create_table(
        "purchase_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("posting_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("quantity", NUMBER, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("debit_note", sa.String(length=32), nullable=True),
        sa.CheckConstraint("quantity <> 0", name=op.f("ck_purchase_receipt_quantity_nonzero")),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["purchase_order_line.id"],
            name=op.f("fk_purchase_receipt_order_line_id_purchase_order_line"),
        ),
        sa.ForeignKeyConstraint(
            ["posting_id"], ["stock_posting.id"], name=op.f("fk_purchase_receipt_posting_id_stock_posting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_receipt")),
    )
    op.create_index("ix_purchase_receipt_order_line", "purchase_receipt", ["order_line_id"], unique=False)
    op.create_table(
        "rfq_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rfq_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("quantity", NUMBER, nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("requisition_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_rfq_line_quantity_positive")),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_rfq_line_item_id_item")),
        sa.ForeignKeyConstraint(
            ["requisition_id"], ["requisition.id"], name=op.f("fk_rfq_line_requisition_id_requisition")
        ),
        sa.ForeignKeyConstraint(["rfq_id"], ["rfq.id"], name=op.f("fk_rfq_line_rfq_id_rfq"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfq_line")),
        sa.UniqueConstraint("rfq_id", "line", name=op.f("uq_rfq_line_rfq_id_line")),
    )
    op.create_table(
        "supplier_invoice_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("quantity", NUMBER, nullable=False),
        sa.Column("unit_price", NUMBER, nullable=False),
        sa.Column("problem", sa.String(length=300), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_supplier_invoice_line_quantity_positive")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_supplier_invoice_line_price_nonnegative")),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["supplier_invoice.id"],
            name=op.f("fk_supplier_invoice_line_invoice_id_supplier_invoice"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["purchase_order_line.id"],
            name=op.f("fk_supplier_invoice_line_order_line_id_purchase_order_line"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_invoice_line")),
        sa.UniqueConstraint("invoice_id", "line", name=op.f("uq_supplier_invoice_line_invoice_id_line")),
    )
    op.create_index("ix_supplier_invoice_line_order_line", "supplier_invoice_line", ["order_line_id"], unique=False)
    op.create_table(
        "quotation_price",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quotation_id", sa.Integer(), nullable=False),
        sa.Column("rfq_line_id", sa.Integer(), nullable=False),
        sa.Column("min_quantity", NUMBER, nullable=False),
        sa.Column("unit_price", NUMBER, nullable=False),
        sa.Column("lead_time_days", NUMBER, nullable=False),
        sa.CheckConstraint("lead_time_days >= 0", name=op.f("ck_quotation_price_lead_time_nonnegative")),
        sa.CheckConstraint("min_quantity >= 0", name=op.f("ck_quotation_price_min_quantity_nonnegative")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_quotation_price_price_nonnegative")),
        sa.ForeignKeyConstraint(
            ["quotation_id"],
            ["quotation.id"],
            name=op.f("fk_quotation_price_quotation_id_quotation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rfq_line_id"], ["rfq_line.id"], name=op.f("fk_quotation_price_rfq_line_id_rfq_line"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotation_price")),
        sa.UniqueConstraint(
            "quotation_id",
            "rfq_line_id",
            "min_quantity",
            name=op.f("uq_quotation_price_quotation_id_rfq_line_id_min_quantity"),
        ),
    )
    with op.batch_alter_table("purchase_order") as table:
        table.drop_constraint(op.f("ck_purchase_order_order_status"), type_="check")
    # an open order imported before purchasing had its life cycle was at the supplier: sent
    op.execute("UPDATE purchase_order SET status = 'sent' WHERE status = 'open'")
    with op.batch_alter_table("purchase_order") as table:
        table.create_check_constraint(op.f("ck_purchase_order_purchase_status"), _in("status", NEW_STATUSES))
        table.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
        table.add_column(sa.Column("currency", sa.String(length=3), nullable=False, server_default="EUR"))
        table.add_column(sa.Column("created_by", sa.String(length=64), nullable=False, server_default=""))
        table.add_column(sa.Column("approved_by", sa.String(length=64), nullable=True))
        table.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("planned_order", sa.String(length=32), nullable=True))
        table.add_column(sa.Column("rfq", sa.String(length=32), nullable=True))
        table.create_check_constraint(op.f("ck_purchase_order_revision_positive"), "revision >= 1")
        table.create_index("ix_purchase_order_supplier", ["supplier_id"])
    op.execute(
        "UPDATE purchase_order SET currency = "
        "(SELECT currency FROM supplier WHERE supplier.id = purchase_order.supplier_id)"
    )
    with op.batch_alter_table("purchase_order") as table:
        for column in ("revision", "currency", "created_by"):
            table.alter_column(column, server_default=None)
    with op.batch_alter_table("purchase_order_line") as table:
        table.add_column(sa.Column("confirmed_date", sa.Date(), nullable=True))
        table.add_column(sa.Column("invoiced_quantity", NUMBER, nullable=False, server_default="0"))
        table.add_column(sa.Column("returned_quantity", NUMBER, nullable=False, server_default="0"))
        table.create_check_constraint(op.f("ck_purchase_order_line_invoiced_nonnegative"), "invoiced_quantity >= 0")
        table.create_check_constraint(op.f("ck_purchase_order_line_returned_nonnegative"), "returned_quantity >= 0")
    with op.batch_alter_table("purchase_order_line") as table:
        for column in ("invoiced_quantity", "returned_quantity"):
            table.alter_column(column, server_default=None)
    with op.batch_alter_table("supplier") as table:
        table.add_column(sa.Column("over_receipt_tolerance", FRACTION, nullable=False, server_default="0"))
        table.add_column(sa.Column("price_tolerance", FRACTION, nullable=False, server_default="0"))
    with op.batch_alter_table("supplier") as table:
        for column in ("over_receipt_tolerance", "price_tolerance"):
            table.alter_column(column, server_default=None)
    with op.batch_alter_table("supplier_item") as table:
        table.add_column(sa.Column("over_receipt_tolerance", FRACTION, nullable=True))
        table.add_column(sa.Column("learned_lead_time", sa.Boolean(), nullable=False, server_default=sa.false()))
        table.add_column(sa.Column("quota_share", FRACTION, nullable=True))
    with op.batch_alter_table("supplier_item") as table:
        table.alter_column("learned_lead_time", server_default=None)


def downgrade() -> None:
    op.drop_table("stock_move_cost")
    with op.batch_alter_table("supplier_item") as table:
        table.drop_column("quota_share")
        table.drop_column("learned_lead_time")
        table.drop_column("over_receipt_tolerance")
    with op.batch_alter_table("supplier") as table:
        table.drop_column("price_tolerance")
        table.drop_column("over_receipt_tolerance")
    with op.batch_alter_table("purchase_order_line") as table:
        table.drop_constraint(op.f("ck_purchase_order_line_returned_nonnegative"), type_="check")
        table.drop_constraint(op.f("ck_purchase_order_line_invoiced_nonnegative"), type_="check")
        table.drop_column("returned_quantity")
        table.drop_column("invoiced_quantity")
        table.drop_column("confirmed_date")
    with op.batch_alter_table("purchase_order") as table:
        table.drop_index("ix_purchase_order_supplier")
        table.drop_constraint(op.f("ck_purchase_order_revision_positive"), type_="check")
        table.drop_constraint(op.f("ck_purchase_order_purchase_status"), type_="check")
        for column in ("rfq", "planned_order", "sent_at", "approved_by", "created_by", "currency", "revision"):
            table.drop_column(column)
    op.execute(
        "UPDATE purchase_order SET status = CASE WHEN status IN ('received', 'closed') THEN 'closed' "
        "WHEN status IN ('draft', 'cancelled') THEN status ELSE 'open' END"
    )
    with op.batch_alter_table("purchase_order") as table:
        table.create_check_constraint(op.f("ck_purchase_order_order_status"), _in("status", OLD_STATUSES))
    op.drop_table("quotation_price")
    op.drop_index("ix_supplier_invoice_line_order_line", table_name="supplier_invoice_line")
    op.drop_table("supplier_invoice_line")
    op.drop_table("rfq_line")
    op.drop_index("ix_purchase_receipt_order_line", table_name="purchase_receipt")
    op.drop_table("purchase_receipt")
    op.drop_table("rfq_supplier")
    op.drop_index("ix_requisition_status", table_name="requisition")
    op.drop_table("requisition")
    op.drop_table("quotation")
    op.drop_table("purchase_order_revision")
    op.drop_table("supplier_invoice")
    op.drop_table("rfq")
    op.drop_table("purchase_approval_limit")
