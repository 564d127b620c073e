"""The demo plant seeds through the import, and survives export -> import -> export unchanged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from plantops.bootstrap import PlantOps
from plantops.db.catalog import Bom, Item
from plantops.errors import DatabaseNotEmptyError
from plantops.services import catalog, demo, master_data
from plantops.services.inventory import balances
from plantops.services.planning.problem import PlanRequest
from plantops.services.planning.runs import run_plan
from plantops.vocabulary import ProcessShape

AS_OF = dt.date(2026, 11, 16)


def _texts(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.csv"))}


def test_demo_plant_has_every_process_shape_and_a_sound_ledger(ops: PlantOps) -> None:
    demo.seed_demo_plant(ops.uow(), as_of=AS_OF, seed=42)

    summary = catalog.summarize_plant(ops.uow())

    assert set(summary.boms_by_shape) == set(ProcessShape)
    assert summary.counts["items"] == 94 and summary.counts["sales_history"] >= 1000
    assert balances.verify(ops.uow()).sound


def test_demo_plant_exports_reimports_and_exports_identically(ops: PlantOps, tmp_path: Path) -> None:
    demo.seed_demo_plant(ops.uow(), as_of=AS_OF, seed=42)
    master_data.export_path(ops.uow(), tmp_path / "first")
    ops.reset()
    master_data.import_path(ops.uow(), tmp_path / "first", posted_by="tester")
    master_data.export_path(ops.uow(), tmp_path / "second")

    first, second = _texts(tmp_path / "first"), _texts(tmp_path / "second")
    assert first == second
    assert "co_product" in first["bom_outputs.csv"] and first["calendar_shifts.csv"].count("\n") > 50


def test_demo_refuses_a_database_with_items(ops: PlantOps) -> None:
    demo.seed_demo_plant(ops.uow(), as_of=AS_OF, seed=42)

    with pytest.raises(DatabaseNotEmptyError, match="already holds 94 items"):
        demo.seed_demo_plant(ops.uow(), as_of=AS_OF, seed=42)


def test_only_a_database_of_the_demos_own_making_may_be_replaced_without_a_word(ops: PlantOps) -> None:
    demo.seed_demo_plant(ops.uow(), as_of=AS_OF, seed=42)
    seeded = demo.work_beyond_demo(ops.uow())
    demo.require_only_demo_work(ops.uow())

    run_plan(ops.uow().acting_as("ann"), PlanRequest(start=AS_OF, weeks=4), run_by="ann")

    assert seeded == {}
    assert demo.work_beyond_demo(ops.uow())["plan runs"] == 1
    with pytest.raises(DatabaseNotEmptyError, match=r"did not create \(.*1 plan run.*\).*--force"):
        demo.require_only_demo_work(ops.uow())


def test_synthetic_plant_loads_with_deep_boms(ops: PlantOps) -> None:
    demo.seed_synthetic_plant(ops.uow(), n_items=2000, as_of=AS_OF, seed=3)

    summary = catalog.summarize_plant(ops.uow())
    view = catalog.describe_item(ops.uow(), _deepest_finished_good(ops))

    assert summary.counts["items"] == 2000
    assert _depth(view.boms[0]) >= 6


def _deepest_finished_good(ops: PlantOps) -> str:
    """The synthetic plant numbers items from the top level down: the first made item is a finished good."""
    with ops.uow() as uow:
        return uow.session.scalars(select(Item.code).join(Bom, Bom.item_id == Item.id).order_by(Item.id)).first() or ""


def _depth(bom: catalog.BomView) -> int:
    return 1 + max((_depth(c.bom) for c in bom.components if c.bom is not None), default=0)
