"""Orders over HTTP: the order books, a promise, a sales order's cancellation, and deleting records."""

from __future__ import annotations

from plantops.vocabulary import Role
from tests.api.conftest import Api, problem


def test_the_purchase_book_lists_a_suppliers_orders_with_what_is_open(plant: Api) -> None:
    answer = plant.get("/api/v1/order-book/purchase?partner=S1&sort=-due_date", role=Role.VIEWER)
    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert page["total"] == 1
    [order] = page["items"]
    assert (order["number"], order["partner"], order["due_date"]) == ("PO-1", "S1", "2026-11-30")
    assert float(order["open_quantity"]) == 400 and float(order["open_value"]) == 1040


def test_an_order_book_refuses_an_unknown_book_or_sort_column_naming_it(plant: Api) -> None:
    assert plant.get("/api/v1/order-book/rentals").status_code == 422
    refused = plant.get("/api/v1/order-book/sales?sort=price")
    assert refused.status_code == 422 and "price" in problem(refused)["detail"]


def test_a_promise_names_the_earliest_date_and_a_bad_quantity_is_refused(plant: Api) -> None:
    found = plant.get("/api/v1/promise?item=TUBE&site=P1&quantity=10&wanted=2030-01-07", role=Role.VIEWER).json()
    assert found["promised"] == "2030-01-07"
    refused = plant.get("/api/v1/promise?item=TUBE&site=P1&quantity=-1&wanted=2030-01-07")
    assert refused.status_code == 422 and "quantity" in refused.text


def test_a_sales_order_is_cancelled_by_an_order_taker_only_once(plant: Api) -> None:
    assert plant.post("/api/v1/sales-orders/SO-1/cancel", role=Role.VIEWER).status_code == 403
    done = plant.post("/api/v1/sales-orders/SO-1/cancel", role=Role.PLANNER)
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    again = plant.post("/api/v1/sales-orders/SO-1/cancel", role=Role.PLANNER)
    assert again.status_code == 422 and "only a draft or open order" in problem(again)["detail"]


def test_a_record_is_deleted_with_its_version_and_one_in_use_is_refused(plant: Api) -> None:
    created = plant.post("/api/v1/customers", json={"code": "C9", "name": "Gone soon"})
    assert created.status_code == 201
    assert plant.delete("/api/v1/customers/C9").status_code == 428  # no If-Match
    assert plant.delete("/api/v1/customers/C9", headers={"If-Match": '"stale"'}).status_code == 409
    gone = plant.delete("/api/v1/customers/C9", headers={"If-Match": created.headers["ETag"]})
    assert gone.status_code == 204
    assert plant.get("/api/v1/customers/C9").status_code == 404
    in_use = plant.get("/api/v1/customers/C1")
    refused = plant.delete("/api/v1/customers/C1", headers={"If-Match": in_use.headers["ETag"]})
    assert refused.status_code == 409 and "1 sales order" in problem(refused)["detail"]
