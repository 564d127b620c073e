"""Purchasing in Chromium: a buyer orders, approves, sends and confirms; goods are received in two parts
on a phone by scanning the line's label; the invoice is matched and approved for payment, and the
supplier's scorecard scores this month. Refusals are shown beside their field: more than the line's
tolerance on the receiving page, an approval above the buyer's limit. Over the minimal plant with
S1 delivering tube (5 % over-receipt tolerance) and buyers approving up to 2,000."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from plantops.bootstrap import PlantOps, build
from plantops.config import Settings
from plantops.services import master_data
from plantops.services.access import add_user
from plantops.services.purchasing import invoices, lifecycle, orders
from plantops.services.purchasing.orders import PurchaseLine
from plantops.vocabulary import InvoiceStatus, PurchaseStatus, Role
from plantops.web.app import create_web_app
from plantops.web.pages.purchasing import ORDERS
from tests.services.minimal_plant import write_plant
from tests.services.test_purchasing import PURCHASING
from tests.web.conftest import PASSWORD, Login, screenshot, serving
from tests.web.test_web_accessibility import AXE, RUN_AXE

TODAY = dt.date.today()
WIDE, PHONE = ViewportSize(width=1440, height=900), ViewportSize(width=390, height=844)
#: The smallest height of a field or button a thumb hits on the receiving page (WCAG 2.5.5).
THUMB = 44


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlantOps]:
    """The minimal plant with S1's tube (2.6 a kg, 5 % over-receipt); a buyer who also receives goods."""
    folder = tmp_path_factory.mktemp("purchasing")
    ops = build(Settings(database_url=f"sqlite:///{folder / 'plantops.db'}"))
    ops.migrate()
    master_data.import_path(ops.uow(), write_plant(folder / "csv", PURCHASING), posted_by="t")
    add_user(ops.uow(), "buyer", roles=["buyer", "operator"], password=PASSWORD)
    yield ops
    ops.close()


@pytest.fixture(scope="module")
def base_url(plant: PlantOps) -> Iterator[str]:
    with serving(create_web_app(plant)) as url:
        yield url


def _sent(plant: PlantOps, quantity: str) -> str:
    """A tube order of ``quantity`` kg, approved and sent."""
    line = PurchaseLine("TUBE", Decimal(quantity), TODAY + dt.timedelta(days=7))
    number = orders.create_purchase_order(plant.uow(), supplier="S1", site="P1", lines=[line], today=TODAY).number
    lifecycle.approve(plant.uow(), number, frozenset({Role.ADMIN}))
    lifecycle.send(plant.uow(), number, now=dt.datetime.now(dt.UTC))
    return number


def _scan(page: Page, reference: str) -> None:
    """Type a scanned reference into the scan field and press Enter, as a scanner acting as a keyboard does."""
    page.locator("#scan").fill(reference)
    page.locator("#scan").press("Enter")
    page.wait_for_load_state("networkidle")


def _height(page: Page, selector: str) -> float:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    return float(box["height"])


