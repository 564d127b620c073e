"""A planner follows a late sales order down to what limits it, acts on an exception, changes and
firms planned orders, in Chromium, over the minimal plant with 300 bikes ordered."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from plantops.bootstrap import PlantOps, build
from plantops.config import Settings
from plantops.db.procurement import PurchaseOrderLine
from plantops.services import master_data
from plantops.services.access import add_user
from plantops.services.planning import queries
from plantops.services.planning.problem import PlanRequest
from plantops.services.planning.runs import run_plan
from plantops.vocabulary import PlanExceptionKind, PlannedOrderStatus
from plantops.web.app import create_web_app
from tests.services.minimal_plant import MINIMAL_PLANT, write_plant
from tests.web.conftest import PASSWORD, Login, screenshot, serving

START = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlantOps]:
    """300 bikes due 2026-12-10, planned from 23 November: tube runs short and PO-1/1 comes a week late."""
    folder = tmp_path_factory.mktemp("mrp-actions")
    ops = build(Settings(database_url=f"sqlite:///{folder / 'plantops.db'}"))
    ops.migrate()
    lines = MINIMAL_PLANT["sales_order_lines"].replace("SO-1,1,BIKE,20,", "SO-1,1,BIKE,300,")
    master_data.import_path(ops.uow(), write_plant(folder / "csv", {"sales_order_lines": lines}), posted_by="t")
    run_plan(ops.uow(), PlanRequest(start=START, weeks=8), run_by="tester")
    for username in ("planner", "viewer"):
        add_user(ops.uow(), username, roles=[username], password=PASSWORD)
    yield ops
    ops.close()


@pytest.fixture(scope="module")
def base_url(plant: PlantOps) -> Iterator[str]:
    with serving(create_web_app(plant)) as url:
        yield url


def test_a_planner_finds_what_limits_a_late_order_and_expedites_from_its_exception(
    page: Page, login: Login, plant: PlantOps
) -> None:
    [expedite] = queries.plan_exceptions(plant.uow(), kind=PlanExceptionKind.EXPEDITE)[1]
    login("planner", "/mrp")

    page.fill("#peg-demand", "SO-1/1")
    page.get_by_role("button", name="Peg").click()

    expect(page).to_have_url(re.compile(r"/mrp/peg/demand/SO-1/1$"))
    expect(page.locator("#pegging-1 .limit")).to_contain_text("Limited by lead time: TUBE at P1")
    expect(page.locator("#pegging-1 table.pegging tbody tr").first).to_contain_text("BIKE")
    expect(page.locator("#pegging-1 table.pegging").get_by_role("link", name="PO-1/1")).to_have_attribute(
        "href", "/buy/orders/PO-1"
    )
    row = page.locator(f"#pegging-exceptions tr[data-key='{expedite.number}']")
    expect(row).to_contain_text("expedite PO-1/1")
    screenshot(page, "mrp-pegging")
    row.get_by_role("button", name="Expedite").click()

    expect(row.get_by_role("status")).to_have_text("PO-1/1 is now due on 2026-11-23")
    with plant.uow() as uow:
        assert uow.session.scalar(select(PurchaseOrderLine.due_date)) == dt.date(2026, 11, 23)
    row.page.reload()
    again = page.locator(f"#pegging-exceptions tr[data-key='{expedite.number}']")
    again.get_by_role("button", name="Expedite").click()
    expect(again.get_by_role("alert")).to_contain_text("PO-1/1 changed since the plan")


def test_a_negative_quantity_in_the_order_form_is_shown_beside_the_field(
    page: Page, login: Login, plant: PlantOps
) -> None:
    _, [tube] = queries.planned_orders(plant.uow(), item="TUBE")
    login("planner", f"/mrp/orders/{tube.number}")

    page.fill("#o-quantity", "-5")
    page.get_by_role("button", name="Save").click()

    expect(page.locator("#e-o-quantity")).to_have_text("must be greater than 0, got -5")
    expect(page.locator("#o-quantity")).to_have_value("-5")
    screenshot(page, "mrp-order-refused")
    assert queries.planned_order(plant.uow(), tube.number) == tube

    page.fill("#o-quantity", "400")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-field=quantity]")).to_have_text("400")
    expect(page.locator(f"#order-{tube.number}")).to_have_attribute("data-status", "firm")
    expect(page.locator("#order-form")).to_have_count(0)


def test_a_planner_firms_selected_orders_on_the_paged_list(page: Page, login: Login, plant: PlantOps) -> None:
    login("planner", "/mrp")
    page.goto("/mrp?item=FRAME&status=planned")
    boxes = page.locator("#planned-orders tbody input[type=checkbox]")
    chosen = [boxes.nth(i).get_attribute("value") or "" for i in range(2)]

    for i in range(2):
        boxes.nth(i).check()
    page.get_by_role("button", name="Firm selected").click()

    expect(page.locator("#bulk-done")).to_contain_text(f"Firmed 2: {chosen[0]}, {chosen[1]}")
    statuses = {queries.planned_order(plant.uow(), number).status for number in chosen}
    assert statuses == {PlannedOrderStatus.FIRM}
    page.goto("/mrp?item=FRAME&status=firm")
    page.locator("#planned-orders tbody input[type=checkbox]").nth(0).check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Release selected").click()
    expect(page.locator("#bulk-done")).to_contain_text(f"Released 1: {chosen[0]} as WO-{chosen[0]}")
    page.goto("/mrp/exceptions?kind=past_due&sort=-days_late")
    expect(page.locator("#plan-exceptions tbody tr").first).to_contain_text("TUBE")


def test_a_viewer_sees_no_actions(page: Page, login: Login) -> None:
    login("viewer", "/mrp/exceptions")
    expect(page.locator("#plan-exceptions tbody tr").first).to_be_visible()
    expect(page.get_by_role("button", name="Expedite")).to_have_count(0)
    expect(page.get_by_role("button", name="Firm selected")).to_have_count(0)
    token = page.locator("meta[name=csrf-token]").get_attribute("content") or ""
    refused = page.request.post("/mrp/exceptions/E1-5/cancel", headers={"X-CSRF-Token": token})
    assert refused.status == 403
