"""The policies page in Chromium: a run applied per item and site, each line then saying what MRP
carries out at its site; an unknown item refused beside its field with nothing applied."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from plantops.bootstrap import PlantOps
from plantops.services import item_sites
from plantops.services.policy import queries as policy_queries
from plantops.vocabulary import ReplenishmentPolicy
from tests.web.conftest import Login, screenshot

ITEM = "BIKE-CITY-M"  # made at PLANT-BIKE, transferred to DC-NORTH


def test_applying_a_run_writes_each_sites_policy_and_the_list_says_mrp_carries_it_out(
    page: Page, login: Login, plant: PlantOps
) -> None:
    login("planner", "/policies")
    page.fill("#r-items", ITEM)
    page.get_by_role("button", name="Compute").click()
    expect(page.locator("#computed")).to_contain_text("computed: 2 policies")
    run = policy_queries.policy_runs(plant.uow())[0].number

    page.fill("#a-items", ITEM)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Apply {run}").click()

    expect(page.locator("#applied")).to_contain_text("1 item updated at 2 sites")
    screenshot(page, "policies-applied")
    page.goto(f"/policies?run={run}&q={ITEM}")
    _, lines = policy_queries.policy_lines(plant.uow(), run=run)
    for view in lines:
        at_site = item_sites.planning_at(plant.uow(), ITEM, view.site)
        assert at_site["policy"] is ReplenishmentPolicy.REORDER_POINT
        assert (at_site["reorder_point"], at_site["safety_stock"]) == (view.line.reorder_point, view.line.safety_stock)
        row = page.locator(f'#policies tbody tr[data-key="{ITEM}/{view.site}"]')
        expect(row).to_contain_text(view.site)
        expect(row).to_contain_text(
            f"(r, Q) r {float(view.line.reorder_point):,.0f}, Q {float(view.line.order_quantity):,.0f}"
        )
    assert {view.site for view in lines} == {"DC-NORTH", "PLANT-BIKE"}
    screenshot(page, "policies-applied-per-site")

    page.locator(f'#policies tbody tr[data-key="{ITEM}/DC-NORTH"]').get_by_role("link", name="Explain").click()
    expect(page.locator("#explanation")).to_contain_text("at DC-NORTH MRP now carries out (r, Q)")


def test_applying_an_unknown_item_is_refused_beside_the_items_field(page: Page, login: Login, plant: PlantOps) -> None:
    login("planner", "/policies")
    if not policy_queries.policy_runs(plant.uow()):
        page.get_by_role("button", name="Compute").click()
        expect(page.locator("#computed")).to_be_visible()
        page.goto("/policies")
    run = policy_queries.policy_runs(plant.uow())[0].number
    applied_before = policy_queries.policy_page(plant.uow(), run=run, applied=True).total

    page.fill("#a-items", "NOPE")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Apply {run}").click()

    expect(page.locator("#e-a-items")).to_contain_text("unknown item 'NOPE'")
    expect(page.locator("#a-items")).to_have_value("NOPE")
    assert policy_queries.policy_page(plant.uow(), run=run, applied=True).total == applied_before
