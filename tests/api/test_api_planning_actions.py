"""Planning actions over HTTP: pegging down from a sales order and up from a purchase order,
changing a planned order, firming and releasing many at once, acting on exception messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from plantops.vocabulary import Role
from tests.api.conftest import Api, import_plant, problem
from tests.services.minimal_plant import MINIMAL_PLANT


@pytest.fixture
def busy(api: Api, tmp_path: Path) -> Api:
    """The minimal plant with 300 bikes ordered, planned: PO-1/1 (tube) is needed a week before it is due."""
    lines = MINIMAL_PLANT["sales_order_lines"].replace("SO-1,1,BIKE,20,", "SO-1,1,BIKE,300,")
    import_plant(api, tmp_path / "plant", {"sales_order_lines": lines})
    started = api.post("/api/v1/plan/runs", json={"start": "2026-11-23", "weeks": 8}, role=Role.PLANNER)
    assert api.wait_for_job(started.headers["location"])["status"] == "succeeded"
    return api


def _orders(api: Api, item: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.get(f"/api/v1/plan/orders?item={item}").json()["items"]
    return items


def _exception(api: Api, kind: str, item: str) -> dict[str, Any]:
    found: dict[str, Any] = api.get(f"/api/v1/plan/exceptions?kind={kind}&item={item}").json()["items"][0]
    return found


def test_a_sales_order_pegs_down_and_names_what_limits_it(busy: Api) -> None:
    found = busy.get("/api/v1/plan/demands/SO-1/1/pegging", role=Role.VIEWER)
    unknown = busy.get("/api/v1/plan/demands/SO-9/pegging")

    assert found.status_code == 200, found.text
    [line] = found.json()["lines"]
    assert line["demand"] == "SO-1/1" and line["quantity"] == 300
    assert {s["item"] for s in line["supply"]} == {"BIKE", "FRAME", "TUBE"}
    assert line["limit"]["cause"] == "lead time" and line["limit"]["item"] == "TUBE"
    assert problem(unknown)["status"] == 404


def test_a_purchase_order_line_pegs_up_to_the_sales_order(busy: Api) -> None:
    found = busy.get("/api/v1/plan/receipts/PO-1/1/pegging").json()

    assert found["receipt"]["document"] == "PO-1/1" and found["receipt"]["item"] == "TUBE"
    assert {p["demand"] for p in found["pegs"] if p["kind"] == "sales_order"} == {"SO-1/1"}


def test_a_planned_order_is_changed_and_bad_values_are_refused_by_field(busy: Api) -> None:
    tube = _orders(busy, "TUBE")[0]
    url = f"/api/v1/plan/orders/{tube['number']}"

    negative = problem(busy.patch(url, json={"quantity": "-5"}, role=Role.PLANNER))
    early = problem(busy.patch(url, json={"due": "1800-01-01"}, role=Role.PLANNER))
    stranger = problem(busy.patch(url, json={"supplier": "S9"}, role=Role.PLANNER))
    viewer = problem(busy.patch(url, json={"quantity": "5"}, role=Role.VIEWER))
    unchanged = _orders(busy, "TUBE")[0]
    changed = busy.patch(url, json={"quantity": "400", "due": "2026-12-28"}, role=Role.PLANNER)

    assert negative["status"] == 422 and negative["errors"][0]["field"] == "quantity"
    assert early["status"] == 422 and early["errors"][0]["field"] == "due"
    assert stranger["status"] == 422 and "supplier" in stranger["detail"]
    assert viewer["status"] == 403
    assert unchanged == tube
    assert changed.status_code == 200, changed.text
    assert changed.json()["quantity"] == "400" and changed.json()["status"] == "firm"
    assert changed.json()["due_date"] == "2026-12-28" and changed.json()["release_date"] < "2026-12-28"


def test_bulk_firm_and_release_are_all_or_nothing(busy: Api) -> None:
    numbers = [o["number"] for o in _orders(busy, "FRAME")[:2]]

    refused = problem(busy.post("/api/v1/plan/orders/firm", json={"orders": [*numbers, "P1-999"]}, role=Role.PLANNER))
    empty = problem(busy.post("/api/v1/plan/orders/firm", json={"orders": []}, role=Role.PLANNER))
    untouched = {o["status"] for o in _orders(busy, "FRAME")}
    firmed = busy.post("/api/v1/plan/orders/firm", json={"orders": numbers}, role=Role.PLANNER)
    viewer = problem(busy.post("/api/v1/plan/orders/release", json={"orders": numbers}, role=Role.VIEWER))
    released = busy.post(
        "/api/v1/plan/orders/release", json={"orders": numbers, "today": "2026-11-23"}, role=Role.BUYER
    )

    assert refused["status"] == 404 and untouched == {"planned"}
    assert empty["status"] == 422 and empty["errors"][0]["field"] == "orders"
    assert [o["status"] for o in firmed.json()] == ["firm", "firm"]
    assert viewer["status"] == 403
    assert [o["released_as"] for o in released.json()] == [f"WO-{n}" for n in numbers]


def test_an_exception_is_acted_on_once_and_only_as_fits_it(busy: Api) -> None:
    expedite = _exception(busy, "expedite", "TUBE")
    url = f"/api/v1/plan/exceptions/{expedite['number']}"

    assert expedite["document"] == "PO-1/1" and expedite["actions"] == ["expedite"]
    wrong = problem(busy.post(f"{url}/cancel", role=Role.BUYER))
    viewer = problem(busy.post(f"{url}/expedite", role=Role.VIEWER))
    done = busy.post(f"{url}/expedite", role=Role.BUYER)
    again = problem(busy.post(f"{url}/expedite", role=Role.BUYER))
    nonsense = problem(busy.post(f"{url}/hurry", role=Role.BUYER))

    assert wrong["status"] == 422 and "it allows expedite" in wrong["detail"]
    assert viewer["status"] == 403
    assert done.status_code == 200 and done.json()["message"] == "PO-1/1 is now due on 2026-11-23"
    assert again["status"] == 422 and "changed since the plan" in again["detail"]
    assert nonsense["status"] == 422


def test_a_planned_order_message_firms_its_order(busy: Api) -> None:
    past_due = _exception(busy, "past_due", "FRAME")

    firmed = busy.post(f"/api/v1/plan/exceptions/{past_due['number']}/firm", role=Role.PLANNER)
    gone = problem(busy.post("/api/v1/plan/exceptions/E9-1/firm", role=Role.PLANNER))

    assert firmed.status_code == 200 and firmed.json()["message"] == f"{past_due['document']} is firm"
    assert gone["status"] == 404
