"""Sourcing over HTTP: requisitions, proposals confirmed into a draft order, an RFQ with quotations
as JSON and as a CSV upload, the comparison and the award; refusals as problem+json naming the field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from plantops.vocabulary import Role
from tests.api.conftest import Api, import_plant, problem
from tests.services.test_sourcing import SUPPLIERS

TODAY = dt.date.today()
DUE = (TODAY + dt.timedelta(days=30)).isoformat()
VALID = (TODAY + dt.timedelta(days=20)).isoformat()


@pytest.fixture
def buying(api: Api, tmp_path: Path) -> Api:
    """The minimal plant with suppliers S1 (rank 1) and S2 for tube, S3 and S9 without items."""
    import_plant(api, tmp_path / "plant", SUPPLIERS)
    return api


def _requisition(api: Api, quantity: str = "400", **more: Any) -> dict[str, Any]:
    body = {"item": "TUBE", "site": "P1", "quantity": quantity, "due_date": DUE, **more}
    response = api.post("/api/v1/requisitions", json=body, role=Role.BUYER)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _rfq(api: Api, *numbers: str) -> str:
    body = {"suppliers": ["S1", "S2", "S3"], "requisitions": list(numbers)}
    response = api.post("/api/v1/rfqs", json=body, role=Role.BUYER)
    assert response.status_code == 201, response.text
    return response.json()["number"]  # type: ignore[no-any-return]


def test_a_requisition_is_made_listed_and_cancelled(buying: Api) -> None:
    made = _requisition(buying, "12.5")
    other = _requisition(buying, "3", supplier="S2")

    listed = buying.get("/api/v1/requisitions?supplier=S1&status=open", role=Role.VIEWER).json()
    cancelled = buying.post(f"/api/v1/requisitions/{made['number']}/cancel", role=Role.BUYER)
    again = problem(buying.post(f"/api/v1/requisitions/{made['number']}/cancel", role=Role.BUYER))

    assert (made["number"], made["supplier"], made["quantity"], made["status"]) == ("REQ-000001", "S1", "12.5", "open")
    assert other["supplier"] == "S2"
    assert [r["number"] for r in listed["items"]] == ["REQ-000001"] and listed["total"] == 1
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert again["status"] == 422 and again["errors"][0]["field"] == "status"


def test_a_viewer_may_read_but_not_buy(buying: Api) -> None:
    refused = buying.post(
        "/api/v1/requisitions",
        json={"item": "TUBE", "site": "P1", "quantity": "1", "due_date": DUE},
        role=Role.VIEWER,
    )

    assert refused.status_code == 403 and "purchase" in problem(refused)["detail"]
    assert buying.get("/api/v1/requisitions", role=Role.VIEWER).json()["total"] == 0
    assert buying.get("/api/v1/purchase-proposals", role=Role.VIEWER).status_code == 200


def test_bad_requisitions_are_refused_naming_the_field(buying: Api) -> None:
    negative = problem(
        buying.post("/api/v1/requisitions", json={"item": "TUBE", "site": "P1", "quantity": "-1", "due_date": DUE})
    )
    decimals = problem(
        buying.post("/api/v1/requisitions", json={"item": "BIKE", "site": "P1", "quantity": "1.5", "due_date": DUE})
    )
    unknown = problem(
        buying.post(
            "/api/v1/requisitions",
            json={"item": "TUBE", "site": "P1", "quantity": "1", "due_date": DUE, "supplier": "NOPE"},
        )
    )

    assert negative["status"] == 422 and "quantity" in negative["errors"][0]["field"]
    assert decimals["status"] == 422 and decimals["errors"][0]["field"] == "quantity"
    assert unknown["status"] == 404 and "NOPE" in unknown["detail"]
    assert buying.get("/api/v1/requisitions").json()["total"] == 0


def test_a_proposal_is_confirmed_as_a_draft_purchase_order(buying: Api) -> None:
    first, second = _requisition(buying, "400"), _requisition(buying, "1000")
    [proposal] = buying.get("/api/v1/purchase-proposals", role=Role.VIEWER).json()
    week = proposal["week"]

    done = buying.post(
        "/api/v1/purchase-proposals/confirm", json={"supplier": "S1", "site": "P1", "week": week}, role=Role.BUYER
    )
    bad_week = problem(
        buying.post("/api/v1/purchase-proposals/confirm", json={"supplier": "S1", "site": "P1", "week": "50"})
    )

    assert proposal["total"] == "3440" and proposal["priced"] is True  # 400 x 2.6 + 1000 x 2.4
    assert done.status_code == 201, done.text
    assert done.json()["requisitions"] == [first["number"], second["number"]]
    ordered = buying.get(f"/api/v1/requisitions/{first['number']}").json()
    assert (ordered["status"], ordered["purchase_order"]) == ("ordered", done.json()["purchase_order"])
    assert bad_week["status"] == 422 and bad_week["errors"][0]["field"].endswith("week")


def test_an_rfq_is_quoted_compared_and_awarded(buying: Api) -> None:
    rfq = _rfq(buying, _requisition(buying, "400")["number"], _requisition(buying, "100")["number"])
    quotation = {
        "supplier": "S1",
        "valid_until": VALID,
        "freight": "50",
        "prices": [
            {"line": 1, "min_quantity": "0", "unit_price": "2.6", "lead_time_days": "14"},
            {"line": 1, "min_quantity": "300", "unit_price": "2.4", "lead_time_days": "14"},
            {"line": 2, "min_quantity": "0", "unit_price": "2.6", "lead_time_days": "14"},
        ],
    }
    entered = buying.post(f"/api/v1/rfqs/{rfq}/quotations", json=quotation, role=Role.BUYER)
    csv = f"supplier,line,min_quantity,unit_price,lead_time_days,valid_until,freight\nS2,1,500,2.0,20,{VALID},0\n"
    uploaded = buying.post(
        f"/api/v1/rfqs/{rfq}/quotations/csv", files={"file": ("q.csv", csv.encode(), "text/csv")}, role=Role.BUYER
    )

    seen = buying.get(f"/api/v1/rfqs/{rfq}/comparison", role=Role.VIEWER).json()

    assert entered.status_code == 200, entered.text
    assert uploaded.status_code == 200, uploaded.text
    assert [s["code"] for s in seen["suppliers"]] == ["S1", "S2", "S3"]
    s1, s2, s3 = seen["rows"][0]["cells"]
    assert (s1["unit_price"], s1["amount"], s1["cheapest"]) == ("2.4", "960", True)
    assert (s2["bought_quantity"], s2["below_minimum"], s2["amount"]) == ("500", True, "1000")
    assert s3["quoted"] is False
    assert seen["rows"][1]["cells"][1]["quoted"] is False
    assert seen["suppliers"][0]["landed_cost"] == "1270" and seen["suppliers"][0]["cheapest"] is True

    not_quoted = problem(buying.post(f"/api/v1/rfqs/{rfq}/award", json={"supplier": "S2"}, role=Role.BUYER))
    done = buying.post(f"/api/v1/rfqs/{rfq}/award", json={"supplier": "S1"}, role=Role.BUYER)
    twice = problem(buying.post(f"/api/v1/rfqs/{rfq}/award", json={"supplier": "S1"}, role=Role.BUYER))

    assert not_quoted["status"] == 422 and not_quoted["errors"][0]["field"] == "lines"
    assert done.status_code == 200, done.text
    assert done.json()["rfq"]["status"] == "awarded" and len(done.json()["purchase_orders"]) == 1
    assert twice["errors"][0]["field"] == "status"
    listed = buying.get("/api/v1/rfqs?status=awarded", role=Role.VIEWER).json()
    assert [r["number"] for r in listed["items"]] == [rfq]


def test_bad_quotations_are_refused_with_the_row_and_field(buying: Api) -> None:
    rfq = _rfq(buying, _requisition(buying)["number"])
    csv = "supplier,line,min_quantity,unit_price,lead_time_days,valid_until,freight\nS1,1,0,-2,14,2026-13-01,0\n"

    bad_csv = problem(
        buying.post(f"/api/v1/rfqs/{rfq}/quotations/csv", files={"file": ("q.csv", csv.encode(), "text/csv")})
    )
    not_utf8 = problem(
        buying.post(f"/api/v1/rfqs/{rfq}/quotations/csv", files={"file": ("q.csv", b"\xff\xfe\x00", "text/csv")})
    )
    uninvited = problem(
        buying.post(
            f"/api/v1/rfqs/{rfq}/quotations",
            json={
                "supplier": "S9",
                "valid_until": VALID,
                "prices": [{"line": 1, "min_quantity": "0", "unit_price": "1", "lead_time_days": "1"}],
            },
        )
    )
    one_supplier = problem(buying.post("/api/v1/rfqs", json={"suppliers": ["S1"], "lines": []}))

    assert bad_csv["status"] == 422
    assert {(e["field"]) for e in bad_csv["errors"]} >= {"unit_price", "valid_until"}
    assert "row 2" in bad_csv["detail"]
    assert not_utf8["status"] == 422 and not_utf8["errors"][0]["field"] == "file"
    assert uninvited["errors"][0]["field"] == "supplier" and "not invited" in uninvited["detail"]
    assert one_supplier["status"] == 422 and "suppliers" in one_supplier["errors"][0]["field"]
    assert buying.get(f"/api/v1/rfqs/{rfq}").json()["quotations"] == []
