"""A planner reads how an item is planned at each site, and plans it differently at one, in Chromium."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from plantops.bootstrap import PlantOps
from plantops.services import item_sites
from tests.web.conftest import Login, screenshot


def test_item_page_shows_each_sites_values_and_where_they_come_from(page: Page, login: Login) -> None:
    login("planner", "/items/BIKE-CITY-M")
    card = page.locator("#planning-per-site")

    expect(card.locator("thead th")).to_have_text(["Parameter", "DC-NORTH", "PLANT-BIKE"])
    procurement = card.locator("tbody tr", has_text="procurement").first
    expect(procurement.locator("td").nth(0)).to_contain_text("transfer")
    expect(procurement.locator("td").nth(0)).to_contain_text("site")
    safety = card.locator("tbody tr", has_text="safety stock")
    expect(safety.locator("td").nth(0)).to_contain_text("12")  # the item's own
    expect(safety.locator("td").nth(0)).to_contain_text("item")
    expect(safety.locator("td").nth(1)).to_contain_text("4")
    screenshot(page, "item_sites")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off a phone's screen
    screenshot(page, "item_sites_phone")


def test_a_planner_sets_a_sites_safety_stock_from_the_record_form(page: Page, login: Login, plant: PlantOps) -> None:
    login("planner", "/items/BIKE-CITY-L")
    page.locator("#planning-per-site").get_by_role("link", name="PLANT-BIKE").click()
    expect(page).to_have_url(re.compile(r"/records/item_sites/"))
    page.get_by_role("link", name="Edit").click()
    page.fill("input[name=safety_stock]", "-1")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("text=must be at least 0").first).to_be_visible()
    page.fill("input[name=safety_stock]", "6")
    page.get_by_role("button", name="Save").click()

    expect(page.locator("text=saved").first).to_be_visible()
    assert item_sites.planning_at(plant.uow(), "BIKE-CITY-L", "PLANT-BIKE")["safety_stock"] == 6
    page.get_by_role("link", name="Edit").click()
    page.fill("input[name=safety_stock]", "3")  # as the demo plant has it, for the tests that share it
    page.get_by_role("button", name="Save").click()
    expect(page.locator("text=saved").first).to_be_visible()


def test_the_mrp_record_says_how_each_site_plans_the_item(page: Page, login: Login) -> None:
    login("planner", "/mrp/items/SPARE-PADS-DISC")

    at_dc = page.locator(".planned-by[data-site=DC-NORTH]")
    expect(at_dc).to_contain_text("transfer from PLANT-BIKE")
    expect(at_dc).to_contain_text("min max: s 30, S 60, reviewed every 1 week(s)")
    expect(page.locator(".planned-by[data-site=PLANT-BIKE]")).to_contain_text("buy")
    screenshot(page, "mrp_item_sites")
