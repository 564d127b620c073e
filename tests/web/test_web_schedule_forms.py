"""Reporting a disruption or a rush order: bad input is refused before any run starts, beside
its own field, in the words of the form's labels, with what was typed kept."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from plantops.bootstrap import PlantOps
from plantops.services.access.jobs import list_jobs
from plantops.services.planning.queries import plan_exceptions
from plantops.services.scheduling.runs import ScheduleRequest, schedule_work
from tests.web.conftest import Login, screenshot, sign_in


@pytest.fixture(scope="module")
def scheduled(plant: PlantOps) -> str:
    """A schedule in force for the repairs to start from."""
    request = ScheduleRequest(horizon_start=dt.datetime.now(dt.UTC), weeks=1, time_limit_s=1.0)
    return schedule_work(plant.uow(), request, run_by="tester").number


def _runs(plant: PlantOps, kind: str) -> int:
    total, _ = list_jobs(plant.uow(), kind=kind, limit=1)
    return total


def _error_of(answer_text: str, element_id: str) -> str:
    """The text of the error element ``element_id`` in a page or fragment."""
    start = answer_text.index(f'id="{element_id}"')
    return html.unescape(answer_text[answer_text.index(">", start) + 1 : answer_text.index("</div>", start)])


@pytest.mark.parametrize(
    ("typed", "field", "error"),
    [
        ({"item": "NO-SUCH-ITEM", "quantity": "5"}, "item", "unknown item 'NO-SUCH-ITEM'"),
        ({"item": "BIKE-CITY-M", "quantity": "-5"}, "quantity", "must be greater than 0, got -5"),
        ({"item": "BIKE-CITY-M", "quantity": "five"}, "quantity", "'five' is not a number"),
        ({"item": "BIKE-CITY-M", "quantity": "5", "due": "2020-01-01"}, "due", "2020-01-01 is in the past"),
        ({"item": "BIKE-CITY-M", "quantity": "5", "time_limit": "700"}, "time_limit", "at most 600 seconds"),
    ],
)
def test_a_rush_order_is_refused_beside_its_field_before_any_run_starts(
    web: TestClient, plant: PlantOps, scheduled: str, typed: dict[str, str], field: str, error: str
) -> None:
    token = sign_in(web, "planner")
    before = _runs(plant, "schedule")
    due = str(dt.date.today() + dt.timedelta(days=7))

    answer = web.post(
        "/schedule/rush-orders",
        data={"due": due, "time_limit": "3"} | typed,
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )

    assert answer.status_code == 200, answer.text
    assert answer.headers["HX-Retarget"] == "#rush-form"
    assert answer.text.lstrip().startswith('<form id="rush-form"') and " hidden" not in answer.text.split(">")[0]
    assert error in _error_of(answer.text, f"e-r-{field}")
    for name, value in typed.items():
        assert f'value="{value}"' in answer.text, f"{name} was not kept"
    assert _runs(plant, "schedule") == before


def test_a_disruption_that_ends_before_it_starts_is_refused_under_until(
    web: TestClient, plant: PlantOps, scheduled: str
) -> None:
    token = sign_in(web, "planner")
    before = _runs(plant, "schedule")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    typed = {"work_center": "WC-WELD", "from": f"{tomorrow}T12:00", "to": f"{tomorrow}T06:00", "reason": "torch"}

    answer = web.post("/schedule/disruptions", data=typed, headers={"X-CSRF-Token": token, "HX-Request": "true"})

    assert answer.headers["HX-Retarget"] == "#down-form"
    assert "is not after" in _error_of(answer.text, "e-d-to")
    assert f'value="{tomorrow}T12:00"' in answer.text and 'value="torch"' in answer.text
    assert '<option value="WC-WELD" selected' in answer.text
    assert _runs(plant, "schedule") == before


def test_a_disruption_searching_longer_than_the_bound_is_refused_beside_search_for(
    web: TestClient, plant: PlantOps, scheduled: str
) -> None:
    token = sign_in(web, "planner")
    before = _runs(plant, "schedule")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    typed = {"work_center": "WC-WELD", "from": f"{tomorrow}T06:00", "to": f"{tomorrow}T08:00", "time_limit": "700"}

    answer = web.post("/schedule/disruptions", data=typed, headers={"X-CSRF-Token": token, "HX-Request": "true"})

    assert "at most 600 seconds, got 700" in _error_of(answer.text, "e-d-time_limit")
    assert _runs(plant, "schedule") == before


def test_an_unknown_work_center_is_refused_beside_its_field(web: TestClient, plant: PlantOps, scheduled: str) -> None:
    token = sign_in(web, "planner")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    typed = {"work_center": "WC-NONE", "from": f"{tomorrow}T06:00", "to": f"{tomorrow}T08:00"}

    answer = web.post("/schedule/disruptions", data=typed, headers={"X-CSRF-Token": token, "HX-Request": "true"})

    assert _error_of(answer.text, "e-d-work_center") == "unknown work center 'WC-NONE'"


def test_a_plan_whose_fences_cross_is_refused_in_the_words_of_the_form(web: TestClient, plant: PlantOps) -> None:
    token = sign_in(web, "planner")
    before = _runs(plant, "plan")
    in_force, _ = plan_exceptions(plant.uow(), limit=1)

    answer = web.post(
        "/mrp/runs",
        data={"weeks": "26", "frozen_weeks": "4", "slushy_weeks": "2"},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )

    assert answer.headers["HX-Retarget"] == "#plan-form"
    assert _error_of(answer.text, "e-p-slushy_weeks") == "the slushy fence cannot lie inside the frozen fence"
    assert 'value="4"' in answer.text and 'value="2"' in answer.text
    assert _runs(plant, "plan") == before
    assert plan_exceptions(plant.uow(), limit=1)[0] == in_force


@pytest.mark.parametrize(
    ("address", "typed", "kind", "target", "error_id", "error"),
    [
        (
            "/schedule/runs",
            {"weeks": "40", "time_limit": "3"},
            "schedule",
            "#schedule-form",
            "e-s-weeks",
            "must be 1 to 26",
        ),
        ("/schedule/runs", {"weeks": "2", "time_limit": "0"}, "schedule", "#schedule-form", "e-s-time_limit", "got 0"),
        (
            "/forecast/runs",
            {"horizon": "500", "publish": "yes"},
            "forecast",
            "#forecast-form",
            "e-fc-horizon",
            "got 500",
        ),
    ],
)
def test_a_run_the_checks_refuse_is_refused_beside_its_field_before_it_starts(
    web: TestClient,
    plant: PlantOps,
    address: str,
    typed: dict[str, str],
    kind: str,
    target: str,
    error_id: str,
    error: str,
) -> None:
    token = sign_in(web, "planner")
    before = _runs(plant, kind)

    answer = web.post(address, data=typed, headers={"X-CSRF-Token": token, "HX-Request": "true"})

    assert answer.headers["HX-Retarget"] == target
    assert error in _error_of(answer.text, error_id)
    assert all(f'value="{value}"' in answer.text for value in typed.values() if value != "yes")
    assert _runs(plant, kind) == before


def test_a_message_about_a_field_above_the_form_names_it_by_its_label() -> None:
    from plantops.errors import ValidationError
    from plantops.web.forms import place

    error = ValidationError("plan", "slushy_weeks", "the slushy fence cannot lie inside the frozen fence")

    assert place(error, {"weeks": "26"}, {"slushy_weeks": "Slushy fence (weeks)"}) == {
        "form": "Slushy fence (weeks): the slushy fence cannot lie inside the frozen fence"
    }


def test_in_the_browser_a_refused_rush_order_keeps_what_was_typed_and_shows_the_error_beside_it(
    page: Page, login: Login, plant: PlantOps, scheduled: str
) -> None:
    before = _runs(plant, "schedule")
    login("planner", "/schedule")
    page.get_by_role("link", name="Rush order").click()
    page.fill("#r-item", "NO-SUCH-ITEM")
    page.fill("#r-quantity", "12")
    page.fill("#r-due", str(dt.date.today() + dt.timedelta(days=5)))

    page.get_by_role("button", name="Release and reschedule").click()

    expect(page.locator("#rush-form #e-r-item")).to_have_text("unknown item 'NO-SUCH-ITEM'")
    expect(page.locator("#rush-form")).to_be_visible()
    expect(page.locator("#r-item")).to_have_value("NO-SUCH-ITEM")
    expect(page.locator("#r-quantity")).to_have_value("12")
    expect(page.locator("#schedule-run")).to_be_empty()
    screenshot(page, "schedule-rush-refused")
    assert _runs(plant, "schedule") == before
