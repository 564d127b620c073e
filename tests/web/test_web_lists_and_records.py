"""The shared list and record pages over the demo plant, without a browser: sorting, filters,
paging, exports, record tabs, edits with versions, deletion, the import from the browser,
the order books, a promise and a cancellation."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from plantops.bootstrap import PlantOps
from plantops.services import order_book
from plantops.services.master_data import records
from plantops.services.master_data.sheets import SHEETS_BY_NAME
from plantops.services.order_book import Book
from plantops.services.planning import actions, queries
from plantops.vocabulary import OrderStatus, PlannedOrderStatus
from plantops.web.app import create_web_app
from tests.web.conftest import sign_in


def _cells(page: str, table: str, column: int) -> list[str]:
    """The text of ``column`` (1-based) of each body row of the table ``table``."""
    body = page.split(f'<table id="{table}">', 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr data-key[^>]*>(.*?)</tr>", body, re.S)
    return [re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[column - 1]).strip() for row in rows]


@pytest.fixture
def planner(web: TestClient) -> TestClient:
    sign_in(web, "planner")
    return web


@pytest.fixture
def editor(own_plant: PlantOps) -> Iterator[tuple[TestClient, str]]:
    """A planner on a copy of the plant that the test may change, and the session's form token."""
    client = TestClient(create_web_app(own_plant, secret=b"e" * 32), follow_redirects=False)
    yield client, sign_in(client, "planner")


def test_a_list_sorts_on_the_server_by_any_column_both_ways(planner: TestClient, plant: PlantOps) -> None:
    every = records.list_records(plant.uow(), "items", sort=["-lead_time_days", "code"], limit=1000).records
    page = planner.get("/records/items?sort=-lead_time_days").text
    assert _cells(page, "items", 1) == [r.values["code"] for r in every[:50]]
    assert 'aria-sort="descending"' in page
    ascending = planner.get("/records/items?sort=lead_time_days").text
    assert (
        _cells(ascending, "items", 1)[0]
        == min(every, key=lambda r: (r.values["lead_time_days"], r.values["code"])).values["code"]
    )


def test_a_list_pages_with_its_total_and_keeps_its_state_in_the_address(planner: TestClient, plant: PlantOps) -> None:
    total = records.list_records(plant.uow(), "items", limit=1).total
    first = planner.get("/records/items").text
    second = planner.get("/records/items?page=2").text
    assert f"1\u201350 of {total}" in first and f"51\u2013{min(100, total)} of {total}" in second
    assert set(_cells(first, "items", 1)).isdisjoint(_cells(second, "items", 1))
    assert 'href="/records/items?page=2" rel="next"' in first
    filtered = planner.get("/records/items?item_type=raw_material&sort=-standard_cost").text
    assert 'href="/records/items?item_type=raw_material&amp;sort=-standard_cost&amp;page=2"' in filtered
    assert set(_cells(filtered, "items", 3)) == {"raw material"}


def test_a_list_searches_code_and_name_in_any_case_and_suggests_codes(planner: TestClient) -> None:
    page = planner.get("/records/items?q=TUBE").text
    assert _cells(page, "items", 1) and all("TUBE" in c or True for c in _cells(page, "items", 1))
    assert all(
        "tube" in (code + name).lower()
        for code, name in zip(_cells(page, "items", 1), _cells(page, "items", 2), strict=True)
    )
    options = planner.get("/lookup/items?q=steel tube").text
    assert '<option value="TUBE-STEEL-28">' in options


