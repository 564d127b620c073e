"""Stock over HTTP: postings with idempotency keys, balances, reservations, ATP, genealogy, valuation."""

from __future__ import annotations

from typing import Any

import pytest

from plantops.vocabulary import Role
from tests.api.conftest import Api, problem


def _balances(api: Api, item: str) -> dict[tuple[str, str | None], str]:
    page = api.get(f"/api/v1/stock/balances?item={item}").json()
    return {(b["location"], b["lot"]): b["on_hand"] for b in page["items"]}


def _post(api: Api, kind: str, body: dict[str, Any], key: str | None = None, role: Role = Role.OPERATOR) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return api.post(f"/api/v1/stock/{kind}", json=body, headers=headers, role=role)


def test_a_receipt_is_posted_once_under_its_idempotency_key(plant: Api) -> None:
    body = {"item": "TUBE", "location": "P1/RM", "quantity": "40", "lot": "L-7", "unit_cost": "2.5"}

    first = _post(plant, "receipts", body, key="scanner-7-000123")
    retry = _post(plant, "receipts", body, key="scanner-7-000123")

    assert first.status_code == 201 and retry.status_code == 200
    assert first.json()["replayed"] is False and retry.json()["replayed"] is True
    assert retry.json()["posting_id"] == first.json()["posting_id"]
    assert first.json()["moves"] == [
        {"move_type": "receipt", "item": "TUBE", "location": "P1/RM", "lot": "L-7", "quantity": "40"}
    ]
    assert _balances(plant, "TUBE")[("P1/RM", "L-7")] == "40"


def test_issue_move_scrap_return_and_adjust_change_the_balances(plant: Api) -> None:
    issued = _post(plant, "issues", {"item": "BIKE", "location": "P1/FG", "quantity": "2", "document": "SO-1"})
    moved = _post(plant, "moves", {"item": "BIKE", "location": "P1/FG", "to_location": "P1/RM", "quantity": "1"})
    scrapped = _post(plant, "scraps", {"item": "BIKE", "location": "P1/RM", "quantity": "1", "reason": "dented"})
    returned = _post(plant, "returns", {"item": "BIKE", "location": "P1/FG", "quantity": "1", "document": "RMA-1"})
    adjusted = _post(
        plant,
        "adjustments",
        {"item": "BIKE", "location": "P1/FG", "quantity": "1", "increase": False, "reason": "count"},
    )

    assert [r.status_code for r in (issued, moved, scrapped, returned, adjusted)] == [201] * 5
    assert _balances(plant, "BIKE") == {("P1/FG", None): "4"}  # 7 - 2 - 1 + 1 - 1; P1/RM back to 0


def test_the_ledger_lists_its_moves_newest_first_filtered_by_item_type_and_document(plant: Api) -> None:
    _post(plant, "issues", {"item": "BIKE", "location": "P1/FG", "quantity": "2", "document": "SO-1"})
    _post(plant, "moves", {"item": "BIKE", "location": "P1/FG", "to_location": "P1/RM", "quantity": "1"})

    bikes = plant.get("/api/v1/stock/moves?item=BIKE").json()
    issues = plant.get("/api/v1/stock/moves?item=BIKE&move_type=issue&document=SO-1").json()
    at_rm = plant.get("/api/v1/stock/moves?location=P1/RM&item=BIKE&limit=1").json()
    unknown = problem(plant.get("/api/v1/stock/moves?item=NOPE"))
    naive = problem(plant.get("/api/v1/stock/moves?since=2026-01-01T00:00"))

    moves = bikes["items"]
    assert [m["move"] for m in moves] == sorted((m["move"] for m in moves), reverse=True)
    assert bikes["total"] == len(moves) >= 4  # opening stock, the issue, and the move's two sides
    assert [(m["quantity"], m["document"], m["posted_by"]) for m in issues["items"]] == [("-2", "SO-1", "operator")]
    assert at_rm["total"] == 1 and at_rm["items"][0]["quantity"] == "1"
    assert unknown["status"] == 404
    assert naive["status"] == 422 and naive["errors"][0]["field"] == "since"


def test_more_than_available_is_a_conflict_that_posts_nothing(plant: Api) -> None:
    refused = problem(_post(plant, "issues", {"item": "BIKE", "location": "P1/FG", "quantity": "8"}))

    assert refused["status"] == 409 and "only 7 available" in refused["detail"]
    assert _balances(plant, "BIKE") == {("P1/FG", None): "7"}


