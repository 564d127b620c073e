"""Whole-column inserts store exactly what the ORM would, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
from sqlalchemy import select

from plantops.bootstrap import PlantOps
from plantops.db.base import as_float, table_of
from plantops.db.bulk import insert_arrays, read_columns
from plantops.db.planning import MrpRecord, PlanException, PlannedOrder, PlanRun
from plantops.vocabulary import PlanExceptionKind, PlannedOrderStatus, Procurement


def test_insert_arrays_keeps_decimals_dates_nulls_enumerations_and_awkward_text(ops: PlantOps) -> None:
    documents = np.array(["PO-1/1", "tab\there", "back\\slash", "", "line\nbreak"])  # numpy text
    causes = np.array([None, "cr\rhere", None, "tab\t\\", None], dtype=object)  # text and NULL
    with ops.uow() as uow:
        insert_arrays(
            uow.session.connection(),
            table_of(PlanException),
            {
                "run_id": np.full(5, 1),
                "position": np.arange(1, 6),
                "kind": np.array([k.value for k in PlanExceptionKind][:5], dtype=object),
                "item_id": np.array([3, 4, 5, 6, 7]),
                "site_id": np.ones(5, dtype=np.int64),
                "date": np.array(["2026-11-16"] * 5, dtype="datetime64[D]"),
                "quantity": np.array([1.5, 0.1234567, 1e9, 0.0, 2.0000004]),
                "need_date": np.array(["2026-11-23", None, None, "2026-12-07", None], dtype=object),
                "cause": causes,
                "days_late": np.array([0, 1, 2, 3, 4]),
                "document": documents,
            },
        )
        insert_arrays(
            uow.session.connection(),
            table_of(PlannedOrder),
            {
                "run_id": np.full(2, 1),
                "position": np.array([1, 2]),
                "number": np.char.add("P1-", np.array(["1", "2"])),
                "item_id": np.array([3, 4]),
                "site_id": np.array([1, 1]),
                "kind": np.array([Procurement.BUY, Procurement.MAKE], dtype=object),
                "quantity": np.array([10.0, 2.5]),
                "release_date": np.array(["2026-11-16", "2026-11-23"], dtype="datetime64[D]"),
                "due_date": np.array(["2026-11-23", "2026-11-30"], dtype="datetime64[D]"),
                "bom_id": np.array([-1, 7]),
                "supplier_id": np.array([9, -1]),
                "status": np.full(2, PlannedOrderStatus.PLANNED.value, dtype=object),
            },
        )
        uow.commit()
    with ops.uow() as uow:
        rows = uow.session.execute(
            select(
                PlanException.kind,
                PlanException.quantity,
                PlanException.need_date,
                PlanException.document,
                PlanException.cause,
            )
            .where(PlanException.run_id == 1)
            .order_by(PlanException.position)
        ).all()
        orders = uow.session.execute(
            select(PlannedOrder.number, PlannedOrder.kind, PlannedOrder.bom_id, PlannedOrder.supplier_id)
            .where(PlannedOrder.run_id == 1)
            .order_by(PlannedOrder.position)
        ).all()
    assert [r.kind for r in rows] == list(PlanExceptionKind)[:5]
    assert [r.quantity for r in rows] == [
        Decimal("1.5"),
        Decimal("0.123457"),
        Decimal("1000000000"),
        Decimal("0"),
        Decimal("2"),
    ]
    assert [r.need_date for r in rows] == [dt.date(2026, 11, 23), None, None, dt.date(2026, 12, 7), None]
    assert [r.document for r in rows] == documents.tolist()
    assert [r.cause for r in rows] == causes.tolist()
    assert [tuple(o) for o in orders] == [("P1-1", Procurement.BUY, None, 9), ("P1-2", Procurement.MAKE, 7, None)]


def test_read_columns_gives_arrays_with_minus_one_nan_and_none_for_null(ops: PlantOps) -> None:
    with ops.uow() as uow:
        insert_arrays(
            uow.session.connection(),
            table_of(PlannedOrder),
            {
                "run_id": np.full(3, 4),
                "position": np.array([1, 2, 3]),
                "number": np.array(["P4-1", "P4-2", "P4-3"]),
                "item_id": np.array([3, 4, 5]),
                "site_id": np.array([1, 1, 2]),
                "kind": np.array(["buy", "make", "transfer"], dtype=object),
                "quantity": np.array([10.0, 2.5, 0.000001]),
                "release_date": np.array(["2026-11-16", "2026-11-23", "2027-01-04"], dtype="datetime64[D]"),
                "due_date": np.array(["2026-11-23", "2026-11-30", "2027-01-11"], dtype="datetime64[D]"),
                "bom_id": np.array([-1, 7, -1]),
                "status": np.full(3, "planned", dtype=object),
            },
        )
        connection = uow.session.connection()
        dialect = connection.dialect.name
        columns = read_columns(
            connection,
            select(
                PlannedOrder.item_id.label("item"),
                PlannedOrder.kind.label("kind"),
                as_float(PlannedOrder.quantity, dialect).label("quantity"),
                PlannedOrder.due_date.label("due"),
                PlannedOrder.bom_id.label("bom"),
                PlannedOrder.released_as.label("released_as"),
                (PlannedOrder.site_id == 2).label("second_site"),
            )
            .where(PlannedOrder.run_id == 4, PlannedOrder.kind != Procurement.MAKE)
            .order_by(PlannedOrder.position),
        )
        empty = read_columns(connection, select(PlannedOrder.item_id.label("item")).where(PlannedOrder.run_id == 99))

    assert columns["item"].tolist() == [3, 5]
    assert columns["kind"].tolist() == ["buy", "transfer"]
    assert columns["quantity"].tolist() == [10.0, 0.000001]
    assert columns["due"].tolist() == [dt.date(2026, 11, 23), dt.date(2027, 1, 11)]
    assert columns["bom"].tolist() == [-1, -1]
    assert columns["released_as"].tolist() == [None, None]
    assert columns["second_site"].tolist() == [False, True]
    assert empty["item"].dtype == np.int64 and empty["item"].size == 0


def test_insert_arrays_keeps_bytes_exactly_even_trailing_zeros(ops: PlantOps) -> None:
    blobs = [b"\x00\\\t\n\x00", bytes(range(256)), b"ends in zeros\x00\x00"]
    with ops.uow() as uow:
        at = dt.datetime(2026, 11, 16, 8, tzinfo=dt.UTC)
        uow.session.add(
            PlanRun(
                id=1,
                number="PLAN-000001",
                started_at=at,
                finished_at=at,
                run_by="ann",
                horizon_start=at.date(),
                bucket_starts="[]",
                settings="{}",
            )
        )
        uow.session.flush()
        insert_arrays(
            uow.session.connection(),
            table_of(MrpRecord),
            {
                "run_id": np.full(3, 1),
                "item_id": np.array([1, 2, 3]),
                "site_id": np.ones(3, dtype=np.int64),
                "low_level_code": np.zeros(3, dtype=np.int64),
                "rows": blobs,
                "first_order": np.array([1, 4, 9]),
                "order_count": np.array([3, 5, 0]),
            },
        )
        uow.commit()
    with ops.uow() as uow:
        stored = uow.session.scalars(select(MrpRecord.rows).order_by(MrpRecord.item_id)).all()
    assert [bytes(blob) for blob in stored] == blobs