@pytest.mark.parametrize(
    ("address", "said"),
    [
        ("/records/items?sort=colour", "Sort: no column 'colour' to sort by"),
        ("/records/items?page=0", "Page: must be at least 1"),
        ("/records/items?size=7", "Rows: choose one of 50, 100, 200, 500"),
        ("/records/items?item_type=gadget", "Item type: 'gadget' is not one of"),
        ("/records/items?q=" + "x" * 101, "Search: at most 100 characters"),
        ("/orders/purchase?sort=-price", "Sort: no column '-price' to sort by"),
        ("/records/items/export.pdf", "export as csv or xlsx"),
    ],
)
def test_a_bad_list_address_is_refused_naming_what_is_wrong(planner: TestClient, address: str, said: str) -> None:
    answer = planner.get(address)
    assert answer.status_code == 400
    assert html.unescape(answer.text).count(said) == 1 and "Traceback" not in answer.text


def test_the_csv_export_holds_every_matching_row_in_the_exchange_format(planner: TestClient, plant: PlantOps) -> None:
    answer = planner.get("/records/items/export.csv?item_type=raw_material&sort=-lead_time_days")
    assert answer.headers["content-disposition"] == 'attachment; filename="items.csv"'
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == [c.name for c in SHEETS_BY_NAME["items"].columns]
    expected = records.list_records(plant.uow(), "items", filters={"item_type": "raw_material"}, limit=1000)
    assert len(rows) - 1 == expected.total > 50  # more than a page: all of them
    days = [float(row[rows[0].index("lead_time_days")]) for row in rows[1:]]
    assert days == sorted(days, reverse=True)


def test_the_xlsx_export_of_a_suppliers_purchase_orders_matches_the_order_book(
    planner: TestClient, plant: PlantOps
) -> None:
    answer = planner.get("/orders/purchase/export.xlsx?supplier=SUP-ROHR&sort=-due_date")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    header, *rows = list(sheet.iter_rows(values_only=True))
    book = order_book.orders(plant.uow(), Book.PURCHASE, partner="SUP-ROHR", sort=["-due_date"])
    assert header[:2] == ("number", "partner")
    assert [row[0] for row in rows] == [o.number for o in book.orders] and book.total >= 1
    assert {row[1] for row in rows} == {"SUP-ROHR"}


def test_a_buyer_finds_a_suppliers_open_orders_sorted_by_the_next_due_date(
    planner: TestClient, plant: PlantOps
) -> None:
    page = planner.get("/orders/purchase?supplier=SUP-ROHR&status=confirmed&sort=due_date").text
    book = order_book.orders(plant.uow(), Book.PURCHASE, partner="SUP-ROHR", status="confirmed", sort=["due_date"])
    assert _cells(page, "purchase_orders", 1) == [o.number for o in book.orders]
    assert f'href="/buy/orders/{book.orders[0].number}"' in page  # the order's purchasing page
    assert 'href="/records/suppliers/SUP-ROHR"' in page


def test_a_record_page_shows_its_details_lines_history_and_related_records(planner: TestClient) -> None:
    details = planner.get("/records/boms/BOM-BIKE-CITY-M").text
    assert 'href="/items/BIKE-CITY-M"' in details  # every code is a link
    lines = planner.get("/records/boms/BOM-BIKE-CITY-M?tab=lines").text
    assert "Bom components" in lines and 'href="/items/FRAME-CITY-M-P"' in lines
    related = planner.get("/records/suppliers/SUP-ROHR?tab=related").text
    assert "Purchase orders (supplier)" in related
    assert planner.get("/records/suppliers/SUP-ROHR?tab=history").status_code == 200
    assert planner.get("/records/suppliers/SUP-ROHR?tab=gossip").status_code == 400
    assert planner.get("/records/suppliers/NOBODY").status_code == 404


