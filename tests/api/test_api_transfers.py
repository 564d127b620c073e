"""Transfer orders over HTTP: release a planned transfer or create one, ship and receive in parts,
cancel, stock in transit; bad input refused as problem+json naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from plantops.vocabulary import Role
from tests.api.conftest import Api, import_plant, problem
from tests.services.test_transfers import TWO_SITES

URL = "/api/v1/transfer-orders"


@pytest.fixture
def two_sites(api: Api, tmp_path: Path) -> Api:
    """The minimal plant with a DC: tube in lots L-001 and L-002 at P1/RM, BIKE transferred from P1 to DC1."""
    import_plant(api, tmp_path / "plant", TWO_SITES)
    return api


def _create(api: Api, quantity: str = "100", role: Role = Role.BUYER) -> dict:  # type: ignore[type-arg]
    body = {
        "from_site": "P1",
        "to_site": "DC1",
        "ship_date": "2026-12-01",
        "due_date": "2026-12-04",
        "lines": [{"item": "TUBE", "quantity": quantity}],
    }
    response = api.post(URL, json=body, role=role)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_an_order_ships_and_arrives_in_two_parts(two_sites: Api) -> None:
    number = _create(two_sites)["number"]
    move = {"line": 1, "quantity": "60", "location": "P1/RM", "lot": "L-001"}

    shipped = two_sites.post(f"{URL}/{number}/ship", json={"lines": [move]}, role=Role.OPERATOR)
    rest = two_sites.post(
        f"{URL}/{number}/ship", json={"lines": [{**move, "quantity": "40", "lot": None}]}, role=Role.OPERATOR
    )
    transit = two_sites.get(f"{URL}/in-transit?site=DC1", role=Role.VIEWER).json()["items"]
    first = two_sites.post(
        f"{URL}/{number}/receive",
        json={"lines": [{"line": 1, "quantity": "50", "location": "DC1/FG", "lot": "L-001"}]},
        role=Role.OPERATOR,
    )
    last = two_sites.post(
        f"{URL}/{number}/receive", json={"lines": [{"line": 1, "quantity": "50", "location": "DC1/FG"}]}
    )

    assert shipped.status_code == 201, shipped.text
    assert shipped.json()["order"]["lines"][0]["shipped_quantity"] == "60"
    assert {(m["location"], m["lot"]) for m in rest.json()["posting"]["moves"]} == {
        ("P1/RM", "L-002"),
        ("DC1-TRANSIT", "L-002"),
        ("P1/RM", "L-001"),
        ("DC1-TRANSIT", "L-001"),
    }
    assert {(t["lot"], t["quantity"], t["value"]) for t in transit} == {("L-001", "70", "175"), ("L-002", "30", "75")}
    assert first.json()["order"]["status"] == "open" and first.json()["order"]["lines"][0]["in_transit"] == "50"
    assert last.status_code == 201 and last.json()["order"]["status"] == "closed"
    listed = two_sites.get(f"{URL}?status=closed&site=P1").json()
    assert [o["number"] for o in listed["items"]] == [number] and listed["items"][0]["received_quantity"] == "100"


def test_bad_requests_name_the_field_and_change_nothing(two_sites: Api) -> None:
    number = _create(two_sites, "10")["number"]
    over = {"lines": [{"line": 1, "quantity": "11", "location": "P1/RM", "lot": "L-001"}]}

    too_much = problem(two_sites.post(f"{URL}/{number}/ship", json=over))
    wrong_site = problem(
        two_sites.post(
            f"{URL}/{number}/ship", json={"lines": [{"line": 1, "quantity": "1", "location": "DC1/FG", "lot": "L-001"}]}
        )
    )
    nothing_shipped = problem(
        two_sites.post(f"{URL}/{number}/receive", json={"lines": [{"line": 1, "quantity": "1", "location": "DC1/FG"}]})
    )
    negative = problem(two_sites.post(f"{URL}/{number}/ship", json={"lines": [{**over["lines"][0], "quantity": "-1"}]}))
    same_site = problem(
        two_sites.post(
            URL,
            json={
                "from_site": "P1",
                "to_site": "P1",
                "ship_date": "2026-12-01",
                "due_date": "2026-12-04",
                "lines": [{"item": "TUBE", "quantity": "1"}],
            },
        )
    )
    viewer = problem(two_sites.post(f"{URL}/{number}/ship", json=over, role=Role.VIEWER))
    operator_creates = problem(two_sites.post(URL, json={}, role=Role.OPERATOR))
    unknown = problem(two_sites.get(f"{URL}/TO-NOPE"))

    assert too_much["status"] == 422 and too_much["errors"][0]["field"] == "quantity"
    assert wrong_site["status"] == 422 and wrong_site["errors"][0]["field"] == "location"
    assert nothing_shipped["status"] == 422 and "0 in transit" in nothing_shipped["detail"]
    assert negative["status"] == 422 and "quantity" in negative["errors"][0]["field"]
    assert same_site["status"] == 422 and same_site["errors"][0]["field"] == "to_site"
    assert viewer["status"] == 403 and operator_creates["status"] == 403
    assert unknown["status"] == 404
    order = two_sites.get(f"{URL}/{number}").json()
    assert order["lines"][0]["shipped_quantity"] == "0" and order["status"] == "open"


def test_cancel_cuts_a_shipped_order_and_cancels_an_unshipped_one(two_sites: Api) -> None:
    shipped, untouched = _create(two_sites)["number"], _create(two_sites)["number"]
    two_sites.post(
        f"{URL}/{shipped}/ship", json={"lines": [{"line": 1, "quantity": "5", "location": "P1/RM", "lot": "L-001"}]}
    )

    cut = two_sites.post(f"{URL}/{shipped}/cancel", role=Role.BUYER).json()
    cancelled = two_sites.post(f"{URL}/{untouched}/cancel", role=Role.BUYER).json()
    again = problem(two_sites.post(f"{URL}/{untouched}/cancel"))

    assert cut["status"] == "open" and cut["lines"][0]["quantity"] == "5"
    assert cancelled["status"] == "cancelled"
    assert again["status"] == 422 and again["errors"][0]["field"] == "status"


def test_a_planned_transfer_is_released_over_http(two_sites: Api) -> None:
    started = two_sites.post("/api/v1/plan/runs", json={"start": "2026-11-23", "weeks": 8}, role=Role.PLANNER)
    assert two_sites.wait_for_job(started.headers["location"])["status"] == "succeeded"
    planned = next(o for o in two_sites.get("/api/v1/plan/orders?item=BIKE").json()["items"] if o["kind"] == "transfer")

    released = two_sites.post(f"/api/v1/plan/orders/{planned['number']}/release", role=Role.BUYER)

    assert released.status_code == 200, released.text
    assert released.json()["released_as"] == f"TO-{planned['number']}"
    order = two_sites.get(f"{URL}/TO-{planned['number']}").json()
    assert order["planned_order"] == planned["number"] and order["lines"][0]["quantity"] == planned["quantity"]
