"""The audit trail over HTTP, by record, user and time."""

from __future__ import annotations

from urllib.parse import quote

from plantops.vocabulary import Role
from tests.api.conftest import Api, problem


def test_an_update_over_http_is_in_the_trail_under_the_caller(plant: Api) -> None:
    etag = plant.get("/api/v1/customers/C1").headers["etag"]
    plant.patch("/api/v1/customers/C1", json={"name": "City Cycles Ltd"}, headers={"If-Match": etag}, role=Role.PLANNER)

    trail = plant.get("/api/v1/audit?record=customer&key=C1", role=Role.QUALITY).json()
    by_user = plant.get("/api/v1/audit?user=planner").json()

    entry, imported = trail["items"]  # newest first
    assert (imported["user"], imported["action"], imported["after"]["name"]) == ("admin", "insert", "City Cycles")
    assert entry["user"] == "planner" and entry["action"] == "update"
    assert entry["before"] == {"name": "City Cycles"} and entry["after"] == {"name": "City Cycles Ltd"}
    assert by_user["total"] == 1


def test_the_trail_is_read_by_time_window(plant: Api) -> None:
    posted = plant.post(
        "/api/v1/stock/receipts", json={"item": "BIKE", "location": "P1/FG", "quantity": "5"}, role=Role.OPERATOR
    ).json()
    [entry] = plant.get("/api/v1/audit?user=operator").json()["items"]

    since = plant.get(f"/api/v1/audit?user=operator&since={quote(entry['at'])}").json()
    until = plant.get(f"/api/v1/audit?user=operator&until={quote(entry['at'])}").json()

    assert entry["record"] == "stock_posting" and entry["key"] == str(posted["posting_id"])
    assert since["total"] == 1 and until["total"] == 0


def test_the_trail_is_for_admins_and_quality_only(plant: Api) -> None:
    assert problem(plant.get("/api/v1/audit", role=Role.PLANNER))["status"] == 403
    assert problem(plant.get("/api/v1/audit?since=2026-01-01T00:00"))["errors"][0]["field"] == "since"


def test_the_trail_is_filtered_by_action(plant: Api) -> None:
    etag = plant.get("/api/v1/customers/C1").headers["etag"]
    plant.patch("/api/v1/customers/C1", json={"name": "Renamed"}, headers={"If-Match": etag})
    plant.post("/api/v1/stock/receipts", json={"item": "BIKE", "location": "P1/FG", "quantity": "1"})

    updates = plant.get("/api/v1/audit?action=update").json()
    inserts = plant.get("/api/v1/audit?action=insert&limit=1").json()

    assert [(e["record"], e["key"]) for e in updates["items"]] == [("customer", "C1")]
    assert inserts["items"][0]["record"] == "stock_posting"
