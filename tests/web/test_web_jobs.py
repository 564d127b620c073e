"""The Jobs page in Chromium: a plan started from the MRP page listed with its outcome, a job running
elsewhere asked to stop, and a recurring job refused beside its field, declared and removed."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from plantops.bootstrap import PlantOps
from plantops.jobs.kinds import KINDS
from plantops.services.access import job_schedules, jobs
from plantops.services.planning.problem import PlanRequest
from tests.web.conftest import Login, screenshot

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_a_plan_started_from_the_mrp_page_is_listed_with_its_outcome(page: Page, login: Login) -> None:
    login("planner", "/mrp")
    page.get_by_role("button", name="Run plan").click()
    expect(page.locator("#plan-run[data-state=succeeded]")).to_be_visible(timeout=60_000)

    page.goto("/jobs?kind=plan&status=succeeded")

    first = page.locator("#jobs tbody tr").first
    expect(first).to_contain_text("succeeded")
    expect(first).to_contain_text("planner")


def test_a_job_running_on_another_worker_is_asked_to_stop_from_the_page(
    page: Page, login: Login, plant: PlantOps
) -> None:
    request = KINDS["plan"].written(PlanRequest(start=dt.date.today(), weeks=8))
    number = jobs.submit_job(plant.uow(), kind="plan", request=request, submitted_by="planner", steps_total=3).number
    jobs.claim_job(plant.uow(), number, "plant-server-2:4242/worker")  # a worker on another machine runs it
    login("planner", "/jobs?status=running")
    page.once("dialog", lambda dialog: dialog.accept())

    page.locator("#jobs tbody tr", has_text=number).get_by_role("button", name="Cancel").click()

    expect(page.locator("#job-notice")).to_contain_text(f"{number} asked to stop at its next step")
    assert jobs.get_job(plant.uow(), number).cancel_requested
    expect(page.locator("#jobs tbody tr", has_text=number).get_by_role("button", name="Cancel")).to_have_count(0)


def test_a_viewer_sees_the_jobs_but_no_cancel_button(page: Page, login: Login, plant: PlantOps) -> None:
    request = KINDS["plan"].written(PlanRequest(start=dt.date.today(), weeks=8))
    number = jobs.submit_job(plant.uow(), kind="plan", request=request, submitted_by="planner", steps_total=3).number
    jobs.claim_job(plant.uow(), number, "plant-server-2:4242/worker")
    login("viewer", "/jobs?status=running")

    expect(page.locator("#jobs tbody tr", has_text=number)).to_be_visible()
    expect(page.get_by_role("button", name="Cancel")).to_have_count(0)
    expect(page.locator("#schedule-form")).to_be_visible()  # declaring is refused by kind, not hidden


def test_a_recurring_job_is_refused_beside_its_field_then_declared_and_removed(
    page: Page, login: Login, plant: PlantOps
) -> None:
    login("planner", "/jobs")
    page.fill("#s-name", "nightly-plan")
    page.fill("#s-cron", "0 2 * *")
    page.fill("#s-timezone", "Europe/Berlin")
    page.fill("#s-request", '{"weeks": 26}')
    page.get_by_role("button", name="Declare").click()

    expect(page.locator("#s-cron")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field.invalid")).to_contain_text("not a cron expression of five fields")
    assert job_schedules.list_schedules(plant.uow()) == []
    page.fill("#s-cron", "0 2 * * *")
    page.fill("#s-request", '{"weeks": 0}')
    page.get_by_role("button", name="Declare").click()
    expect(page.locator(".field.invalid")).to_contain_text("weeks: must be at least 1")

    page.fill("#s-request", '{"weeks": 26}')
    page.get_by_role("button", name="Declare").click()

    expect(page.locator("#job-notice")).to_contain_text("nightly-plan declared")
    [declared] = job_schedules.list_schedules(plant.uow())
    assert (declared.kind, declared.timezone, declared.run_as, declared.request) == (
        "plan",
        "Europe/Berlin",
        "planner",
        {"weeks": 26},
    )
    expect(page.get_by_role("cell", name="nightly-plan")).to_be_visible()
    for size, name in ((DESKTOP, "jobs"), (PHONE, "jobs-phone")):
        page.set_viewport_size(size)
        screenshot(page, name)
    page.set_viewport_size(DESKTOP)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("cell", name="nightly-plan")).to_have_count(0)
    assert job_schedules.list_schedules(plant.uow()) == []
