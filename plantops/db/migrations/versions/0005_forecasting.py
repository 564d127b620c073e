"""forecasting: forecast versions, forecast values, accuracy, overrides

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forecast_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("history_end", sa.Date(), nullable=False),
        sa.Column("first_week", sa.Date(), nullable=False),
        sa.Column("horizon_weeks", sa.Integer(), nullable=False),
        sa.Column("levels", sa.String(length=64), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_version")),
        sa.UniqueConstraint("number", name=op.f("uq_forecast_version_number")),
    )
    op.create_table(
        "forecast_accuracy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("evaluated_through", sa.Date(), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mase", sa.Float(), nullable=True),
        sa.Column("smape", sa.Float(), nullable=True),
        sa.Column("rmsse", sa.Float(), nullable=True),
        sa.Column("bias", sa.Float(), nullable=True),
        sa.Column("overridden_weeks", sa.Integer(), nullable=False),
        sa.Column("final_mase", sa.Float(), nullable=True),
        sa.Column("final_smape", sa.Float(), nullable=True),
        sa.Column("final_rmsse", sa.Float(), nullable=True),
        sa.Column("final_bias", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_forecast_accuracy_item_id_item")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_forecast_accuracy_site_id_site")),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["forecast_version.id"],
            name=op.f("fk_forecast_accuracy_version_id_forecast_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_accuracy")),
        sa.UniqueConstraint(
            "version_id",
            "item_id",
            "site_id",
            "evaluated_through",
            name=op.f("uq_forecast_accuracy_version_id_item_id_site_id_evaluated_through"),
        ),
    )
    op.create_table(
        "forecast_launch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("like_item_id", sa.Integer(), nullable=True),
        sa.Column("factor", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column("weekly_quantity", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("factor >= 0", name=op.f("ck_forecast_launch_factor_nonnegative")),
        sa.CheckConstraint("weekly_quantity >= 0", name=op.f("ck_forecast_launch_weekly_quantity_nonnegative")),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_forecast_launch_item_id_item")),
        sa.ForeignKeyConstraint(["like_item_id"], ["item.id"], name=op.f("fk_forecast_launch_like_item_id_item")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_forecast_launch_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_launch")),
        sa.UniqueConstraint("item_id", "site_id", name=op.f("uq_forecast_launch_item_id_site_id")),
    )
    op.create_table(
        "forecast_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column("statistical_quantity", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_forecast_override_quantity_nonnegative")),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_forecast_override_item_id_item")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_forecast_override_site_id_site")),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["forecast_version.id"],
            name=op.f("fk_forecast_override_version_id_forecast_version"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_override")),
    )
    with op.batch_alter_table("forecast_override", schema=None) as batch_op:
        batch_op.create_index(
            "ix_forecast_override_item_site_week", ["item_id", "site_id", "period_start"], unique=False
        )

    op.create_table(
        "forecast_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column(
            "demand_class",
            sa.Enum(
                "smooth",
                "erratic",
                "intermittent",
                "lumpy",
                name="demand_class",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "method",
            sa.Enum(
                "cross_validated",
                "short_history",
                "constant",
                "analogy",
                name="forecast_method",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("history_weeks", sa.Integer(), nullable=False),
        sa.Column("adi", sa.Float(), nullable=True),
        sa.Column("cv2", sa.Float(), nullable=True),
        sa.Column("cv_mase", sa.Float(), nullable=True),
        sa.Column("mase_scale", sa.Float(), nullable=True),
        sa.Column("rmsse_scale", sa.Float(), nullable=True),
        sa.Column("safety_stock_hint", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("service_level", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_forecast_series_item_id_item")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_forecast_series_site_id_site")),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["forecast_version.id"],
            name=op.f("fk_forecast_series_version_id_forecast_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_series")),
        sa.UniqueConstraint(
            "version_id", "item_id", "site_id", name=op.f("uq_forecast_series_version_id_item_id_site_id")
        ),
    )
    op.create_table(
        "forecast_interval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("lower", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column("upper", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["forecast_series.id"],
            name=op.f("fk_forecast_interval_series_id_forecast_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_interval")),
        sa.UniqueConstraint(
            "series_id", "period_start", "level", name=op.f("uq_forecast_interval_series_id_period_start_level")
        ),
    )
    op.create_table(
        "forecast_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_forecast_value_quantity_nonnegative")),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["forecast_series.id"],
            name=op.f("fk_forecast_value_series_id_forecast_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_value")),
        sa.UniqueConstraint("series_id", "period_start", name=op.f("uq_forecast_value_series_id_period_start")),
    )


def downgrade() -> None:
    op.drop_table("forecast_value")
    op.drop_table("forecast_interval")
    op.drop_table("forecast_series")
    with op.batch_alter_table("forecast_override", schema=None) as batch_op:
        batch_op.drop_index("ix_forecast_override_item_site_week")

    op.drop_table("forecast_override")
    op.drop_table("forecast_launch")
    op.drop_table("forecast_accuracy")
    op.drop_table("forecast_version")