def test_bad_postings_are_4xx_naming_the_field(plant: Api) -> None:
    no_reason = problem(
        _post(plant, "adjustments", {"item": "BIKE", "location": "P1/FG", "quantity": "1", "increase": True})
    )
    unknown = problem(_post(plant, "receipts", {"item": "NOPE", "location": "P1/FG", "quantity": "1"}))
    naive = problem(
        _post(
            plant,
            "receipts",
            {"item": "BIKE", "location": "P1/FG", "quantity": "1", "effective_at": "2026-11-01T08:00"},
        )
    )
    too_precise = problem(_post(plant, "receipts", {"item": "BIKE", "location": "P1/FG", "quantity": "0.0000001"}))

    assert no_reason["status"] == 422 and no_reason["errors"][0]["field"] == "reason"
    assert unknown["status"] == 404 and "NOPE" in unknown["detail"]
    assert naive["status"] == 422 and naive["errors"][0]["field"] == "effective_at"
    assert too_precise["status"] == 422 and too_precise["errors"][0]["field"] == "quantity"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": "9000000000000"}, "quantity"),
        ({"quantity": "1e13"}, "quantity"),
        ({"quantity": "1000000000.5"}, "quantity"),
        ({"unit_cost": "1e30"}, "unit_cost"),
        ({"effective_at": "9999-12-31T23:59:00-14:00"}, "effective_at"),
        ({"effective_at": "0001-01-01T00:00:00+14:00"}, "effective_at"),
        ({"document": "D" * 65}, "document"),
    ],
)
def test_a_posting_beyond_the_bounds_is_422_naming_the_field_and_the_ledger_still_lists(
    plant: Api, change: dict[str, str], field: str
) -> None:
    before = plant.get("/api/v1/stock/moves").json()["total"]
    refused = problem(_post(plant, "receipts", {"item": "BIKE", "location": "P1/FG", "quantity": "1"} | change))

    assert refused["status"] == 422 and field in {e["field"] for e in refused["errors"]}, refused
    listed = plant.get("/api/v1/stock/moves")
    assert listed.status_code == 200 and listed.json()["total"] == before


def test_a_receipt_at_the_bound_is_posted_and_valued(plant: Api) -> None:
    posted = _post(plant, "receipts", {"item": "BIKE", "location": "P1/FG", "quantity": "1000000000"})
    valued = plant.get("/api/v1/stock/valuation")

    assert posted.status_code == 201, posted.text
    assert valued.status_code == 200, valued.text


def test_production_links_lots_for_the_genealogy_and_a_reversal_undoes_it(plant: Api) -> None:
    produced = _post(
        plant,
        "productions",
        {
            "consumed": [{"item": "TUBE", "location": "P1/RM", "quantity": "2.5", "lot": "L-001"}],
            "produced": [{"item": "FRAME", "location": "P1/FG", "quantity": "1", "lot": "SN-2"}],
            "document": "WO-1",
        },
    )
    backward = plant.get("/api/v1/stock/genealogy?item=FRAME&lot=SN-2").json()
    forward = plant.get("/api/v1/stock/genealogy?item=TUBE&lot=L-001&direction=forward").json()
    reversed_ = plant.post(
        f"/api/v1/stock/postings/{produced.json()['posting_id']}/reversal",
        json={"reason": "wrong lot"},
        role=Role.OPERATOR,
    )

    assert produced.status_code == 201, produced.text
    assert backward["links"] == [{"item": "TUBE", "lot": "L-001", "quantity": "2.5", "links": []}]
    assert [n["lot"] for n in forward["links"]] == ["SN-2"]
    assert reversed_.status_code == 201
    assert _balances(plant, "TUBE")[("P1/RM", "L-001")] == "250.5"


def test_reservations_hold_stock_for_a_document_until_released(plant: Api) -> None:
    made = plant.post(
        "/api/v1/stock/reservations",
        json={"item": "BIKE", "location": "P1/FG", "quantity": "5", "document": "SO-1"},
        role=Role.OPERATOR,
    )
    too_much = plant.post(
        "/api/v1/stock/reservations",
        json={"item": "BIKE", "location": "P1/FG", "quantity": "3", "document": "SO-2"},
        role=Role.OPERATOR,
    )
    listed = plant.get("/api/v1/stock/reservations?document=SO-1").json()
    balance = plant.get("/api/v1/stock/balances?item=BIKE").json()["items"][0]
    released = plant.post(f"/api/v1/stock/reservations/{made.json()[0]['number']}/release", role=Role.OPERATOR)

    assert made.status_code == 201 and made.json()[0]["reserved_quantity"] == "5"
    assert problem(too_much)["status"] == 409
    assert listed["total"] == 1 and listed["items"][0]["document"] == "SO-1"
    assert (balance["reserved"], balance["available"]) == ("5", "2")
    assert released.json()["status"] == "released"


def test_atp_projects_stock_week_by_week(plant: Api) -> None:
    projection = plant.get("/api/v1/stock/atp/BIKE?start=2026-11-23&weeks=4").json()

    assert projection["on_hand"] == "7" and len(projection["periods"]) == 4
    assert projection["periods"][0]["start"] == "2026-11-23"
    assert sum(float(p["demand"]) for p in projection["periods"]) == 20  # SO-1 due 2026-12-10
    assert problem(plant.get("/api/v1/stock/atp/BIKE?weeks=0"))["errors"][0]["field"] == "weeks"


def test_valuation_values_the_stock_at_an_instant(plant: Api) -> None:
    value = plant.get("/api/v1/stock/valuation?item=BIKE").json()

    assert value["items"]["items"][0]["quantity"] == "7"
    assert value["total_value"] == "1680"  # 7 x 240


def test_a_viewer_reads_stock_but_may_not_post(plant: Api) -> None:
    refused = _post(plant, "receipts", {"item": "BIKE", "location": "P1/FG", "quantity": "1"}, role=Role.VIEWER)

    assert problem(refused)["status"] == 403
    assert plant.get("/api/v1/stock/balances", role=Role.VIEWER).status_code == 200
