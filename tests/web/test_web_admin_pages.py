"""Policies, cycle counts, production, reservations, reversals, valuation, the audit trail and users
in Chromium: each page's main action, a bad input shown beside its field that changes nothing, and a
viewer refused. Every page is saved as a screenshot on a desktop and on a phone."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from plantops.bootstrap import PlantOps
from plantops.errors import NotFoundError
from plantops.services.access import add_user, get_user, list_users
from plantops.services.access.audit import STOCK_POSTING, audit_trail
from plantops.services.inventory import counting, reservations
from plantops.services.inventory.balances import on_hand
from plantops.services.inventory.stock import StockLine, Who, receive
from plantops.services.inventory.valuation import value_inventory
from plantops.services.policy import queries as policy_queries
from plantops.services.policy.runs import PolicyRequest, compute_policies
from plantops.vocabulary import CountStatus, Role
from plantops.web.templating import money
from tests.web.conftest import PASSWORD, Login, screenshot, sign_in

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def both_sizes(page: Page, name: str) -> None:
    """Screenshots of the page on a desktop (``name``) and on a phone (``name-phone``)."""
    page.set_viewport_size(DESKTOP)
    screenshot(page, name)
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def _on_hand(plant: PlantOps, item: str, location: str, lot: str | None = None) -> Decimal:
    found = on_hand(plant.uow(), item=item, location=location)
    return sum((b.on_hand for b in found if lot is None or b.lot == lot), Decimal(0))


def _token(page: Page) -> str:
    return page.locator("meta[name=csrf-token]").get_attribute("content") or ""


@pytest.fixture(scope="module")
def admin(plant: PlantOps) -> str:
    """A user with the admin role (who alone manages users)."""
    try:
        get_user(plant.uow(), "admin")
    except NotFoundError:
        add_user(plant.uow(), "admin", roles=[Role.ADMIN], password=PASSWORD)
    return "admin"


@pytest.fixture(scope="module")
def policy_run(plant: PlantOps) -> Iterator[str]:
    """A policy run of the demo plant, made once for the tests that read one."""
    yield compute_policies(plant.uow(), PolicyRequest(today=dt.date.today()), computed_by="tester").number


# --- policies ---------------------------------------------------------------------------


def test_planner_computes_policies_reads_one_explained_and_applies_it(
    page: Page, login: Login, plant: PlantOps
) -> None:
    login("planner", "/policies")
    before = len(policy_queries.policy_runs(plant.uow()))

    page.fill("#r-service_level", "0.97")
    page.get_by_role("button", name="Compute").click()

    expect(page.locator("#computed")).to_contain_text("computed")
    runs = policy_queries.policy_runs(plant.uow())
    assert len(runs) == before + 1
    newest = runs[0]
    expect(page.locator("#run-header")).to_contain_text(newest.number)
    first_page = policy_queries.policy_page(plant.uow(), run=newest.number, sort=("-safety_stock",), limit=1)
    assert first_page.total > 0 and all(float(v.line.service_target) == 0.97 for v in first_page.lines)
    page.locator("#policies th a.sort", has_text="Safety stock").click()
    page.locator("#policies th a.sort", has_text="Safety stock").click()
    expect(page).to_have_url(re.compile(r"sort=-safety_stock"))
    top = first_page.lines[0]
    expect(page.locator("#policies tbody tr").first).to_have_attribute("data-key", f"{top.item}/{top.site}")
    both_sizes(page, "policies")

    page.locator("#policies tbody tr").first.get_by_role("link", name="Explain").click()
    expect(page.locator("h1")).to_contain_text(f"Policy of {top.item} at {top.site}")
    expect(page.locator("#explanation")).to_contain_text(f"Class {top.line.abc_class.value}{top.line.xyz_class.value}")
    expect(page.locator("#explanation")).to_contain_text("Applying writes safety stock")
    both_sizes(page, "policy-explained")

    page.goto("/policies")
    page.fill("#a-items", top.item)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Apply {newest.number}").click()
    expect(page.locator("#applied")).to_contain_text("1 item updated")
    applied = policy_queries.policy_page(plant.uow(), run=newest.number, applied=True)
    assert {v.item for v in applied.lines} == {top.item}


def test_a_service_level_out_of_range_is_shown_beside_it_and_computes_nothing(
    page: Page, login: Login, plant: PlantOps
) -> None:
    login("planner", "/policies")
    before = len(policy_queries.policy_runs(plant.uow()))

    page.fill("#r-service_level", "1.5")
    page.get_by_role("button", name="Compute").click()

    expect(page.locator("#e-r-service_level")).to_contain_text("must lie between 0 and 1")
    expect(page.locator("#r-service_level")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#r-service_level")).to_have_value("1.5")
    assert len(policy_queries.policy_runs(plant.uow())) == before
    screenshot(page, "policies-refused")


# --- cycle counts -----------------------------------------------------------------------


def test_operator_counts_a_list_on_a_phone_and_posts_the_difference(page: Page, login: Login, plant: PlantOps) -> None:
    login("operator", "/stock/counts")
    page.check("input[name=abc][value=A]")
    page.fill("#c-limit", "3")
    page.get_by_role("button", name="Make count list").click()

    expect(page).to_have_url(re.compile(r"/stock/counts/CC-\d+\?created=1$"))
    number = page.locator("h1").inner_text().removeprefix("Count list ")
    made = counting.read_count_list(plant.uow(), number)
    assert len(made.lines) == 3 and made.status is CountStatus.OPEN
    page.set_viewport_size(PHONE)
    inputs = page.locator(".count-line input")
    expect(inputs).to_have_count(3)
    expect(inputs.first).to_have_attribute("inputmode", "decimal")
    box = inputs.first.bounding_box()
    assert box is not None and box["height"] >= 44  # big enough for a thumb
    first = made.lines[0]
    before = _on_hand(plant, first.item, first.location, first.lot)
    for index, line in enumerate(made.lines):
        quantity = line.expected + (1 if index == 0 else 0)
        inputs.nth(index).fill(f"{quantity.normalize():f}")
    both_sizes(page, "count-sheet")
    page.set_viewport_size(PHONE)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Save and post").click()

    expect(page.locator("#posted")).to_contain_text("1 of 3 lines adjusted")
    assert counting.read_count_list(plant.uow(), number).status is CountStatus.POSTED
    assert _on_hand(plant, first.item, first.location, first.lot) == before + 1
    page.set_viewport_size(DESKTOP)
    page.goto("/stock/counts")
    listed = page.locator(f"#counts tbody tr[data-key='{number}']")
    expect(listed).to_contain_text("posted")
    expect(listed.get_by_role("link", name="Open")).to_have_attribute("href", f"/stock/counts/{number}")
    both_sizes(page, "counts")


def test_a_count_that_is_not_a_number_is_shown_beside_its_line_and_saves_nothing(
    page: Page, login: Login, plant: PlantOps
) -> None:
    made = counting.create_count_list(plant.uow(), today=dt.date.today(), limit=2, created_by="tester")
    login("operator", f"/stock/counts/{made.number}")

    page.fill("#counted-0", "5")
    page.fill("#counted-1", "12,x")
    page.get_by_role("button", name="Save counts").click()

    expect(page.locator("#e-counted-1")).to_contain_text("'12,x' is not a number")
    expect(page.locator("#counted-1")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#counted-0")).to_have_value("5")
    assert all(line.counted is None for line in counting.read_count_list(plant.uow(), made.number).lines)
    screenshot(page, "count-refused")


# --- production, reservations, reversals ------------------------------------------------


def test_operator_posts_production_with_a_co_product(page: Page, login: Login, plant: PlantOps) -> None:
    cream = next(b for b in on_hand(plant.uow(), item="CREAM-RAW") if b.lot and b.on_hand >= 10)
    sludge = _on_hand(plant, "SEP-SLUDGE", cream.location)
    login("operator", "/stock/produce")

    page.fill("#p-in-0-item", "CREAM-RAW")
    page.fill("#p-in-0-location", cream.location)
    page.fill("#p-in-0-lot", cream.lot or "")
    page.fill("#p-in-0-quantity", "10")
    page.fill("#p-out-0-item", "CREAM-PAST")
    page.fill("#p-out-0-location", cream.location)
    page.fill("#p-out-0-lot", "PAST-W1")
    page.fill("#p-out-0-quantity", "9")
    page.fill("#p-out-0-expiry", (dt.date.today() + dt.timedelta(days=4)).isoformat())
    page.fill("#p-out-1-item", "SEP-SLUDGE")
    page.fill("#p-out-1-location", cream.location)
    page.fill("#p-out-1-quantity", "1")
    page.fill("#p-document", "WO-W1")
    both_sizes(page, "produce")
    page.get_by_role("button", name="Post production").click()

    expect(page.locator("#produced")).to_contain_text("production output 9 CREAM-PAST")
    expect(page.locator("#produced")).to_contain_text("production output 1 SEP-SLUDGE")
    assert _on_hand(plant, "CREAM-RAW", cream.location, cream.lot) == cream.on_hand - 10
    assert _on_hand(plant, "CREAM-PAST", cream.location, "PAST-W1") == 9
    assert _on_hand(plant, "SEP-SLUDGE", cream.location) == sludge + 1


def test_production_with_an_unknown_component_is_shown_beside_it_and_posts_nothing(
    page: Page, login: Login, plant: PlantOps
) -> None:
    before = _on_hand(plant, "BELL", "BIKE-RAW")
    login("operator", "/stock/produce")

    page.fill("#p-in-0-item", "NO-SUCH-ITEM")
    page.fill("#p-in-0-location", "BIKE-RAW")
    page.fill("#p-in-0-quantity", "1")
    page.fill("#p-out-0-item", "BELL")
    page.fill("#p-out-0-location", "BIKE-RAW")
    page.fill("#p-out-0-quantity", "1")
    page.get_by_role("button", name="Post production").click()

    expect(page.locator("#e-p-in-0-item")).to_have_text("unknown item 'NO-SUCH-ITEM'")
    expect(page.locator("#p-out-0-item")).to_have_value("BELL")
    assert _on_hand(plant, "BELL", "BIKE-RAW") == before
    screenshot(page, "produce-refused")


def test_operator_reserves_finds_the_reservation_by_document_and_releases_it(
    page: Page, login: Login, plant: PlantOps
) -> None:
    login("operator", "/stock/reservations")
    page.fill("#r-item", "BELL")
    page.fill("#r-location", "BIKE-RAW")
    page.fill("#r-quantity", "3")
    page.fill("#r-document", "SO-W1")
    page.get_by_role("button", name="Reserve", exact=True).click()

    expect(page.locator("#reserved")).to_contain_text("3 BELL at BIKE-RAW")
    made = reservations.reservations_for(plant.uow(), "SO-W1")
    assert [(r.quantity, r.status.value) for r in made] == [(Decimal(3), "open")]
    page.fill("#reservations-document", "SO-W1")
    page.get_by_role("button", name="Filter").click()
    row = page.locator(f"#reservations tbody tr[data-key='{made[0].number}']")
    expect(row).to_contain_text("open")
    both_sizes(page, "reservations")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Release").click()

    expect(page.locator("#released")).to_contain_text(f"Released {made[0].number}")
    assert reservations.reservations_for(plant.uow(), "SO-W1")[0].status.value == "released"


def test_a_reservation_beyond_what_is_available_is_shown_beside_the_quantity(
    page: Page, login: Login, plant: PlantOps
) -> None:
    login("operator", "/stock/reservations")
    page.fill("#r-item", "BELL")
    page.fill("#r-location", "BIKE-RAW")
    page.fill("#r-quantity", "99999999")
    page.fill("#r-document", "SO-W2")
    page.get_by_role("button", name="Reserve", exact=True).click()

    expect(page.locator("#e-r-quantity")).to_contain_text("99999999 requested but only")
    assert reservations.reservations_for(plant.uow(), "SO-W2") == []


def test_operator_reverses_a_posting_with_a_reason_after_confirming(page: Page, login: Login, plant: PlantOps) -> None:
    before = _on_hand(plant, "BELL", "BIKE-RAW")
    posted = receive(plant.uow(), StockLine("BELL", "BIKE-RAW", Decimal(7)), Who("tester", "DN-W1"))
    login("operator", "/stock/reverse")
    page.goto(f"/stock/reverse?posting={posted.posting_id}")

    expect(page.locator("#v-posting")).to_have_value(str(posted.posting_id))
    page.fill("#v-reason", "received twice")
    both_sizes(page, "reverse")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Reverse").click()

    expect(page.locator("#reversed")).to_contain_text(f"Posting #{posted.posting_id} reversed")
    assert asked and "cannot be undone" in asked[0]
    assert _on_hand(plant, "BELL", "BIKE-RAW") == before


def test_a_reversal_without_a_reason_is_refused_beside_the_reason(page: Page, login: Login, plant: PlantOps) -> None:
    posted = receive(plant.uow(), StockLine("BELL", "BIKE-RAW", Decimal(2)), Who("tester", "DN-W2"))
    after_receipt = _on_hand(plant, "BELL", "BIKE-RAW")
    login("operator", "/stock/reverse")
    page.goto(f"/stock/reverse?posting={posted.posting_id}")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Reverse").click()

    expect(page.locator("#e-v-reason")).to_contain_text("say why the posting is reversed")
    assert _on_hand(plant, "BELL", "BIKE-RAW") == after_receipt


# --- valuation --------------------------------------------------------------------------


def test_valuation_as_of_a_day_lists_each_item_and_the_total(page: Page, login: Login, plant: PlantOps) -> None:
    day = dt.date.today()
    valued = value_inventory(plant.uow(), as_of=dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.UTC))
    login("viewer", "/stock/valuation")
    page.goto(f"/stock/valuation?as_of={day}")

    expect(page.locator("#valuation-total strong")).to_have_text(money(valued.total_value))
    expect(page.locator("#valuation-list .count")).to_contain_text(f"of {len(valued.items):,}")
    page.locator("#valuation th a.sort", has_text="Value").click()
    page.locator("#valuation th a.sort", has_text="Value").click()
    richest = max(valued.items.values(), key=lambda v: v.value)
    expect(page.locator("#valuation tbody tr").first).to_have_attribute("data-key", richest.item)
    expect(page).to_have_url(re.compile(rf"as_of={day}"))
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "valuation.csv"
    both_sizes(page, "valuation")


def test_a_valuation_date_that_cannot_be_read_is_shown_beside_it(page: Page, login: Login) -> None:
    login("viewer", "/stock/valuation")
    page.goto("/stock/valuation?as_of=2026-13-45")

    expect(page.locator("#e-v-as_of")).to_contain_text("'2026-13-45' is not a date")
    expect(page.locator("#valuation tbody tr")).to_have_count(1)  # the row that says nothing is here
    expect(page.locator("#valuation-total")).to_have_count(0)


# --- the audit trail --------------------------------------------------------------------


def test_the_audit_trail_filters_by_user_record_and_dates(
    page: Page, login: Login, plant: PlantOps, admin: str
) -> None:
    receive(plant.uow(), StockLine("BELL", "BIKE-RAW", Decimal(1)), Who("operator", "DN-W3"))
    login(admin, "/audit")
    page.fill("#audit-user", "operator")
    page.select_option("#audit-record", STOCK_POSTING)
    page.fill("#a-since", dt.date.today().isoformat())
    page.get_by_role("button", name="Filter").click()

    expected = audit_trail(
        plant.uow(),
        user="operator",
        record=STOCK_POSTING,
        since=dt.datetime.combine(dt.date.today(), dt.time(), dt.UTC),
    )
    expect(page.locator("#audit-list .count")).to_contain_text(f"of {expected.total:,}")
    whos = page.locator("#audit tbody tr td:nth-child(2)")
    expect(whos.first).to_have_text("operator")
    assert set(whos.all_text_contents()) == {"operator"}
    expect(page.locator("#audit tbody tr").first).to_contain_text("receipt 1 BELL at BIKE-RAW")
    both_sizes(page, "audit")


def test_an_audit_date_that_cannot_be_read_is_shown_beside_it(page: Page, login: Login, admin: str) -> None:
    login(admin, "/audit")
    page.goto("/audit?until=yesterday")

    expect(page.locator("#e-a-until")).to_contain_text("'yesterday' is not a date")
    expect(page.locator("#a-until")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#audit tbody tr")).to_have_count(1)  # the row that says nothing is here
    screenshot(page, "audit-refused")


# --- users ------------------------------------------------------------------------------


def test_admin_adds_a_user_changes_their_roles_and_deactivates_them(
    page: Page, login: Login, plant: PlantOps, admin: str
) -> None:
    login(admin, "/admin/users")
    page.fill("#u-username", "clerk")
    page.fill("#u-password", "clerk-password-1")
    page.locator("#u-roles input[value=operator]").check()
    page.get_by_role("button", name="Add user").click()

    expect(page).to_have_url(re.compile(r"/admin/users/clerk\?added=1$"))
    assert get_user(plant.uow(), "clerk").roles == (Role.OPERATOR,)
    page.locator("#r-roles input[value=operator]").uncheck()
    page.locator("#r-roles input[value=viewer]").check()
    page.locator("#r-roles input[value=quality]").check()
    page.get_by_role("button", name="Save roles").click()
    expect(page.locator("#done")).to_have_text("Roles saved.")
    assert set(get_user(plant.uow(), "clerk").roles) == {Role.VIEWER, Role.QUALITY}
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Deactivate").click()
    expect(page.locator("#account-state")).to_contain_text("closed")
    assert get_user(plant.uow(), "clerk").active is False
    both_sizes(page, "user")

    page.goto("/admin/users?q=clerk")
    expect(page.locator("#users tbody tr[data-key=clerk]")).to_contain_text("quality, viewer")
    assert "argon2" not in page.content()
    both_sizes(page, "users")


def test_a_bad_username_is_shown_beside_it_and_adds_no_one(
    page: Page, login: Login, plant: PlantOps, admin: str
) -> None:
    before = len(list_users(plant.uow()))
    login(admin, "/admin/users")
    page.fill("#u-username", "two words")
    page.locator("#u-roles input[value=viewer]").check()
    page.get_by_role("button", name="Add user").click()

    expect(page.locator("#e-u-username")).to_contain_text("1 to 64 letters")
    expect(page.locator("#u-roles input[value=viewer]")).to_be_checked()
    assert len(list_users(plant.uow())) == before
    screenshot(page, "users-refused")


# --- a viewer ---------------------------------------------------------------------------


def test_a_viewer_reads_but_every_change_here_is_refused(
    page: Page, login: Login, plant: PlantOps, policy_run: str
) -> None:
    login("viewer", "/policies")
    expect(page.locator("#policy-run-form")).to_have_count(0)
    page.goto("/stock/counts")
    expect(page.locator("#count-create-form")).to_have_count(0)
    page.goto("/admin/users")
    expect(page.locator("main")).to_contain_text("your roles do not allow this (manage users)")
    page.goto("/audit")
    expect(page.locator("main")).to_contain_text("your roles do not allow this (read audit)")
    token = _token(page)
    runs_before = len(policy_queries.policy_runs(plant.uow()))
    users_before = len(list_users(plant.uow()))
    bell = _on_hand(plant, "BELL", "BIKE-RAW")
    changes = {
        "/policies/run": ({"method": "reorder_point"}, "policy"),
        "/policies/apply": ({"run": policy_run}, "policy"),
        "/stock/counts": ({"limit": "1"}, "post stock"),
        "/stock/produce": ({"out-0-item": "BELL", "out-0-location": "BIKE-RAW", "out-0-quantity": "1"}, "post stock"),
        "/stock/reservations": (
            {"item": "BELL", "location": "BIKE-RAW", "quantity": "1", "document": "X"},
            "post stock",
        ),
        "/stock/reverse": ({"posting": "1", "reason": "x"}, "post stock"),
        "/admin/users": ({"username": "sneaky", "password": "sneaky-password", "roles": "admin"}, "manage users"),
        "/admin/users/viewer/roles": ({"roles": "admin"}, "manage users"),
        "/admin/users/planner/active": ({"active": "false"}, "manage users"),
    }
    for path, (form, permission) in changes.items():
        refused = page.request.post(path, form=form, headers={"X-CSRF-Token": token})
        assert refused.status == 403, path
        assert f"your roles do not allow this ({permission})" in refused.text(), path

    assert len(policy_queries.policy_runs(plant.uow())) == runs_before
    assert len(list_users(plant.uow())) == users_before
    assert get_user(plant.uow(), "viewer").roles == (Role.VIEWER,)
    assert get_user(plant.uow(), "planner").active
    assert _on_hand(plant, "BELL", "BIKE-RAW") == bell
    assert reservations.reservations_for(plant.uow(), "X") == []


# --- beyond every range -----------------------------------------------------------------


def test_numbers_and_days_beyond_any_range_are_refused_beside_their_fields(
    web: TestClient, plant: PlantOps, admin: str
) -> None:
    token = sign_in(web, "operator")
    for posting in ("1e400", "99999999999999999999"):
        answer = web.post("/stock/reverse", data={"posting": posting, "reason": "x", "csrf_token": token})
        assert answer.status_code == 400
        assert re.search(r'id="e-v-posting"[^>]*>[^<]*is not a posting number', answer.text), posting
    answer = web.get("/stock/valuation?as_of=9999-12-31")
    assert answer.status_code == 400
    assert re.search(r'id="e-v-as_of"[^>]*>must lie between 1900-01-01 and 2199-12-31', answer.text)
    sign_in(web, admin)
    answer = web.get("/audit?until=9999-12-31")
    assert answer.status_code == 400
    assert re.search(r'id="e-a-until"[^>]*>must lie between 1900-01-01 and 2199-12-31', answer.text)
