"""A buyer and a planner work in the browser: the order book found, sorted and exported, a
BOM edited and its history read, a phone's menu, and a bad number shown beside its field."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from plantops.bootstrap import PlantOps
from plantops.services import order_book
from plantops.services.master_data import records
from plantops.services.order_book import Book
from plantops.web.app import create_web_app
from tests.web.conftest import PASSWORD, VIEWPORT, Login, screenshot, serving

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def own_page(browser: Browser, own_plant: PlantOps) -> Iterator[Page]:
    """A browser tab on the web app over a copy of the plant that the test may change, as a planner."""
    with serving(create_web_app(own_plant)) as url:
        context = browser.new_context(viewport=VIEWPORT, base_url=url)
        context.set_default_timeout(10_000)
        tab = context.new_page()
        tab.goto("/login")
        tab.fill("#username", "planner")
        tab.fill("#password", PASSWORD)
        tab.click("button[type=submit]")
        tab.wait_for_load_state("networkidle")
        yield tab
        context.close()


def test_a_buyer_finds_a_suppliers_open_orders_sorts_them_by_due_date_and_exports_them(
    page: Page, login: Login, plant: PlantOps
) -> None:
    login("buyer", "/orders/purchase")  # the order book (the navigation's "Purchase orders" is /buy/orders)

    page.fill("#purchase_orders-supplier", "rohr")
    expect(page.locator("#lookup-purchase_orders-supplier option[value=SUP-ROHR]")).to_have_count(1)
    page.fill("#purchase_orders-supplier", "SUP-ROHR")
    page.select_option("#purchase_orders-status", "confirmed")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("th[aria-sort=ascending]")).to_have_text("Next due")  # the book's own order
    page.get_by_role("link", name="Next due").click()  # a click on the sorted column turns it around
    expect(page).to_have_url(re.compile(r"supplier=SUP-ROHR.*sort=-due_date"))
    expect(page.locator("th[aria-sort=descending]")).to_have_text("Next due")

    expected = order_book.orders(plant.uow(), Book.PURCHASE, partner="SUP-ROHR", sort=["-due_date"]).orders
    open_orders = [o.number for o in expected if o.status.value == "confirmed"]
    expect(page.locator("#purchase_orders tbody tr td:first-child")).to_have_text(open_orders)
    screenshot(page, "purchase-orders")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    path = download.value.path()
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [row["number"] for row in rows] == open_orders
    assert {row["partner"] for row in rows} == {"SUP-ROHR"}


def test_a_planner_edits_a_bom_line_and_reads_the_change_in_its_history(own_page: Page, own_plant: PlantOps) -> None:
    page = own_page
    page.goto("/records/boms/BOM-BIKE-CITY-M?tab=lines")
    page.locator("#bom_components-of-BOM-BIKE-CITY-M tbody tr:first-child td:nth-child(2) a").click()  # the line
    expect(page).to_have_url(re.compile(r"/records/bom_components/by-key\?part=BOM-BIKE-CITY-M&part=1$"))
    page.get_by_role("link", name="Edit").click()
    page.fill("#r-quantity", "2")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    assert records.get_record(own_plant.uow(), "bom_components", ["BOM-BIKE-CITY-M", "1"]).values["quantity"] == 2
    page.get_by_role("link", name="History").click()
    expect(page.locator("#history tbody tr").first).to_contain_text("planner")
    expect(page.locator("#history ins").first).to_have_text("2")
    screenshot(page, "record-history")


def test_a_number_that_cannot_be_read_is_shown_beside_its_field_and_nothing_is_saved(
    own_page: Page, own_plant: PlantOps
) -> None:
    page = own_page
    before = records.get_record(own_plant.uow(), "items", ["BELL"])
    page.goto("/records/items/BELL?tab=edit")
    page.fill("#r-lead_time_days", "three")
    page.fill("#r-standard_cost", "-1")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#e-lead_time_days")).to_contain_text("'three' is not a number")
    expect(page.locator("#e-standard_cost")).to_be_visible()
    expect(page.locator("#r-lead_time_days")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "record-form-errors")
    assert records.get_record(own_plant.uow(), "items", ["BELL"]) == before


def test_on_a_phone_the_menu_opens_the_areas_and_a_list_folds_its_filters(page: Page, login: Login) -> None:
    page.set_viewport_size(PHONE)
    login("planner", "/records/items")
    expect(page.locator("#nav-areas")).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("link", name="Purchase orders")).to_be_visible()
    expect(page.locator("#items-filters")).to_be_hidden()
    page.locator("details.filter-box summary").click()
    expect(page.locator("#items-q")).to_be_visible()
    screenshot(page, "items-phone")