def test_a_buyer_orders_receives_on_a_phone_in_two_parts_and_approves_the_invoice(
    page: Page, login: Login, plant: PlantOps
) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    login("buyer")
    page.get_by_text("Buy", exact=True).hover()
    page.get_by_role("link", name="Purchase orders").click()
    expect(page).to_have_url(re.compile(r"/buy/orders$"))
    page.fill("#po-supplier", "S1")
    page.fill("#po-site", "P1")
    page.fill("#po-item", "TUBE")
    page.fill("#po-quantity", "500")
    page.fill("#po-due_date", (TODAY + dt.timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Create draft order").click()

    expect(page).to_have_url(re.compile(r"/buy/orders/PO-\d+\?done=create$"))
    number = page.url.split("/buy/orders/")[1].split("?")[0]
    expect(page.locator("#order-status")).to_contain_text("draft")
    expect(page.locator("#order-total")).to_contain_text("1,300.00 EUR")  # 500 kg at S1's 2.6
    page.locator("#step-approve").click()
    expect(page.locator("#order-status")).to_contain_text("approved")
    page.locator("#step-send").click()
    expect(page.locator("#order-status")).to_contain_text("sent")
    # the supplier confirms yesterday: the line is due, so that the receipts score this month
    page.fill("#c-confirmed_date-1", (TODAY - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.locator("#order-status")).to_contain_text("confirmed")
    expect(page.locator("#purchase-lines tr[data-line='1'] td").nth(10)).to_have_text(
        (TODAY - dt.timedelta(days=1)).isoformat()
    )
    pdf = page.request.get(f"/buy/orders/{number}.pdf")
    csv_text = page.request.get(f"/buy/orders/{number}.csv").text()
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    assert csv_text.splitlines()[1].startswith(f"{number},1,")

    page.set_viewport_size(PHONE)
    page.goto("/buy/receive")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _scan(page, f"{number}/1")
    expect(page.locator("#rc-quantity")).to_have_value("500")
    expect(page.locator("#rc-location")).to_have_value("P1/FG")  # P1's first storage location
    for selector in ("#scan", "#rc-quantity", "#rc-location", "#rc-lot", "#rc-expiry", ".receive-button"):
        assert _height(page, selector) >= THUMB, f"{selector} is lower than {THUMB} px"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "purchasing-receive-line-phone")
    page.fill("#rc-quantity", "200")
    page.fill("#rc-location", "P1/RM")
    page.fill("#rc-lot", "L-9")
    page.get_by_role("button", name="Receive").click()
    expect(page.locator("#received")).to_contain_text(f"Received on {number}/1")
    expect(page.locator("#scan")).to_be_focused()  # ready for the next label

    _scan(page, f"{number}/1")
    expect(page.locator("#rc-quantity")).to_have_value("300")
    page.fill("#rc-location", "P1/RM")
    page.fill("#rc-lot", "L-9")
    page.get_by_role("button", name="Receive").click()
    expect(page.locator("#received")).to_contain_text(f"{number} has arrived in full")
    order = orders.purchase_order(plant.uow(), number)
    assert order.status is PurchaseStatus.RECEIVED and order.lines[0].received_quantity == 500
    assert [r.quantity for r in order.receipts] == [200, 300]

    page.set_viewport_size(WIDE)
    page.goto("/buy/invoices")
    page.fill("#inv-supplier", "S1")
    page.fill("#inv-number", "INV-1")
    page.fill("#inv-order-0", number)
    page.fill("#inv-line-0", "1")
    page.fill("#inv-quantity-0", "500")
    page.fill("#inv-unit_price-0", "2.6")
    page.get_by_role("button", name="Enter and match").click()
    expect(page).to_have_url(re.compile(r"/buy/invoices/S1/INV-1\?done=enter$"))
    expect(page.locator("#invoice-status")).to_contain_text("matched")
    page.get_by_role("button", name="Approve for payment").click()
    expect(page.locator("#invoice-status")).to_contain_text("approved for payment by buyer")
    assert invoices.invoice(plant.uow(), supplier="S1", number="INV-1").status is InvoiceStatus.APPROVED

    page.goto(f"/buy/orders/{number}")
    page.get_by_role("link", name="S1", exact=True).click()
    expect(page).to_have_url(re.compile(r"/buy/suppliers/S1$"))
    this_month = page.locator(f"#scorecard-months tr[data-month='{TODAY:%Y-%m}'] td.score")
    expect(this_month).to_have_text(re.compile(r"^\d+$"))
    expect(page.locator("#latest-score")).to_contain_text(f"in {TODAY:%B %Y}")


def test_every_purchasing_page_fits_a_phone_and_is_saved_as_a_screenshot(
    page: Page, login: Login, plant: PlantOps
) -> None:
    number = _sent(plant, "100")
    lifecycle.confirm(plant.uow(), number, {1: TODAY + dt.timedelta(days=5)})
    over = invoices.InvoiceLine(number, 1, Decimal("100"), Decimal("2.6"))
    invoices.enter_invoice(plant.uow(), supplier="S1", number="INV-EARLY", invoice_date=TODAY, lines=[over])
    login("buyer", "/buy/orders")
    pages = {
        "purchasing-invoice": "/buy/invoices/S1/INV-EARLY",
        "purchasing-orders": "/buy/orders",
        "purchasing-order": f"/buy/orders/{number}",
        "purchasing-receive": "/buy/receive",
        "purchasing-receive-order": f"/buy/receive/{number}",
        "purchasing-invoices": "/buy/invoices",
        "purchasing-supplier": "/buy/suppliers/S1",
    }
    for size, viewport in (("wide", WIDE), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        for name, path in pages.items():
            answer = page.goto(path)
            assert answer is not None and answer.ok, f"{path} answered {answer.status if answer else 'nothing'}"
            screenshot(page, f"{name}-{size}")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.goto("/buy/receive")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_more_than_the_tolerance_is_refused_beside_the_quantity_and_nothing_is_received(
    page: Page, login: Login, plant: PlantOps
) -> None:
    number = _sent(plant, "100")
    page.set_viewport_size(PHONE)
    login("buyer", "/buy/receive")
    _scan(page, f"{number}/1")
    page.fill("#rc-quantity", "106")  # 5 % over 100 is 105 at most
    page.fill("#rc-location", "P1/RM")
    page.fill("#rc-lot", "L-10")
    page.get_by_role("button", name="Receive").click()

    expect(page.locator("#e-rc-quantity")).to_contain_text("beyond its tolerance (at most 105 in all)")
    expect(page.locator("#rc-quantity")).to_have_value("106")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "purchasing-receive-refused-phone")
    assert orders.purchase_order(plant.uow(), number).lines[0].received_quantity == 0


def test_a_scan_of_another_orders_line_or_a_line_the_order_lacks_is_refused_beside_the_scan(
    page: Page, login: Login
) -> None:
    login("buyer", "/buy/receive")
    _scan(page, "PO-999999/1")
    expect(page.locator("#e-scan")).to_contain_text("PO-999999")
    expect(page.locator("#receive-form")).to_have_count(0)


def test_an_approval_above_the_buyers_limit_is_refused_beside_the_button(
    page: Page, login: Login, plant: PlantOps
) -> None:
    line = PurchaseLine("TUBE", Decimal("1200"), TODAY + dt.timedelta(days=7))  # 2,880 EUR at 2.4
    number = orders.create_purchase_order(plant.uow(), supplier="S1", site="P1", lines=[line], today=TODAY).number
    login("buyer", f"/buy/orders/{number}")
    page.locator("#step-approve").click()

    expect(page.locator("#step-error")).to_contain_text("above your approval limit of 2,000.00")
    expect(page.locator("#order-status")).to_contain_text("draft")
    screenshot(page, "purchasing-approval-refused-wide")
    assert orders.purchase_order(plant.uow(), number).status is PurchaseStatus.DRAFT


def test_the_receiving_page_has_no_critical_accessibility_violation(
    browser: Browser, base_url: str, plant: PlantOps, tmp_path: Path
) -> None:
    number = _sent(plant, "10")
    context = browser.new_context(viewport=PHONE, base_url=base_url, bypass_csp=True)  # to let axe-core in
    tab = context.new_page()
    tab.goto("/login?next=/buy/receive")
    tab.fill("#username", "buyer")
    tab.fill("#password", PASSWORD)
    tab.click("button[type=submit]")
    tab.goto(f"/buy/receive?scan={number}/1")
    tab.wait_for_load_state("networkidle")
    tab.add_script_tag(path=str(AXE))
    violations = tab.evaluate(RUN_AXE)
    context.close()
    assert not [v for v in violations if v["impact"] == "critical"], violations


def test_an_invoice_for_goods_not_received_says_why_and_its_payment_is_refused(
    page: Page, login: Login, plant: PlantOps
) -> None:
    number = _sent(plant, "50")
    early = invoices.InvoiceLine(number, 1, Decimal("50"), Decimal("2.6"))
    invoices.enter_invoice(plant.uow(), supplier="S1", number="INV-NONE", invoice_date=TODAY, lines=[early])
    login("buyer", "/buy/invoices/S1/INV-NONE")
    expect(page.locator("#invoice-status")).to_contain_text("blocked")
    expect(page.locator("#invoice-lines tr[data-line='1'] .problem")).to_contain_text("received")
    page.get_by_role("button", name="Approve for payment").click()

    expect(page.locator("#invoice-refused")).to_contain_text("line 1")
    assert invoices.invoice(plant.uow(), supplier="S1", number="INV-NONE").status is InvoiceStatus.BLOCKED


def test_a_sent_order_is_revised_with_its_reason_and_received_goods_go_back_with_a_debit_note(
    page: Page, login: Login, plant: PlantOps
) -> None:
    number = _sent(plant, "100")
    page.on("dialog", lambda dialog: dialog.accept())
    login("buyer", f"/buy/orders/{number}")
    page.fill("#r-quantity-1", "120")
    page.get_by_role("button", name="Revise").click()
    expect(page.locator("#e-r-reason")).to_be_visible()  # once sent, a revision needs its reason
    page.fill("#r-quantity-1", "120")
    page.fill("#r-reason", "more for the spring run")
    page.get_by_role("button", name="Revise").click()
    expect(page.locator("#order-status")).to_contain_text("revision 2")
    expect(page.locator("#purchase-revisions")).to_contain_text("more for the spring run")

    page.goto(f"/buy/receive?scan={number}/1")
    page.fill("#rc-location", "P1/RM")
    page.fill("#rc-lot", "L-RET")
    page.get_by_role("button", name="Receive").click()
    page.goto(f"/buy/orders/{number}")
    page.fill("#ret-line", "1")
    page.fill("#ret-quantity", "20")
    page.fill("#ret-location", "P1/RM")
    page.fill("#ret-lot", "L-RET")
    page.fill("#ret-reason", "rusty")
    page.get_by_role("button", name="Return").click()

    expect(page.locator("#done")).to_contain_text("Returned to the supplier")
    expect(page.locator("#purchase-receipts tr.return")).to_contain_text(f"DN-{number}-1")
    line = orders.purchase_order(plant.uow(), number).lines[0]
    assert (line.quantity, line.received_quantity, line.returned_quantity) == (Decimal(120), Decimal(100), Decimal(20))


def test_every_column_the_order_list_offers_to_sort_by_is_one_the_service_sorts_by() -> None:
    sortable = [column.name for column in ORDERS.columns if column.sortable]
    assert set(sortable) <= set(orders.PURCHASE_SORTS), set(sortable) - set(orders.PURCHASE_SORTS)
