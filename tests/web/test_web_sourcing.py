"""Buying in Chromium: requisitions from the plan and by hand, an RFQ of the ticked ones, a quotation
entered by form and one uploaded as CSV, the comparison side by side and the award; a proposal
confirmed into a draft purchase order; over the minimal plant with three suppliers of tube."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from plantops.bootstrap import PlantOps, build
from plantops.config import Settings
from plantops.services import master_data
from plantops.services.access import add_user
from plantops.services.planning.problem import PlanRequest
from plantops.services.planning.runs import run_plan
from plantops.services.purchasing import orders, requisitions, rfqs
from plantops.vocabulary import PurchaseStatus, RequisitionStatus, RfqStatus
from plantops.web.app import create_web_app
from tests.services.minimal_plant import write_plant
from tests.services.test_sourcing import SUPPLIERS
from tests.web.conftest import PASSWORD, Login, screenshot, serving

TODAY = dt.date.today()
WIDE: ViewportSize = {"width": 1440, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlantOps]:
    """The minimal plant with suppliers S1 (rank 1) and S2 of tube, planned from this week; a buyer and a viewer."""
    folder = tmp_path_factory.mktemp("sourcing")
    ops = build(Settings(database_url=f"sqlite:///{folder / 'plantops.db'}"))
    ops.migrate()
    master_data.import_path(ops.uow(), write_plant(folder / "csv", SUPPLIERS), posted_by="t")
    run_plan(ops.uow(), PlanRequest(start=dt.date(2026, 11, 23), weeks=8), run_by="tester")
    add_user(ops.uow(), "buyer", roles=["buyer"], password=PASSWORD)
    add_user(ops.uow(), "viewer", roles=["viewer"], password=PASSWORD)
    yield ops
    ops.close()


@pytest.fixture(scope="module")
def base_url(plant: PlantOps) -> Iterator[str]:
    with serving(create_web_app(plant)) as url:
        yield url


def _phone_fits(page: Page) -> None:
    """On a phone the page is no wider than the screen: wide tables scroll inside their container."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a 390 px phone"


def test_requisitions_go_to_an_rfq_are_quoted_compared_and_awarded(
    page: Page, login: Login, plant: PlantOps, tmp_path: Path
) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    login("buyer", "/buy/requisitions")
    due = (TODAY + dt.timedelta(days=30)).isoformat()

    page.fill("#p-due_by", "2027-01-31")
    page.get_by_role("button", name="Requisition the plan's buys").click()
    expect(page.locator("#done")).to_contain_text("requisitions made from the plan's buys")
    from_plan = requisitions.requisitions(plant.uow()).requisitions
    assert from_plan and all(r.planned_order for r in from_plan)
    page.fill("#r-item", "TUBE")
    page.fill("#r-site", "P1")
    page.fill("#r-quantity", "-4")
    page.fill("#r-due_date", due)
    page.get_by_role("button", name="Create requisition").click()
    expect(page.locator("#e-r-quantity")).to_contain_text("greater than 0")
    page.fill("#r-quantity", "400")
    page.get_by_role("button", name="Create requisition").click()
    expect(page.locator("#done")).to_contain_text("created")
    by_hand = [r for r in requisitions.requisitions(plant.uow()).requisitions if r.planned_order is None]
    [mine] = by_hand
    page.set_viewport_size(WIDE)
    screenshot(page, "sourcing_requisitions")

    page.check(f"input[name=selected][value='{mine.number}']")
    page.check(f"input[name=selected][value='{from_plan[0].number}']")
    page.fill("#q-suppliers", "S1")
    page.get_by_role("button", name="Make an RFQ of the ticked").click()
    expect(page.locator("#e-q-suppliers")).to_contain_text("at least 2 suppliers")
    page.check(f"input[name=selected][value='{mine.number}']")
    page.check(f"input[name=selected][value='{from_plan[0].number}']")
    page.fill("#q-suppliers", "S1, S2, S3")
    page.get_by_role("button", name="Make an RFQ of the ticked").click()
    expect(page).to_have_url(re.compile(r"/buy/rfqs/RFQ-000001\?created=1$"))
    expect(page.locator("#comparison")).to_contain_text("no quotation")

    valid = (TODAY + dt.timedelta(days=20)).isoformat()
    page.select_option("#qf-supplier", "S1")
    page.fill("#qf-valid_until", valid)
    page.fill("#qf-freight", "50")
    page.fill("#qf-unit_price_1", "2.6")
    page.fill("#qf-lead_time_days_1", "abc")
    page.get_by_role("button", name="Enter quotation").click()
    expect(page.locator("#quote-error")).to_contain_text("Lead time (days)")
    assert rfqs.rfq(plant.uow(), "RFQ-000001").quotations == []
    page.fill("#qf-lead_time_days_1", "14")
    page.fill("#qf-unit_price_2", "2.4")
    page.fill("#qf-min_quantity_2", "0")
    page.fill("#qf-lead_time_days_2", "14")
    page.get_by_role("button", name="Enter quotation").click()
    expect(page.locator("#done")).to_contain_text("Quotation of S1 entered")

    header = "supplier,line,min_quantity,unit_price,lead_time_days,valid_until,freight\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(header + f"S2,1,0,cheap,10,{valid},0\n")
    page.set_input_files("#upload-file", str(bad))
    page.get_by_role("button", name="Upload quotations").click()
    expect(page.locator("#upload-error")).to_contain_text("bad.csv row 2: unit_price")
    good = tmp_path / "s2.csv"
    good.write_text(header + f"S2,1,0,2.5,10,{valid},0\nS2,1,10000,1,10,{valid},0\n")
    page.set_input_files("#upload-file", str(good))
    page.get_by_role("button", name="Upload quotations").click()
    expect(page.locator("#done")).to_contain_text("Quotations entered")

    table = page.locator("#comparison")
    expect(table.locator("tbody tr[data-line='1'] td[data-supplier='S2']")).to_contain_text("cheapest")
    expect(table.locator("tbody tr[data-line='2'] td[data-supplier='S2']")).to_contain_text("no quote")
    expect(page.locator("#landed-cost td[data-supplier='S1']")).to_contain_text("cheapest overall")
    page.set_viewport_size(WIDE)
    screenshot(page, "sourcing_rfq_comparison")
    page.set_viewport_size(PHONE)
    screenshot(page, "sourcing_rfq_comparison_phone")
    _phone_fits(page)
    page.set_viewport_size(WIDE)

    page.select_option("#award-line-2", "S1")
    page.select_option("#award-line-1", "S2")
    page.get_by_role("button", name="Award line by line").click()

    expect(page.locator("#rfq-status")).to_contain_text("awarded")
    expect(page.locator("#awarded-as")).to_contain_text("PO-")
    found = rfqs.rfq(plant.uow(), "RFQ-000001")
    assert found.status is RfqStatus.AWARDED and len(found.purchase_orders) == 2
    suppliers = {orders.purchase_order(plant.uow(), n).supplier for n in found.purchase_orders}
    assert suppliers == {"S1", "S2"}
    assert all(orders.purchase_order(plant.uow(), n).status is PurchaseStatus.DRAFT for n in found.purchase_orders)
    assert requisitions.requisition(plant.uow(), mine.number).status is RequisitionStatus.ORDERED
    screenshot(page, "sourcing_rfq_awarded")


