"""plan outputs by position: planned orders and exceptions keyed by (run, position)

Planned orders and exception messages lose their surrogate ids, their foreign key to the
run and the planned orders' item index; each MRP record names the positions of its
item's planned orders instead, and orders a planner firmed or released keep an index of
their own. Existing rows keep their numbers; positions follow their ids.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 14:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEPT = sa.text("status <> 'planned'")


def _number_positions(table: str) -> None:
    op.add_column(table, sa.Column("position", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        f"UPDATE {table} SET position = numbered.n FROM (SELECT id, row_number() OVER "
        f"(PARTITION BY run_id ORDER BY id) AS n FROM {table}) AS numbered WHERE {table}.id = numbered.id"
    )


def upgrade() -> None:
    with op.batch_alter_table("mrp_record") as batch:
        batch.add_column(sa.Column("first_order", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("order_count", sa.Integer(), nullable=False, server_default="0"))
    _number_positions("planned_order")
    _number_positions("plan_exception")
    op.execute(
        "UPDATE mrp_record SET first_order = ranges.first, order_count = ranges.count FROM ("
        "SELECT run_id, item_id, site_id, min(position) AS first, count(*) AS count FROM planned_order "
        "WHERE number = 'P' || run_id || '-' || position GROUP BY run_id, item_id, site_id) AS ranges "
        "WHERE mrp_record.run_id = ranges.run_id AND mrp_record.item_id = ranges.item_id "
        "AND mrp_record.site_id = ranges.site_id"
    )
    with op.batch_alter_table("mrp_record") as batch:
        batch.alter_column("first_order", server_default=None)
        batch.alter_column("order_count", server_default=None)
    with op.batch_alter_table("planned_order") as batch:
        batch.drop_index("ix_planned_order_run_item")
        batch.drop_constraint("uq_planned_order_run_id_number", type_="unique")
        batch.drop_constraint("fk_planned_order_run_id_plan_run", type_="foreignkey")
        batch.drop_constraint("pk_planned_order", type_="primary")
        batch.drop_column("id")
        batch.alter_column("position", server_default=None)
        batch.create_primary_key("pk_planned_order", ["run_id", "position"])
        batch.create_index("ix_planned_order_kept", ["run_id", "item_id"], postgresql_where=KEPT, sqlite_where=KEPT)
    with op.batch_alter_table("plan_exception") as batch:
        batch.drop_constraint("fk_plan_exception_run_id_plan_run", type_="foreignkey")
        batch.drop_constraint("pk_plan_exception", type_="primary")
        batch.drop_column("id")
        batch.alter_column("position", server_default=None)
        batch.create_primary_key("pk_plan_exception", ["run_id", "position"])


def _restore_ids(table: str) -> None:
    op.add_column(table, sa.Column("id", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        f"UPDATE {table} SET id = numbered.n FROM (SELECT run_id, position, row_number() OVER "
        f"(ORDER BY run_id, position) AS n FROM {table}) AS numbered "
        f"WHERE {table}.run_id = numbered.run_id AND {table}.position = numbered.position"
    )
    if op.get_bind().dialect.name == "postgresql":  # the id sequence a SERIAL column had
        op.execute(f"CREATE SEQUENCE {table}_id_seq OWNED BY {table}.id")
        op.execute(f"SELECT setval('{table}_id_seq', coalesce((SELECT max(id) FROM {table}), 0) + 1, false)")
        op.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq')")


def downgrade() -> None:
    _restore_ids("planned_order")
    _restore_ids("plan_exception")
    with op.batch_alter_table("plan_exception") as batch:
        batch.drop_constraint("pk_plan_exception", type_="primary")
        batch.drop_column("position")
        batch.create_primary_key("pk_plan_exception", ["id"])
        batch.create_foreign_key(
            "fk_plan_exception_run_id_plan_run", "plan_run", ["run_id"], ["id"], ondelete="CASCADE"
        )
    with op.batch_alter_table("planned_order") as batch:
        batch.drop_index("ix_planned_order_kept")
        batch.drop_constraint("pk_planned_order", type_="primary")
        batch.drop_column("position")
        batch.create_primary_key("pk_planned_order", ["id"])
        batch.create_foreign_key("fk_planned_order_run_id_plan_run", "plan_run", ["run_id"], ["id"], ondelete="CASCADE")
        batch.create_unique_constraint("uq_planned_order_run_id_number", ["run_id", "number"])
        batch.create_index("ix_planned_order_run_item", ["run_id", "item_id"])
    with op.batch_alter_table("mrp_record") as batch:
        batch.drop_column("order_count")
        batch.drop_column("first_order")