def test_an_edit_is_saved_and_the_history_tab_shows_who_changed_what(
    editor: tuple[TestClient, str], own_plant: PlantOps
) -> None:
    client, token = editor
    before = records.get_record(own_plant.uow(), "bom_components", ["BOM-BIKE-CITY-M", "1"])
    form = client.get("/records/bom_components/by-key?part=BOM-BIKE-CITY-M&part=1&tab=edit").text
    assert 'inputmode="decimal"' in form and f'value="{before.version}"' in form
    values = {
        name: "" if value is None else str(getattr(value, "value", value)) for name, value in before.values.items()
    }
    answer = client.post(
        "/records/bom_components/by-key?part=BOM-BIKE-CITY-M&part=1",
        data={**values, "quantity": "3", "csrf_token": token, "version": before.version, "action": "save"},
    )
    assert answer.status_code == 303, answer.text
    after = records.get_record(own_plant.uow(), "bom_components", ["BOM-BIKE-CITY-M", "1"])
    assert after.values["quantity"] == 3 and after.version != before.version
    history = client.get(answer.headers["location"].split("?saved")[0] + "&tab=history").text
    assert "planner" in history and "<ins>3</ins>" in history


def test_a_second_editor_of_the_same_version_is_told_and_nothing_is_overwritten(
    editor: tuple[TestClient, str], own_plant: PlantOps
) -> None:
    client, token = editor
    read = records.get_record(own_plant.uow(), "suppliers", ["SUP-ROHR"])
    base = {"code": "SUP-ROHR", "currency": "EUR", "csrf_token": token, "version": read.version, "action": "save"}
    assert client.post("/records/suppliers/SUP-ROHR", data={**base, "name": "First"}).status_code == 303
    second = client.post("/records/suppliers/SUP-ROHR", data={**base, "name": "Second"})
    assert second.status_code == 409
    assert "changed by someone else" in second.text and "Start again from it" in second.text
    assert records.get_record(own_plant.uow(), "suppliers", ["SUP-ROHR"]).values["name"] == "First"


def test_every_bad_field_is_shown_beside_it_at_once_and_nothing_changes(
    editor: tuple[TestClient, str], own_plant: PlantOps
) -> None:
    client, token = editor
    before = records.get_record(own_plant.uow(), "items", ["BELL"])
    values = {
        name: "" if value is None else str(getattr(value, "value", value)) for name, value in before.values.items()
    }
    answer = client.post(
        "/records/items/BELL",
        data={**values, "lead_time_days": "1,5", "standard_cost": "-3", "unit": "parsecs",
              "csrf_token": token, "version": before.version, "action": "save"},
    )  # fmt: skip
    assert answer.status_code == 400
    for field in ("lead_time_days", "standard_cost"):
        assert f'id="e-{field}"' in answer.text, field
    assert records.get_record(own_plant.uow(), "items", ["BELL"]) == before


def test_a_record_in_use_is_not_deleted_and_a_new_unused_one_is(
    editor: tuple[TestClient, str], own_plant: PlantOps
) -> None:
    client, token = editor
    version = records.get_record(own_plant.uow(), "suppliers", ["SUP-ROHR"]).version
    refused = client.post(
        "/records/suppliers/SUP-ROHR", data={"csrf_token": token, "version": version, "action": "delete"}
    )
    assert refused.status_code == 200 and "cannot be deleted" in refused.text and "purchase order" in refused.text
    created = client.post(
        "/records/customers/new", data={"code": "CUST-NEW", "name": "New customer", "csrf_token": token}
    )
    assert created.status_code == 303
    version = records.get_record(own_plant.uow(), "customers", ["CUST-NEW"]).version
    deleted = client.post(
        "/records/customers/CUST-NEW", data={"csrf_token": token, "version": version, "action": "delete"}
    )
    assert deleted.status_code == 303
    assert records.list_records(own_plant.uow(), "customers", search="CUST-NEW").total == 0


def test_a_viewer_reads_records_but_may_not_change_them(own_plant: PlantOps) -> None:
    client = TestClient(create_web_app(own_plant, secret=b"v" * 32), follow_redirects=False)
    token = sign_in(client, "viewer")
    assert "tab=edit" not in client.get("/records/suppliers/SUP-ROHR").text
    answer = client.post("/records/suppliers/SUP-ROHR", data={"name": "Mine", "csrf_token": token, "action": "save"})
    assert answer.status_code == 403
    assert client.get("/records/customers/new").status_code == 403
    assert client.get("/records/lots/new").status_code == 400  # read only for everyone: lots come with receipts


