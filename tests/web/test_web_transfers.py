"""A planned transfer released from the MRP page, shipped in part and received in two parts; a
cross-site move on the stock page shipped on a transfer order made from it; in Chromium, over
the minimal plant with a distribution centre supplied from the plant."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from plantops.bootstrap import PlantOps, build
from plantops.config import Settings
from plantops.services import master_data, transfers
from plantops.services.access import add_user
from plantops.services.inventory import balances
from plantops.services.planning import queries
from plantops.services.planning.problem import PlanRequest
from plantops.services.planning.runs import run_plan
from plantops.vocabulary import OrderStatus, Procurement
from plantops.web.app import create_web_app
from tests.services.minimal_plant import write_plant
from tests.services.test_transfers import TWO_SITES
from tests.web.conftest import PASSWORD, Login, screenshot, serving

START = dt.date(2026, 11, 23)
WIDE, PHONE = {"width": 1440, "height": 900}, {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlantOps]:
    """P1 and DC1, BIKE transferred from P1 to DC1, planned from 23 November; a clerk who plans,
    releases and posts stock, and a viewer."""
    folder = tmp_path_factory.mktemp("transfers")
    ops = build(Settings(database_url=f"sqlite:///{folder / 'plantops.db'}"))
    ops.migrate()
    master_data.import_path(ops.uow(), write_plant(folder / "csv", TWO_SITES), posted_by="t")
    run_plan(ops.uow(), PlanRequest(start=START, weeks=8), run_by="tester")
    add_user(ops.uow(), "clerk", roles=["planner", "operator"], password=PASSWORD)
    add_user(ops.uow(), "viewer", roles=["viewer"], password=PASSWORD)
    yield ops
    ops.close()


@pytest.fixture(scope="module")
def base_url(plant: PlantOps) -> Iterator[str]:
    with serving(create_web_app(plant)) as url:
        yield url


def _on_hand(plant: PlantOps, item: str, location: str, lot: str | None = None) -> Decimal:
    found = [b for b in balances.on_hand(plant.uow(), item=item, location=location) if b.lot == lot]
    return found[0].on_hand if found else Decimal(0)


def test_a_planned_transfer_is_released_shipped_in_part_and_received_in_two_parts(
    page: Page, login: Login, plant: PlantOps
) -> None:
    _, planned = queries.planned_orders(plant.uow(), item="BIKE", kind=Procurement.TRANSFER)
    number, quantity = planned[0].number, planned[0].quantity
    assert quantity == 4
    page.on("dialog", lambda dialog: dialog.accept())
    login("clerk", f"/mrp/orders/{number}")

    status = page.locator(f"#order-{number}")
    status.get_by_role("button", name="Release").click()
    expect(status).to_contain_text(f"as TO-{number}")
    status.get_by_role("link", name=f"TO-{number}").click()

    expect(page).to_have_url(re.compile(rf"/transfers/TO-{number}$"))
    expect(page.locator("#order-status")).to_contain_text("open")
    expect(page.locator("#order-status")).to_contain_text(f"released from {number}")
    page.fill("#ship-1-quantity", "5")
    page.fill("#ship-1-location", "P1/FG")
    page.get_by_role("button", name="Ship", exact=True).click()
    expect(page.locator("#e-ship-1-quantity")).to_contain_text("4 left to ship: 5 is more")
    assert transfers.transfer_order(plant.uow(), f"TO-{number}").lines[0].shipped_quantity == 0
    page.fill("#ship-1-quantity", "3")
    page.get_by_role("button", name="Ship", exact=True).click()
    expect(page.locator("#done")).to_contain_text("Shipped")
    expect(page.locator("#transfer-lines tbody tr").first).to_contain_text("3")
    expect(page.locator("#order-in-transit")).to_contain_text("DC1-TRANSIT")
    page.set_viewport_size(WIDE)
    screenshot(page, "transfer_order")
    page.set_viewport_size(PHONE)
    screenshot(page, "transfer_order_phone")
    page.set_viewport_size(WIDE)

    page.fill("#receive-1-quantity", "1")
    page.fill("#receive-1-location", "P1/FG")
    page.get_by_role("button", name="Receive", exact=True).click()
    expect(page.locator("#e-receive-1-location")).to_contain_text("is not a storage place of DC1")
    page.fill("#receive-1-location", "DC1/FG")
    page.get_by_role("button", name="Receive", exact=True).click()
    expect(page.locator("#done")).to_contain_text("Received")
    page.fill("#receive-1-quantity", "2")
    page.fill("#receive-1-location", "DC1/FG")
    page.get_by_role("button", name="Receive", exact=True).click()

    expect(page.locator("#done")).to_contain_text("Received")
    order = transfers.transfer_order(plant.uow(), f"TO-{number}")
    assert [(line.shipped_quantity, line.received_quantity) for line in order.lines] == [(3, 3)]
    assert order.status is OrderStatus.OPEN  # one bike still to ship
    assert _on_hand(plant, "BIKE", "DC1/FG") == 3 and _on_hand(plant, "BIKE", "DC1-TRANSIT") == 0
    expect(page.locator("#line-1")).not_to_contain_text("Receive at")

    page.get_by_role("button", name="Cancel what has not shipped").click()
    expect(page.locator("#order-status")).to_contain_text("closed")
    screenshot(page, "transfer_order_closed")


def test_a_cross_site_move_on_the_stock_page_ships_on_a_transfer_order(
    page: Page, login: Login, plant: PlantOps
) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    login("clerk", "/stock")

    page.select_option("#f-action", "move")
    page.fill("#f-item", "TUBE")
    page.fill("#f-location", "P1/RM")
    page.fill("#f-to_location", "DC1/FG")
    page.fill("#f-quantity", "20")
    page.fill("#f-lot", "L-001")
    page.get_by_role("button", name="Post").click()

    choice = page.locator("#transfer-choice")
    expect(choice).to_contain_text("from P1 to DC1 on a transfer order")
    expect(page.locator("#e-f-to_location")).to_contain_text(
        "is in site DC1, not P1: stock goes there on a transfer order"
    )
    assert "--transfer-order" not in page.content()
    page.get_by_role("link", name="make one").click()

    expect(page.locator("#t-from_site")).to_have_value("P1")
    expect(page.locator("#t-item")).to_have_value("TUBE")
    page.fill("#t-ship_date", "2026-12-01")
    page.fill("#t-due_date", "2026-11-30")
    page.get_by_role("button", name="Create transfer order").click()
    expect(page.locator("#e-t-due_date")).to_contain_text("is before the ship date")
    page.fill("#t-due_date", "2026-12-04")
    page.get_by_role("button", name="Create transfer order").click()
    expect(page.locator("#done")).to_contain_text("created")
    made = page.url.rsplit("/", 1)[1].split("?")[0]

    page.goto("/stock")
    page.select_option("#f-action", "move")
    page.fill("#f-item", "TUBE")
    page.fill("#f-location", "P1/RM")
    page.fill("#f-to_location", "DC1/FG")
    page.fill("#f-quantity", "20")
    page.fill("#f-lot", "L-001")
    page.get_by_role("button", name="Post").click()
    expect(page.locator("#f-transfer_order")).to_have_value(made)
    page.set_viewport_size(WIDE)
    screenshot(page, "transfer_stock_move")
    page.get_by_role("button", name="Ship on this transfer order").click()

    expect(page.locator("#shipped-on")).to_contain_text(f"Shipped on {made}")
    assert _on_hand(plant, "TUBE", "DC1-TRANSIT", "L-001") == 20
    page.goto("/transfers/in-transit")
    expect(page.locator("#in_transit")).to_contain_text(made)
    screenshot(page, "transfers_in_transit")
    page.goto("/transfers")
    expect(page.locator("#transfer_orders")).to_contain_text(made)
    screenshot(page, "transfers")
    page.set_viewport_size(PHONE)
    screenshot(page, "transfers_phone")


def test_a_viewer_reads_a_transfer_order_but_gets_no_forms(page: Page, login: Login, plant: PlantOps) -> None:
    number = transfers.create_transfer_order(
        plant.uow(),
        from_site="P1",
        to_site="DC1",
        ship_date=START,
        due_date=START,
        lines=[transfers.TransferLine("BIKE", Decimal(1))],
        today=START,
    ).number
    login("viewer", f"/transfers/{number}")

    expect(page.locator("#transfer-lines")).to_contain_text("BIKE")
    expect(page.locator("form[action$='/ship']")).to_have_count(0)
    expect(page.get_by_role("button", name="Cancel what has not shipped")).to_have_count(0)
