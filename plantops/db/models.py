"""Every table, imported once so that ``Base.metadata`` is complete (Alembic, tests)."""

from plantops.db import (
    access,
    catalog,
    forecasting,
    inventory,
    inventory_policy,
    planning,
    procurement,
    production,
    sales,
    scheduling,
    sites,
    transfers,
)
from plantops.db.base import Base

metadata = Base.metadata

__all__ = [
    "access",
    "catalog",
    "forecasting",
    "inventory",
    "inventory_policy",
    "metadata",
    "planning",
    "procurement",
    "production",
    "sales",
    "scheduling",
    "sites",
    "transfers",
]
