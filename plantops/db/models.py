"""Every table, imported once so that ``Base.metadata`` is complete (Alembic, tests)."""

from plantops.db import catalog, inventory, planning, procurement, production, sales, sites
from plantops.db.base import Base

metadata = Base.metadata

__all__ = ["catalog", "inventory", "metadata", "planning", "procurement", "production", "sales", "sites"]
