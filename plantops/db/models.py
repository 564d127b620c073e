"""Every table, imported once so that ``Base.metadata`` is complete (Alembic, tests)."""

from plantops.db import catalog, inventory, procurement, production, sales, sites
from plantops.db.base import Base

metadata = Base.metadata

__all__ = ["catalog", "inventory", "metadata", "procurement", "production", "sales", "sites"]