def _workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "customers"
    for row in rows:
        sheet.append(row)
    target = io.BytesIO()
    book.save(target)
    return target.getvalue()


def test_an_uploaded_workbook_with_bad_rows_lists_each_and_imports_nothing(
    editor: tuple[TestClient, str], own_plant: PlantOps
) -> None:
    client, token = editor
    bad = _workbook([["code", "name"], ["CUST-A", "A"], ["", "no code"], ["CUST-B", ""]])
    answer = client.post(
        "/records/import", data={"csrf_token": token}, files={"files": ("plant.xlsx", bad, "application/octet-stream")}
    )
    assert answer.status_code == 400
    table = answer.text.split('<table id="import-problems">', 1)[1].split("</table>", 1)[0]
    problems = re.findall(r'<td class="num">(\d+)</td>', table)
    assert problems == ["3", "4"]  # the rows as a spreadsheet numbers them
    assert records.list_records(own_plant.uow(), "customers", search="CUST-A").total == 0
    good = _workbook([["code", "name"], ["CUST-A", "A"]])
    done = client.post(
        "/records/import", data={"csrf_token": token}, files={"files": ("plant.xlsx", good, "application/octet-stream")}
    )
    assert done.status_code == 200 and "1 new customers" in done.text
    assert records.list_records(own_plant.uow(), "customers", search="CUST-A").total == 1


def test_a_sales_order_promises_a_new_line_and_refuses_a_bad_quantity_beside_its_field(planner: TestClient) -> None:
    token = sign_in(planner, "planner")
    bad = planner.post(
        "/orders/sales/SO-260025/promise",
        data={"item": "BELL", "quantity": "-2", "wanted": "2027-01-10", "csrf_token": token},
    )
    assert bad.status_code == 400 and 'id="e-promise-quantity"' in bad.text
    good = planner.post(
        "/orders/sales/SO-260025/promise",
        data={"item": "BELL", "quantity": "2", "wanted": "2027-01-10", "csrf_token": token},
    )
    assert good.status_code == 200 and 'id="promise-result"' in good.text


def test_a_sales_order_is_cancelled_from_its_page_and_cannot_be_cancelled_twice(
    editor: tuple[TestClient, str], own_plant: PlantOps
) -> None:
    client, token = editor
    assert client.post("/orders/sales/SO-260025/cancel", data={"csrf_token": token}).status_code == 303
    assert records.get_record(own_plant.uow(), "sales_orders", ["SO-260025"]).values["status"] is OrderStatus.CANCELLED
    again = client.post("/orders/sales/SO-260025/cancel", data={"csrf_token": token})
    assert again.status_code == 400 and "only a draft or open order" in again.text


def test_planned_orders_whose_release_date_has_passed_are_highlighted(
    editor: tuple[TestClient, str], own_plant: PlantOps
) -> None:
    today = dt.date.today()
    _, _, first = queries.planned_order_page(
        own_plant.uow(), status=PlannedOrderStatus.PLANNED, sort=("release_date", "number"), limit=1
    )  # one that no other test has firmed or released
    actions.change(own_plant.uow(), first[0].number, due=today + dt.timedelta(days=1))  # lead time > 1 day
    _, _, orders = queries.planned_order_page(own_plant.uow(), sort=("release_date", "number"), limit=50)
    client, _ = editor
    page = client.get("/mrp?sort=release_date,number").text
    marked = re.findall(r'<tr data-key="([^"]+)" class="late" title="its release date', page)
    expected = [o.number for o in orders if o.release_date < today and o.status is not PlannedOrderStatus.RELEASED]
    assert marked == expected and expected and len(expected) < len(orders)
