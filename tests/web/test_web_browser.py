"""A planner, an operator and a viewer walk the demo plant in Chromium."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from playwright.sync_api import Page, expect

from plantops.bootstrap import PlantOps
from plantops.services.access.audit import audit_trail
from plantops.services.access.jobs import list_jobs
from plantops.services.inventory.balances import on_hand
from plantops.services.inventory.stock import StockLine, Who, produce
from plantops.services.inventory.valuation import value_inventory
from plantops.services.planning import queries
from plantops.vocabulary import JobStatus, PlanExceptionKind, Procurement
from plantops.web.pages.dashboard import LATE_SHOWN
from plantops.web.templating import money
from tests.web.conftest import Login, screenshot


def _on_hand(plant: PlantOps, item: str, location: str) -> Decimal:
    return sum((b.on_hand for b in on_hand(plant.uow(), item=item, location=location)), Decimal(0))


def test_a_page_without_a_session_asks_to_log_in_and_a_wrong_password_is_refused(page: Page, login: Login) -> None:
    page.goto("/stock")
    expect(page).to_have_url(re.compile(r"/login\?next=/stock$"))

    page.fill("#username", "planner")
    page.fill("#password", "not the password")
    page.click("button[type=submit]")

    expect(page.get_by_role("alert")).to_have_text("unknown user or wrong password")
    screenshot(page, "login")
    login("planner", "/login?next=/stock")
    expect(page).to_have_url(re.compile(r"/stock$"))


def test_dashboard_shows_stock_value_late_demand_and_charts(page: Page, login: Login, plant: PlantOps) -> None:
    login("planner")

    value = value_inventory(plant.uow(), as_of=dt.datetime.now(dt.UTC)).total_value
    _, exceptions = queries.plan_exceptions(plant.uow(), kind=PlanExceptionKind.LATE_DEMAND)
    expect(page.locator("#kpi-stock-value .value")).to_have_text(money(value))
    expect(page.locator("#late-demand tbody tr")).to_have_count(min(len(exceptions), LATE_SHOWN))
    expect(page.locator("#chart-exceptions canvas")).to_be_visible()
    expect(page.locator("#chart-stock canvas")).to_be_visible()
    screenshot(page, "dashboard")


def test_items_filter_by_type_search_by_name_and_open_by_code(page: Page, login: Login) -> None:
    login("viewer", "/items")

    page.select_option("#items-item_type", "finished_good")
    page.get_by_role("button", name="Filter").click()

    types = page.locator("#items tbody tr td:nth-child(3)")
    expect(types.first).to_have_text("finished good")
    assert set(types.all_text_contents()) == {"finished good"}
    page.goto("/items")
    page.fill("#items-q", "city")
    page.get_by_role("button", name="Filter").click()
    codes = page.locator("#items tbody tr td:first-child")
    expect(codes.first).to_contain_text("CITY")
    assert all(
        "CITY" in code or "city" in name.lower()
        for code, name in zip(
            codes.all_text_contents(), page.locator("#items tbody tr td:nth-child(2)").all_text_contents(), strict=True
        )
    )
    page.fill("#i-code", "CREAM-RAW")
    page.get_by_role("button", name="Open", exact=True).click()
    expect(page).to_have_url(re.compile(r"/items/CREAM-RAW$"))


def test_item_page_shows_the_bom_tree_that_expands_and_collapses(page: Page, login: Login) -> None:
    login("planner", "/items/BIKE-CITY-M")
    nested = page.locator("#bom-trees details details").first

    page.get_by_role("button", name="Collapse all").click()
    expect(nested).not_to_have_attribute("open", "")
    expect(page.get_by_role("link", name="FRAME-CITY-M-W", exact=True)).to_be_hidden()
    page.get_by_role("button", name="Expand all").click()
    expect(page.get_by_role("link", name="FRAME-CITY-M-W", exact=True)).to_be_visible()
    expect(page.locator("text=Final assembly")).to_be_visible()
    screenshot(page, "item")

    page.goto("/items/CREAM-RAW")
    expect(page.locator("[data-outputs=BOM-SEPARATE]")).to_contain_text("co product SKIM-RAW")
    expect(page.locator("[data-outputs=BOM-SEPARATE]")).to_contain_text("by product SEP-SLUDGE")


def test_planner_runs_a_plan_and_watches_it_become_the_plan_in_force(page: Page, login: Login, plant: PlantOps) -> None:
    login("planner", "/mrp")
    before, _ = queries.planned_orders(plant.uow(), limit=1)

    page.fill("#p-weeks", "26")
    page.get_by_role("button", name="Run plan").click()

    done = page.locator("#plan-run .message.ok")
    expect(done).to_contain_text("is the plan in force", timeout=30_000)
    after, _ = queries.planned_orders(plant.uow(), limit=1)
    assert after != before
    expect(done).to_contain_text(after)
    expect(page.locator("#plan-number")).to_have_text(after)
    _, recorded = list_jobs(plant.uow(), kind="plan", submitted_by="planner", limit=1)
    assert recorded[0].status is JobStatus.SUCCEEDED and recorded[0].result["number"] == after
    screenshot(page, "mrp")


def test_planner_firms_and_releases_a_planned_order(page: Page, login: Login, plant: PlantOps) -> None:
    _, orders = queries.planned_orders(plant.uow(), kind=Procurement.MAKE)
    order = next(o for o in orders if o.status == "planned")
    login("planner", f"/mrp?item={order.item}&kind=make")
    row = page.locator(f"#order-{order.number}")

    row.get_by_role("button", name="Firm").click()
    expect(page.locator(f"#order-{order.number}")).to_have_attribute("data-status", "firm")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#order-{order.number}").get_by_role("button", name="Release").click()

    expect(page.locator(f"#order-{order.number}")).to_have_attribute("data-status", "released")
    expect(page.locator(f"#order-{order.number}")).to_contain_text(f"as WO-{order.number}")
    _, now = queries.planned_orders(plant.uow(), item=order.item)
    assert next(o for o in now if o.number == order.number).released_as == f"WO-{order.number}"
    changes = audit_trail(plant.uow(), record="planned_order", key=order.number).entries
    assert changes and {change.user for change in changes} == {"planner"}


def test_mrp_record_shows_the_time_phased_table_and_chart(page: Page, login: Login) -> None:
    login("viewer", "/mrp/items/BIKE-CITY-M")

    expect(page.locator("table.phased").first).to_contain_text("Projected on hand")
    expect(page.locator(".chart canvas").first).to_be_visible()
    screenshot(page, "mrp-record")


def test_operator_posts_a_receipt_and_sees_it_in_the_balances(page: Page, login: Login, plant: PlantOps) -> None:
    before = _on_hand(plant, "BELL", "BIKE-RAW")
    login("operator", "/stock?item=BELL")

    page.select_option("#f-action", "receive")
    page.fill("#f-item", "BELL")
    page.fill("#f-location", "BIKE-RAW")
    page.fill("#f-quantity", "25")
    page.fill("#f-document", "DN-4711")
    page.get_by_role("button", name="Post").click()

    expect(page.locator("#move-form .message.ok")).to_contain_text("receipt 25 BELL at BIKE-RAW")
    balance = page.locator("#balances tr[data-key='BELL/BIKE-RAW/'] td:nth-child(6)")  # on hand
    expect(balance).to_have_text(f"{before + 25:,f}".rstrip("0").rstrip("."))
    assert _on_hand(plant, "BELL", "BIKE-RAW") == before + 25
    newest = page.locator("#posting-list tbody tr").first
    expect(newest).to_contain_text("DN-4711")
    expect(newest).to_contain_text("operator")
    page.fill("#m-item", "BELL")
    page.select_option("#m-type", "receipt")
    page.locator("#moves").get_by_role("button", name="Filter").click()
    received = page.locator("#move-list tbody tr").first
    expect(received).to_contain_text("DN-4711")
    expect(received).to_contain_text("BIKE-RAW")
    items = page.locator("#move-list tbody tr td:nth-child(4)")
    expect(items.filter(has_not_text=re.compile(r"^BELL$"))).to_have_count(0)  # the filtered list has come
    assert set(items.all_text_contents()) == {"BELL"}
    screenshot(page, "stock")
    page.fill("#p-user", "nobody")
    page.locator("#postings").get_by_role("button", name="Filter").click()
    expect(page.locator("#posting-list")).to_contain_text("No postings match.")


def test_a_move_the_ledger_refuses_shows_its_error_beside_the_field_and_posts_nothing(
    page: Page, login: Login, plant: PlantOps
) -> None:
    before = _on_hand(plant, "BELL", "BIKE-RAW")
    login("operator", "/stock")

    page.select_option("#f-action", "issue")
    page.fill("#f-item", "BELL")
    page.fill("#f-location", "BIKE-RAW")
    page.fill("#f-quantity", "99999999")
    page.get_by_role("button", name="Post").click()

    error = page.locator("#e-f-quantity")
    expect(error).to_contain_text("99999999 requested but only")
    expect(page.locator("#f-quantity")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "stock-refused")

    page.fill("#f-quantity", "5")
    page.fill("#f-location", "NO-SUCH-PLACE")
    page.get_by_role("button", name="Post").click()
    expect(page.locator("#e-f-location")).to_have_text("unknown location 'NO-SUCH-PLACE'")
    assert _on_hand(plant, "BELL", "BIKE-RAW") == before


def test_a_viewer_reads_but_cannot_post_or_plan(page: Page, login: Login, plant: PlantOps) -> None:
    before = _on_hand(plant, "BELL", "BIKE-RAW")
    login("viewer", "/mrp")
    expect(page.locator("#plan-form")).to_have_count(0)
    expect(page.get_by_role("button", name="Release")).to_have_count(0)

    page.goto("/stock")
    expect(page.locator("#move-form")).to_have_count(0)
    expect(page.get_by_text("post stock; your roles (viewer) let you read it")).to_be_visible()
    token = page.locator("meta[name=csrf-token]").get_attribute("content") or ""
    refused = page.request.post(
        "/stock/moves",
        form={"action": "receive", "item": "BELL", "location": "BIKE-RAW", "quantity": "1"},
        headers={"X-CSRF-Token": token},
    )

    assert refused.status == 403 and "your roles do not allow this (post stock)" in refused.text()
    assert _on_hand(plant, "BELL", "BIKE-RAW") == before


def test_a_lot_shows_the_lots_it_was_made_from_and_went_into(page: Page, login: Login, plant: PlantOps) -> None:
    cream = next(b for b in on_hand(plant.uow(), item="CREAM-RAW") if b.lot)
    produce(
        plant.uow(),
        [StockLine("CREAM-RAW", cream.location, Decimal(10), cream.lot)],
        [StockLine("CREAM-PAST", cream.location, Decimal(10), "PAST-T1", expiry=dt.date.today())],
        Who("tester", "WO-T1"),
    )
    login("viewer", "/stock?item=CREAM-PAST")

    page.locator("#balances a", has_text="PAST-T1").click()

    card = page.locator("#genealogy-card")
    expect(card).to_contain_text("Genealogy of CREAM-PAST lot PAST-T1")
    expect(card.locator(".tree").first).to_contain_text(f"CREAM-RAW lot {cream.lot}")
    expect(page).to_have_url(re.compile(r"/records/lots/by-key\?part=CREAM-PAST&part=PAST-T1$"))  # the lot's page
    page.goto("/stock?item=CREAM-RAW")
    page.locator(f"#lots tr[data-item=CREAM-RAW][data-lot='{cream.lot}']").get_by_role("button", name="Trace").click()
    expect(card).to_contain_text(f"Genealogy of CREAM-RAW lot {cream.lot}")
    expect(card.locator(".tree").last).to_contain_text("CREAM-PAST lot PAST-T1")


def test_planner_reads_an_items_forecast_and_overrides_a_week_with_a_reason(
    page: Page, login: Login, forecast_version: str
) -> None:
    login("planner", "/forecast/BIKE-CITY-M")
    card = page.locator(".card[id^=series-]").first

    expect(card).to_contain_text(forecast_version)
    expect(card.locator(".chart canvas")).to_be_visible()
    card.locator("select[name=week]").select_option(index=2)
    week = card.locator("select[name=week]").input_value()
    card.locator("input[name=quantity]").fill("44")
    card.get_by_role("button", name="Override").click()

    card = page.locator(".card[id^=series-]").first
    expect(card.locator(".field.invalid [role=alert]")).to_have_text("say why (it is kept with the change)")
    expect(card.locator("input[name=reason]")).to_have_attribute("aria-invalid", "true")
    card.locator("input[name=quantity]").fill("44")
    card.locator("select[name=week]").select_option(week)
    card.locator("input[name=reason]").fill("trade fair order expected")
    card.get_by_role("button", name="Override").click()

    card = page.locator(".card[id^=series-]").first
    expect(card.locator("table.overrides")).to_contain_text("trade fair order expected")
    expect(card.locator("table.overrides")).to_contain_text(week)
    screenshot(page, "forecast")


def test_planner_schedules_reads_the_gantt_and_reschedules_around_a_machine_down(
    page: Page, login: Login, plant: PlantOps
) -> None:
    login("planner", "/schedule")
    page.fill("#s-weeks", "2")
    page.fill("#s-time_limit", "3")
    page.get_by_role("button", name="Schedule", exact=True).click()

    done = page.locator("#schedule-run .message.ok")
    expect(done).to_contain_text("is the schedule in force", timeout=60_000)
    number = page.locator("#schedule-number")
    expect(number).to_have_text(re.compile(r"SCH-\d+"))
    first = number.inner_text()
    expect(done).to_contain_text(first)
    expect(page.locator(".chart.gantt canvas")).to_have_count(1)  # ECharts drew the Gantt
    screenshot(page, "schedule")

    tomorrow = dt.date.today() + dt.timedelta(days=1)
    page.select_option("#d-work_center", "WC-WELD")
    page.fill("#d-from", f"{tomorrow}T06:00")
    page.fill("#d-to", f"{tomorrow}T12:00")
    page.fill("#d-reason", "torch broke")
    page.fill("#d-time_limit", "3")
    page.get_by_role("button", name="Reschedule around it").click()

    repaired = page.locator("#schedule-run .message.ok")
    expect(repaired).to_contain_text("repair", timeout=60_000)
    expect(number).not_to_have_text(first)
    assert number.inner_text() in repaired.inner_text()

    page.goto("/schedule?view=orders")
    expect(page.locator(".chart.gantt canvas")).to_have_count(1)
    screenshot(page, "schedule-orders")
