"""Seed a database with the demo plant or a synthetic plant of any size.

Both plants are built by pure generators (:mod:`plantops.engines.plantgen`) and loaded
through the master data import, so they pass every validation a user's file would.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from plantops.db.catalog import Item
from plantops.db.session import UnitOfWork
from plantops.engines.plantgen.demo_plant import build_demo_plant
from plantops.engines.plantgen.synthetic import build_synthetic_plant
from plantops.errors import DatabaseNotEmptyError
from plantops.services import master_data
from plantops.services.master_data import ImportReport, Progress

DEMO_USER = "demo"


def seed_demo_plant(uow: UnitOfWork, *, as_of: dt.date, seed: int, progress: Progress | None = None) -> ImportReport:
    """Load the demo plant (bicycles and dairy) into an empty database."""
    _require_empty(uow)
    data = build_demo_plant(as_of=as_of, seed=seed)
    return master_data.load(uow, data, source="demo", posted_by=DEMO_USER, progress=progress)


def seed_synthetic_plant(
    uow: UnitOfWork, *, n_items: int, as_of: dt.date, seed: int, progress: Progress | None = None
) -> ImportReport:
    """Load a synthetic plant of ``n_items`` items (deep BOMs, routings, demand) into an empty database."""
    _require_empty(uow)
    if progress:
        progress("generate")
    data = build_synthetic_plant(n_items, as_of=as_of, seed=seed)
    return master_data.load(uow, data, source="synthetic", posted_by=DEMO_USER, progress=progress)


def _require_empty(uow: UnitOfWork) -> None:
    with uow:
        items = uow.session.scalar(select(func.count()).select_from(Item)) or 0
    if items:
        raise DatabaseNotEmptyError(
            f"the database already holds {items} items; the demo seeds only an empty database "
            "(use --replace to start over, or point PLANTOPS_DATABASE_URL at another database)"
        )
