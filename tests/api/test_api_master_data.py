"""Master data and orders over HTTP: lists, records, creation, optimistic updates, imports."""

from __future__ import annotations

from pathlib import Path

from plantops.vocabulary import Role
from tests.api.conftest import Api, import_plant, problem


def test_a_list_is_filtered_sorted_and_paged(plant: Api) -> None:
    first = plant.get("/api/v1/items?sort=-standard_cost&limit=2").json()
    second = plant.get("/api/v1/items?sort=-standard_cost&limit=2&offset=2").json()
    made = plant.get("/api/v1/items?procurement=make&sort=code").json()
    in_kg = plant.get("/api/v1/items?unit=kg&sort=code").json()

    assert first["total"] == 6 and first["limit"] == 2 and first["offset"] == 0
    assert [i["code"] for i in first["items"]] == ["BIKE", "FRAME"]  # 250, 80
    assert [i["code"] for i in second["items"]] == ["CREAM", "TUBE"]  # 3, 2.5
    assert [i["code"] for i in made["items"]] == ["BIKE", "CREAM", "FRAME", "SKIM"]
    assert [i["code"] for i in in_kg["items"]] == ["CREAM", "MILK", "SKIM", "TUBE"]


def test_a_list_is_searched_by_code_or_name_in_any_case(plant: Api) -> None:
    by_name = plant.get("/api/v1/items?search=steel&sort=code").json()
    by_code = plant.get("/api/v1/items?search=Ram&sort=code").json()  # FRAME
    literal = plant.get("/api/v1/items?search=%25").json()  # a percent sign is not a wildcard
    too_long = problem(plant.get("/api/v1/items?search=" + "x" * 101))

    assert [i["code"] for i in by_name["items"]] == ["TUBE"]
    assert [i["code"] for i in by_code["items"]] == ["FRAME"]
    assert literal["total"] == 0
    assert too_long["status"] == 422 and too_long["errors"][0]["field"] == "search"


def test_a_list_sorts_by_the_code_of_a_referenced_record(plant: Api) -> None:
    components = plant.get("/api/v1/bom-components?sort=-item").json()

    assert [c["item"] for c in components["items"]] == ["TUBE", "MILK", "FRAME"]
    assert components["items"][0]["bom"] == "B-FRAME"


def test_a_list_refuses_an_unknown_filter_sort_or_page_size(plant: Api) -> None:
    unknown_filter = problem(plant.get("/api/v1/items?colour=red"))
    unknown_sort = problem(plant.get("/api/v1/items?sort=colour"))
    too_big = problem(plant.get("/api/v1/items?limit=5000"))
    bad_value = problem(plant.get("/api/v1/items?item_type=gadget"))

    assert unknown_filter["status"] == 422 and unknown_filter["errors"][0]["field"] == "colour"
    assert unknown_sort["errors"][0] == {
        "field": "sort",
        "reason": unknown_sort["errors"][0]["reason"],
        "record": "items",
        "row": None,
    }
    assert "colour" in unknown_sort["detail"]
    assert too_big["errors"][0]["field"] == "limit"
    assert bad_value["errors"][0]["field"] == "item_type" and "gadget" in bad_value["errors"][0]["reason"]


def test_a_record_is_read_by_its_code_with_its_version_as_etag(plant: Api) -> None:
    response = plant.get("/api/v1/items/BIKE", role=Role.VIEWER)
    location = plant.get("/api/v1/locations/P1/RM").json()  # a code with a slash

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "BIKE" and body["unit"] == "pcs" and body["standard_cost"] == "250"
    assert response.headers["etag"] == f'"{body["version"]}"'
    assert location["site"] == "P1"


def test_an_unknown_code_is_404_naming_it(plant: Api) -> None:
    missing = problem(plant.get("/api/v1/items/NO-SUCH-ITEM"))

    assert missing["status"] == 404 and "NO-SUCH-ITEM" in missing["detail"]


def test_a_record_of_a_sheet_keyed_by_several_columns_is_read_by_query(plant: Api) -> None:
    line = plant.get("/api/v1/sales-order-lines/record?order=SO-1&line=1")
    missing = plant.get("/api/v1/sales-order-lines/record?order=SO-1&line=9")

    assert line.status_code == 200 and line.json()["item"] == "BIKE" and line.json()["quantity"] == "20"
    assert problem(missing)["status"] == 404


def test_a_record_is_created_with_its_location_and_a_taken_code_is_a_conflict(plant: Api) -> None:
    created = plant.post("/api/v1/customers", json={"code": "C2", "name": "Velo Shop"})
    again = plant.post("/api/v1/customers", json={"code": "C2", "name": "Another"})

    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/api/v1/customers/C2"
    assert plant.get("/api/v1/customers/C2").json()["name"] == "Velo Shop"
    assert problem(again)["status"] == 409


def test_a_new_record_with_a_bad_reference_is_refused_naming_the_field(plant: Api) -> None:
    refused = problem(
        plant.post("/api/v1/locations", json={"code": "P9/X", "name": "x", "site": "P9", "kind": "storage"})
    )

    assert refused["status"] == 422
    assert refused["errors"][0]["field"] == "site" and "P9" in refused["errors"][0]["reason"]
    assert plant.get("/api/v1/locations/P9/X").status_code == 404


