"""Planning per item and site over HTTP: records of the item-sites sheet and an item's effective values."""

from __future__ import annotations

from tests.api.conftest import Api, problem


def test_an_item_site_is_created_and_its_item_reads_the_effective_values(plant: Api) -> None:
    created = plant.post(
        "/api/v1/item-sites",
        json={
            "item": "TUBE",
            "site": "P1",
            "safety_stock": "40",
            "policy": "min_max",
            "reorder_point": "50",
            "order_up_to": "400",
            "review_weeks": 2,
        },
    )
    planning = plant.get("/api/v1/items/TUBE/planning").json()

    assert created.status_code == 201, created.text
    [at_p1] = planning
    assert at_p1["site"] == "P1" and at_p1["has_record"]
    assert at_p1["parameters"]["safety_stock"] == {"value": "40", "source": "site"}
    assert at_p1["parameters"]["lead_time_days"] == {"value": "10", "source": "item"}
    assert at_p1["parameters"]["policy"] == {"value": "min_max", "source": "site"}
    assert at_p1["parameters"]["review_weeks"] == {"value": 2, "source": "site"}


def test_a_bad_item_site_is_refused_naming_the_field_and_nothing_is_created(plant: Api) -> None:
    refused = problem(
        plant.post(
            "/api/v1/item-sites",
            json={"item": "TUBE", "site": "P1", "policy": "min_max", "reorder_point": "50", "order_up_to": "10"},
        )
    )
    unknown = problem(plant.get("/api/v1/items/NOPE/planning"))

    assert refused["status"] == 422
    assert [e["field"] for e in refused["errors"]] == ["order_up_to"]
    assert "below reorder_point" in refused["errors"][0]["reason"]
    assert plant.get("/api/v1/items/TUBE/planning").json() == []
    assert unknown["status"] == 404