def test_a_proposal_is_confirmed_into_a_draft_purchase_order(page: Page, login: Login, plant: PlantOps) -> None:
    due = TODAY + dt.timedelta(days=60)
    made = [
        requisitions.create_requisition(plant.uow(), item="TUBE", site="P1", quantity=Decimal(q), due_date=due).number
        for q in (300, 1200)
    ]
    week = requisitions.iso_week(due)
    login("buyer", "/buy/proposals")

    card = page.locator(f"#proposal-S1-P1-{week}")
    expect(card).to_contain_text(made[0])
    page.set_viewport_size(WIDE)
    screenshot(page, "sourcing_proposals")
    page.set_viewport_size(PHONE)
    screenshot(page, "sourcing_proposals_phone")
    _phone_fits(page)
    card.get_by_role("button", name="Confirm as a purchase order").click()

    expect(page.locator("#done")).to_contain_text("(draft) made of 2 requisitions")
    ordered = requisitions.requisition(plant.uow(), made[1])
    assert ordered.status is RequisitionStatus.ORDERED and ordered.purchase_order is not None
    assert orders.purchase_order(plant.uow(), ordered.purchase_order).lines[1].unit_price == Decimal("2.4")


def test_a_viewer_reads_an_rfq_but_gets_no_forms(page: Page, login: Login, plant: PlantOps) -> None:
    number = requisitions.create_requisition(
        plant.uow(), item="TUBE", site="P1", quantity=Decimal(5), due_date=TODAY + dt.timedelta(days=9)
    ).number
    rfq = rfqs.create_rfq(plant.uow(), suppliers=["S1", "S2"], requisitions=[number], today=TODAY).number
    login("viewer", f"/buy/rfqs/{rfq}")

    expect(page.locator("#comparison")).to_contain_text("TUBE")
    expect(page.locator("#quotation-form")).to_have_count(0)
    expect(page.get_by_role("button", name="Award line by line")).to_have_count(0)
    page.goto("/buy/requisitions")
    expect(page.locator("#requisitions")).to_contain_text(number)
    expect(page.locator("#requisition-form")).to_have_count(0)
