"""Purchasing over HTTP: an order approved within limits, sent as PDF and CSV, confirmed, received in two
parts, an invoice blocked then approved, the scorecard; bad input refused as problem+json naming the field;
16 clients receiving against one order never take more than allowed (PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from plantops.vocabulary import Role
from tests.api.conftest import Api, import_plant, problem
from tests.services.test_purchasing import PURCHASING

URL = "/api/v1/purchasing"


@pytest.fixture
def buying(api: Api, tmp_path: Path) -> Api:
    """The minimal plant with S1 (tube, 5 % over-receipt, 2 % price tolerance) and buyers approving up to 2,000."""
    import_plant(api, tmp_path / "plant", PURCHASING)
    return api


def _create(api: Api, quantity: str = "500", role: Role = Role.BUYER) -> str:
    body = {"supplier": "S1", "site": "P1", "lines": [{"item": "TUBE", "quantity": quantity, "due_date": "2026-12-04"}]}
    response = api.post(f"{URL}/orders", json=body, role=role)
    assert response.status_code == 201, response.text
    number: str = response.json()["number"]
    return number


def _sent(api: Api, quantity: str = "500") -> str:
    number = _create(api, quantity)
    for step in ("approve", "send"):
        response = api.post(f"{URL}/orders/{number}/{step}", role=Role.BUYER)
        assert response.status_code == 200, response.text
    return number


def _arrival(quantity: str, line: int | str = 1) -> dict[str, object]:
    return {"lines": [{"line": line, "quantity": quantity, "location": "P1/RM", "lot": "L-9"}]}


def test_a_buyer_orders_sends_and_receives_in_two_parts_and_the_invoice_matches(buying: Api) -> None:
    number = _sent(buying)
    pdf = buying.get(f"{URL}/orders/{number}/pdf", role=Role.VIEWER)
    csv_text = buying.get(f"{URL}/orders/{number}/csv", role=Role.VIEWER)
    confirmed = buying.post(
        f"{URL}/orders/{number}/confirm", json={"lines": [{"line": 1, "confirmed_date": "2026-12-07"}]}, role=Role.BUYER
    )
    first = buying.post(f"{URL}/orders/{number}/receipts", json=_arrival("200"), role=Role.OPERATOR)
    second = buying.post(f"{URL}/orders/{number}/receipts", json=_arrival("300", f"{number}/1"), role=Role.OPERATOR)
    invoice = buying.post(
        f"{URL}/invoices",
        json={
            "supplier": "S1",
            "number": "INV-1",
            "invoice_date": "2026-12-08",
            "lines": [{"order": number, "line": 1, "quantity": "500", "unit_price": "2.6"}],
        },
        role=Role.BUYER,
    )
    approved = buying.post(f"{URL}/invoices/S1/INV-1/approve", role=Role.BUYER)

    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert csv_text.text.splitlines()[1].startswith(f"{number},1,1,TUBE,ST-25,Steel tube,500,kg,2.6,EUR,1300.00")
    assert confirmed.json()["status"] == "confirmed" and confirmed.json()["lines"][0]["confirmed_date"] == "2026-12-07"
    assert first.status_code == 201 and first.json()["order"]["status"] == "partly_received"
    assert second.status_code == 201 and second.json()["order"]["status"] == "received"
    assert second.json()["order"]["lines"][0]["received_quantity"] == "500"
    assert invoice.status_code == 201 and invoice.json()["status"] == "matched"
    assert approved.json()["status"] == "approved" and approved.json()["approved_by"] == "buyer"
    listed = buying.get(f"{URL}/orders?status=received&supplier=S1", role=Role.VIEWER).json()
    assert [o["number"] for o in listed["items"]] == [number] and listed["items"][0]["total"] == "1300"
    card = buying.get(f"{URL}/scorecards/S1?months=2", role=Role.VIEWER)
    assert card.status_code == 200 and len(card.json()["months"]) == 2


def test_a_bill_for_more_than_arrived_is_blocked_and_payment_refused_naming_the_line(buying: Api) -> None:
    number = _sent(buying, "2")
    buying.post(f"{URL}/orders/{number}/receipts", json=_arrival("1"), role=Role.OPERATOR)
    body = {
        "supplier": "S1",
        "number": "INV-2",
        "invoice_date": "2026-12-08",
        "lines": [{"order": number, "line": 1, "quantity": "2", "unit_price": "2.6"}],
    }

    blocked = buying.post(f"{URL}/invoices", json=body, role=Role.BUYER).json()
    refused = problem(buying.post(f"{URL}/invoices/S1/INV-2/approve", role=Role.BUYER))

    assert blocked["status"] == "blocked" and "only 1 received" in blocked["lines"][0]["problem"]
    assert refused["status"] == 422 and refused["errors"][0]["field"] == "status" and "line 1" in refused["detail"]


def test_approval_above_the_buyers_limit_is_refused_and_an_admin_approves(buying: Api) -> None:
    number = _create(buying, "1200")  # 2,880 EUR at 2.4
    refused = problem(buying.post(f"{URL}/orders/{number}/approve", role=Role.BUYER))
    approved = buying.post(f"{URL}/orders/{number}/approve", role=Role.ADMIN)

    assert refused["errors"][0]["field"] == "total" and "above your approval limit of 2,000.00" in refused["detail"]
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_arrival("526"), "quantity"),
        (_arrival("1", "PO-9/1"), "line"),
        (_arrival("-1"), "lines[0].quantity"),
        ({"lines": []}, "lines"),
        ({"lines": [{"line": 1, "quantity": "1", "location": "P1/RM", "lot": "L-9", "extra": 1}]}, "lines[0].extra"),
    ],
)
def test_a_bad_receipt_names_the_field_and_posts_nothing(buying: Api, body: dict[str, object], field: str) -> None:
    number = _sent(buying)
    refused = problem(buying.post(f"{URL}/orders/{number}/receipts", json=body, role=Role.OPERATOR))
    order = buying.get(f"{URL}/orders/{number}").json()

    assert refused["status"] == 422 and field in [error["field"] for error in refused["errors"]], refused
    assert order["lines"][0]["received_quantity"] == "0" and order["receipts"] == []


def test_who_may_do_what(buying: Api) -> None:
    number = _create(buying)
    assert buying.post(f"{URL}/orders/{number}/approve", role=Role.VIEWER).status_code == 403
    assert buying.post(f"{URL}/orders/{number}/receipts", json=_arrival("1"), role=Role.BUYER).status_code == 403
    assert buying.get(f"{URL}/orders/{number}", role=Role.OPERATOR).status_code == 200
    assert buying.get(f"{URL}/orders/PO-404").status_code == 404


@pytest.mark.postgres
def test_sixteen_clients_receiving_against_one_order_never_take_more_than_allowed(
    postgres_api: Api, tmp_path: Path
) -> None:
    import_plant(postgres_api, tmp_path / "plant", PURCHASING)
    number = _sent(postgres_api, "100")  # 105 with the 5 % tolerance

    def receive_seven(_: int) -> int:
        response = postgres_api.post(f"{URL}/orders/{number}/receipts", json=_arrival("7"), role=Role.OPERATOR)
        return int(response.status_code)

    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(receive_seven, range(32)))

    order = postgres_api.get(f"{URL}/orders/{number}").json()
    assert codes.count(201) == 15 and codes.count(422) == 17  # 15 x 7 = 105
    assert order["lines"][0]["received_quantity"] == "105"
    assert sum(float(r["quantity"]) for r in order["receipts"]) == 105
    on_hand = postgres_api.get("/api/v1/stock/balances?item=TUBE&location=P1/RM").json()["items"]
    assert sum(float(b["on_hand"]) for b in on_hand if b["lot"] == "L-9") == 105


def test_sourcing_advice_prices_each_supplier_and_refuses_a_bad_override(buying: Api) -> None:
    advice = buying.get(f"{URL}/sourcing/TUBE?stockout_cost=40&demand_rate=5000&disruption=S1:1:12", role=Role.VIEWER)
    bad = problem(buying.get(f"{URL}/sourcing/TUBE?stockout_cost=40&demand_rate=5000&disruption=S1-1"))
    no_cost = problem(buying.get(f"{URL}/sourcing/TUBE?demand_rate=5000"))

    assert advice.status_code == 200, advice.text
    (s1,) = advice.json()["suppliers"]
    assert (s1["supplier"], s1["share"], s1["disruption_rate"], s1["disruption_basis"]) == ("S1", 1.0, 1.0, "given")
    assert bad["errors"][0]["field"] == "disruption" and no_cost["errors"][0]["field"] == "stockout_cost"