def test_an_update_from_the_current_version_changes_the_record_and_its_version(plant: Api) -> None:
    read = plant.get("/api/v1/items/BIKE")

    changed = plant.patch(
        "/api/v1/items/BIKE",
        json={"safety_stock": "9", "name": "City bike"},
        headers={"If-Match": read.headers["etag"]},
    )

    assert changed.status_code == 200, changed.text
    assert changed.json()["safety_stock"] == "9" and changed.json()["name"] == "City bike"
    assert changed.headers["etag"] != read.headers["etag"]
    assert plant.get("/api/v1/items/BIKE").json()["safety_stock"] == "9"


def test_a_stale_update_is_a_conflict_and_changes_nothing(plant: Api) -> None:
    stale = plant.get("/api/v1/items/BIKE").headers["etag"]
    plant.patch("/api/v1/items/BIKE", json={"safety_stock": "6"}, headers={"If-Match": stale})

    refused = plant.patch("/api/v1/items/BIKE", json={"safety_stock": "99"}, headers={"If-Match": stale})

    assert problem(refused)["status"] == 409
    assert plant.get("/api/v1/items/BIKE").json()["safety_stock"] == "6"


def test_an_update_without_if_match_is_428(plant: Api) -> None:
    refused = plant.patch("/api/v1/items/BIKE", json={"safety_stock": "1"})

    assert problem(refused)["status"] == 428
    assert plant.get("/api/v1/items/BIKE").json()["safety_stock"] == "5"


def test_an_update_with_a_bad_value_is_refused_naming_the_field(plant: Api) -> None:
    etag = plant.get("/api/v1/items/BIKE").headers["etag"]

    negative = problem(plant.patch("/api/v1/items/BIKE", json={"safety_stock": "-3"}, headers={"If-Match": etag}))
    schema = problem(plant.patch("/api/v1/items/BIKE", json={"lead_time_days": "soon"}, headers={"If-Match": etag}))
    key = problem(plant.patch("/api/v1/items/BIKE", json={"code": "BIKE-2"}, headers={"If-Match": etag}))

    assert negative["status"] == 422 and negative["errors"][0]["field"] == "safety_stock"
    assert schema["status"] == 422 and schema["errors"][0]["field"] == "lead_time_days"
    assert key["status"] == 422 and key["errors"][0]["field"] == "code"
    assert plant.get("/api/v1/items/BIKE").headers["etag"] == etag


def test_a_record_keyed_by_several_columns_is_updated_by_query(plant: Api) -> None:
    url = "/api/v1/sales-order-lines/record?order=SO-1&line=1"
    etag = plant.get(url).headers["etag"]

    changed = plant.patch(url, json={"quantity": "25"}, headers={"If-Match": etag}, role=Role.PLANNER)

    assert changed.status_code == 200, changed.text
    assert plant.get(url).json()["quantity"] == "25"


def test_records_made_elsewhere_are_read_only_here(plant: Api) -> None:
    assert plant.post("/api/v1/work-orders", json={}).status_code == 405
    assert plant.get("/api/v1/work-orders/WO-1").json()["status"] == "released"


def test_an_import_of_rows_inserts_and_updates_by_code(plant: Api) -> None:
    report = plant.post(
        "/api/v1/imports",
        json={
            "sheets": {
                "customers": [{"code": "C1", "name": "City Cycles Ltd"}, {"code": "C3", "name": "Bike Barn"}],
            }
        },
    )

    assert report.status_code == 200, report.text
    assert report.json()["inserted"]["customers"] == 1 and report.json()["updated"]["customers"] == 1
    assert plant.get("/api/v1/customers/C1").json()["name"] == "City Cycles Ltd"


def test_an_import_with_a_bad_row_lists_every_problem_and_imports_nothing(plant: Api) -> None:
    refused = problem(
        plant.post(
            "/api/v1/imports",
            json={"sheets": {"customers": [{"code": "C4", "name": "ok"}, {"code": "bad code", "name": ""}]}},
        )
    )

    assert refused["status"] == 422
    fields = {(e["row"], e["field"]) for e in refused["errors"]}
    assert (3, "code") in fields and (3, "name") in fields
    assert plant.get("/api/v1/customers/C4").status_code == 404


def test_an_import_of_files_needs_the_permission_of_every_sheet_in_it(api: Api, tmp_path: Path) -> None:
    report = import_plant(api, tmp_path / "plant")
    stock_files = [("files", ("opening_stock.csv", b"item,location,lot,quantity\nBIKE,P1/FG,,8\n", "text/csv"))]

    refused = api.post("/api/v1/imports/files", files=stock_files, role=Role.PLANNER)
    not_csv = api.post("/api/v1/imports/files", files=[("files", ("notes.txt", b"hello", "text/plain"))])
    not_utf8 = api.post(
        "/api/v1/imports/files", files=[("files", ("customers.csv", b"code,name\nC9,\xff\xfe\n", "text/csv"))]
    )

    assert report["inserted"]["items"] == 6 and report["stock_lines"] == 3
    assert problem(refused)["status"] == 403 and "post_stock" in problem(refused)["detail"]
    assert problem(not_csv)["errors"][0]["field"] == "files"
    assert problem(not_utf8)["status"] == 422
