"""The order book, deleting records, cancelling and promising sales orders, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from plantops.bootstrap import PlantOps
from plantops.errors import NotFoundError, ValidationError
from plantops.services import master_data, order_book
from plantops.services.access.audit import audit_trail
from plantops.services.inventory.availability import promise
from plantops.services.master_data import records
from plantops.services.order_book import Book
from plantops.services.sales.orders import cancel_sales_order, next_line_number
from plantops.vocabulary import AuditAction, OrderStatus
from tests.services.minimal_plant import write_plant

#: A second supplier's order with two open lines (one half received) and a received one.
MORE_ORDERS = {
    "suppliers": "code,name,currency\nS1,Steel Co,EUR\nS2,Tube Works,EUR\nS3,Unused Ltd,EUR\n",
    "purchase_orders": "number,supplier,site,status,order_date\nPO-1,S1,P1,confirmed,2026-11-02\n"
    "PO-2,S2,P1,confirmed,2026-11-03\nPO-3,S2,P1,closed,2026-10-01\n",
    "purchase_order_lines": "order,line,item,quantity,received_quantity,unit_price,due_date\n"
    "PO-1,1,TUBE,500,100,2.6,2026-11-30\n"
    "PO-2,1,TUBE,40,20,2.5,2026-12-20\nPO-2,2,MILK,10,0,0.45,2026-12-05\nPO-3,1,TUBE,10,10,2.5,2026-10-10\n",
}


@pytest.fixture
def plant(ops: PlantOps, tmp_path: Path) -> PlantOps:
    master_data.import_path(ops.uow(), write_plant(tmp_path / "plant", MORE_ORDERS), posted_by="tester")
    return ops


def test_the_purchase_book_sums_what_each_order_still_has_open(plant: PlantOps) -> None:
    found = order_book.orders(plant.uow(), Book.PURCHASE, sort=["number"])

    assert found.total == 3
    po2 = next(o for o in found.orders if o.number == "PO-2")
    assert po2.partner == "S2" and po2.partner_name == "Tube Works" and po2.site == "P1"
    assert po2.lines == 2
    assert po2.due_date == dt.date(2026, 12, 5)  # the earliest line still open
    assert po2.open_quantity == Decimal(30)  # 20 of 40 and 10 of 10
    assert po2.open_value == Decimal("54.5")  # 20 x 2.5 + 10 x 0.45
    po3 = next(o for o in found.orders if o.number == "PO-3")
    assert po3.due_date is None and po3.open_quantity == 0 and po3.open_value == 0


def test_the_purchase_book_filters_by_supplier_and_status_sorts_by_any_column_and_pages(plant: PlantOps) -> None:
    s2 = order_book.orders(plant.uow(), Book.PURCHASE, partner="S2", sort=["-order_date"])
    assert [o.number for o in s2.orders] == ["PO-2", "PO-3"]
    open_s2 = order_book.orders(plant.uow(), Book.PURCHASE, partner="S2", status="confirmed")
    assert [o.number for o in open_s2.orders] == ["PO-2"]
    by_value = order_book.orders(plant.uow(), Book.PURCHASE, sort=["-open_value"])
    assert [o.number for o in by_value.orders] == ["PO-1", "PO-2", "PO-3"]  # 1,040 > 54.5 > 0
    second = order_book.orders(plant.uow(), Book.PURCHASE, sort=["number"], offset=1, limit=1)
    assert second.total == 3 and [o.number for o in second.orders] == ["PO-2"]
    assert [o.number for o in order_book.orders(plant.uow(), Book.PURCHASE, search="tube w").orders] == ["PO-2", "PO-3"]
    with pytest.raises(ValidationError, match="unknown column 'price'"):
        order_book.orders(plant.uow(), Book.PURCHASE, sort=["price"])


def test_the_sales_book_lists_the_customers_orders_with_what_is_left_to_ship(plant: PlantOps) -> None:
    found = order_book.orders(plant.uow(), Book.SALES, partner="C1")
    assert [(o.number, o.open_quantity, o.due_date, o.open_value) for o in found.orders] == [
        ("SO-1", Decimal(20), dt.date(2026, 12, 10), None)
    ]


def test_a_record_nothing_refers_to_is_deleted_and_the_trail_keeps_its_values(plant: PlantOps) -> None:
    record = records.get_record(plant.uow(), "suppliers", ["S3"])
    records.delete_record(plant.uow().acting_as("ann"), "suppliers", ["S3"], version=record.version)

    assert records.list_records(plant.uow(), "suppliers", search="S3").total == 0
    entries = audit_trail(plant.uow(), record="supplier", key="S3", action=AuditAction.DELETE).entries
    assert len(entries) == 1 and entries[0].user == "ann" and entries[0].before["name"] == "Unused Ltd"


def test_a_record_others_refer_to_is_not_deleted_and_the_refusal_names_them(plant: PlantOps) -> None:
    record = records.get_record(plant.uow(), "suppliers", ["S2"])
    with pytest.raises(records.RecordInUseError, match="2 purchase orders"):
        records.delete_record(plant.uow(), "suppliers", ["S2"], version=record.version)
    assert records.get_record(plant.uow(), "suppliers", ["S2"]) == record


def test_a_deletion_decided_on_an_old_version_is_refused(plant: PlantOps) -> None:
    old = records.get_record(plant.uow(), "suppliers", ["S3"])
    records.update_record(plant.uow(), "suppliers", ["S3"], {"name": "Renamed"}, version=old.version, posted_by="x")
    with pytest.raises(records.StaleRecordError):
        records.delete_record(plant.uow(), "suppliers", ["S3"], version=old.version)
    assert records.get_record(plant.uow(), "suppliers", ["S3"]).values["name"] == "Renamed"


def test_a_sales_order_is_cancelled_once_and_a_cancelled_one_is_refused(plant: PlantOps) -> None:
    assert cancel_sales_order(plant.uow(), "SO-1") is OrderStatus.CANCELLED
    assert records.get_record(plant.uow(), "sales_orders", ["SO-1"]).values["status"] is OrderStatus.CANCELLED
    with pytest.raises(ValidationError, match="only a draft or open order"):
        cancel_sales_order(plant.uow(), "SO-1")


def test_a_sales_order_with_a_shipped_line_is_not_cancelled(plant: PlantOps) -> None:
    line = records.get_record(plant.uow(), "sales_order_lines", ["SO-1", "1"])
    records.update_record(
        plant.uow(), "sales_order_lines", ["SO-1", "1"], {"shipped_quantity": "5"}, version=line.version, posted_by="x"
    )
    with pytest.raises(ValidationError, match="shipped lines"):
        cancel_sales_order(plant.uow(), "SO-1")
    assert records.get_record(plant.uow(), "sales_orders", ["SO-1"]).values["status"] is OrderStatus.OPEN


def test_a_promise_is_the_wanted_date_when_stock_covers_it_and_later_when_it_waits_for_a_receipt(
    plant: PlantOps,
) -> None:
    today = dt.date(2026, 11, 2)
    soon = promise(plant.uow(), item="TUBE", site="P1", quantity=Decimal(200), wanted=dt.date(2026, 11, 4), today=today)
    assert soon.promised == dt.date(2026, 11, 4)
    # 7 bikes on hand and 20 of them already ordered for 2026-12-10: none is free to promise
    bikes = promise(plant.uow(), item="BIKE", site="P1", quantity=Decimal(2), wanted=dt.date(2026, 11, 4), today=today)
    assert bikes.promised is None and bikes.available == Decimal(-13)
    # 250.5 kg of tube on hand and 400 + 20 arriving (PO-1 on 2026-11-30, PO-2 on 2026-12-20)
    tube = promise(plant.uow(), item="TUBE", site="P1", quantity=Decimal(600), wanted=dt.date(2026, 11, 4), today=today)
    assert tube.promised == dt.date(2026, 11, 30) and tube.available == Decimal("250.5")
    never = promise(
        plant.uow(), item="TUBE", site="P1", quantity=Decimal(10_000), wanted=dt.date(2026, 11, 4), today=today
    )
    assert never.promised is None
    with pytest.raises(ValidationError, match="quantity"):
        promise(plant.uow(), item="TUBE", site="P1", quantity=Decimal(0), wanted=dt.date(2026, 11, 4), today=today)


def test_a_new_sales_order_line_takes_the_number_after_the_last(plant: PlantOps) -> None:
    assert next_line_number(plant.uow(), "SO-1") == 2
    with pytest.raises(NotFoundError):
        next_line_number(plant.uow(), "SO-404")
