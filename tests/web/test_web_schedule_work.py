"""Working in the schedule in the browser: the Gantt chart shades each work center's non-working time
and downtimes and opens an order from its bar; dragging a bar moves its operation (the server pins it
and repairs the rest) and undo brings the schedule back; late orders say why; a work center's
dispatch list prints. Bad input is refused beside its field and changes nothing."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.sync_api import Page, expect

from plantops.bootstrap import PlantOps
from plantops.services.access.jobs import list_jobs
from plantops.services.scheduling import lateness, moves, queries
from plantops.services.scheduling.queries import OperationView
from plantops.services.scheduling.runs import ScheduleRequest, schedule_work
from tests.web.conftest import Login, screenshot, sign_in

CENTER = "WC-ASSY"
QUARTER = 15 * 60 * 1000


@pytest.fixture(scope="module")
def scheduled(plant: PlantOps) -> str:
    """A schedule of the demo plant in force, from now over two weeks."""
    request = ScheduleRequest(horizon_start=dt.datetime.now(dt.UTC), weeks=2, time_limit_s=2.0)
    return schedule_work(plant.uow(), request, run_by="tester").number


def _operations(plant: PlantOps, center: str = CENTER) -> list[OperationView]:
    return queries.sequences(plant.uow(), work_center=center)[0].operations


def _runs(plant: PlantOps) -> int:
    total, _ = list_jobs(plant.uow(), kind="schedule", limit=1)
    return total


def _gantt(page: Page) -> dict[str, Any]:
    """The Gantt chart's data as ECharts holds it: its bars and its shading."""
    data: dict[str, Any] = page.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(document.querySelector('.chart.gantt'));
            const series = chart.getOption().series;
            return {bars: series[0].data.map(d => d.bar), shading: series[1].data.map(d => d.value),
                    lanes: chart.getOption().yAxis[0].data};
        }"""
    )
    return data


def _pixel(page: Page, time_ms: int, lane: int) -> tuple[float, float]:
    """Where a time on a lane is on the page, once the page has stopped moving (a busy browser may still be
    laying out the page when the chart first answers)."""
    x, y = page.evaluate(
        """async ([t, lane]) => {
            const el = document.querySelector('.chart.gantt');
            const chart = echarts.getInstanceByDom(el);
            const where = () => {
                const [x, y] = chart.convertToPixel({seriesIndex: 0}, [t, lane]);
                const box = el.getBoundingClientRect();
                return [box.left + x, box.top + y];
            };
            const frame = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
            let last = where();
            for (let tries = 0; tries < 50; tries++) {
                await frame();
                const now = where();
                if (now[0] === last[0] && now[1] === last[1]) return now;
                last = now;
            }
            return last;
        }""",
        [time_ms, lane],
    )
    return float(x), float(y)


def _open_gantt(page: Page, login: Login) -> dict[str, Any]:
    login("planner", "/schedule")
    page.goto(f"/schedule?work_center={CENTER}")
    expect(page.locator(".chart.gantt canvas").first).to_be_visible()
    page.wait_for_function("() => document.querySelector('.chart.gantt script') === null")
    # in the middle of the window: scrolled only just into view, its top lane could lie under the sticky top bar
    page.locator(".chart.gantt").evaluate("el => el.scrollIntoView({block: 'center'})")
    return _gantt(page)


def test_the_gantt_shades_non_working_time_and_a_bar_opens_its_order(
    page: Page, login: Login, plant: PlantOps, scheduled: str
) -> None:
    data = _open_gantt(page, login)

    assert data["lanes"] == [f"{CENTER} #1", f"{CENTER} #2"]
    assert data["shading"], "nights, weekends and breaks are shaded"
    assert {lane for lane, *_ in data["shading"]} == {0, 1}
    nights = [(end - start) / 3_600_000 for _, start, end, _ in data["shading"]]
    assert max(nights) >= 8  # from 22:00 to 06:00 at least
    run = next(b for b in data["bars"] if b["kind"] == "run")
    for start, end in [(s, e) for lane, s, e, _ in data["shading"] if lane == run["lane"]]:
        assert not (start <= run["start"] < end), "no operation starts in non-working time"
    assert re.fullmatch(r"/(records/work_orders|mrp/orders)/[^/]+", run["url"])
    labels = page.evaluate(
        "() => echarts.getInstanceByDom(document.querySelector('.chart.gantt')).getModel()"
        ".getComponent('xAxis').axis.scale.getTicksLabels?.() ?? null"
    )
    assert labels is None or labels  # the axis draws (its labels are checked in the screenshot)
    screenshot(page, "schedule-gantt-shaded")

    x, y = _pixel(page, (run["start"] + run["end"]) // 2, run["lane"])
    page.mouse.click(x, y)

    expect(page).to_have_url(re.compile(re.escape(run["url"]) + "$"))


def _working_quarter(data: dict[str, Any], lane: int, after: int, minutes: int) -> int:
    """The first quarter hour after ``after`` from which ``lane`` works for ``minutes`` without a gap."""
    shades = sorted((s, e) for line, s, e, _ in data["shading"] if line == lane)
    t = -(-after // QUARTER) * QUARTER
    while True:
        end = t + minutes * 60_000
        clash = [e for s, e in shades if s < end and e > t]
        if not clash:
            return t
        t = -(-max(clash) // QUARTER) * QUARTER


def test_dragging_a_bar_moves_its_operation_and_undo_brings_the_schedule_back(
    page: Page, login: Login, plant: PlantOps, scheduled: str
) -> None:
    data = _open_gantt(page, login)
    before = queries.run_in_force(plant.uow()).number
    bar = next(b for b in data["bars"] if b["kind"] == "run" and b["movable"] and b["lane"] == 0)
    # a pixel is several minutes wide: held a minute into the bar, the pointer can round onto its very edge and
    # miss it, so hold it 8 pixels in (or by its middle, if it is narrower than 16 pixels)
    left, _ = _pixel(page, bar["start"], 0)
    right, _ = _pixel(page, bar["end"], 0)
    hold = int((bar["end"] - bar["start"]) * min(8 / max(right - left, 1e-9), 0.5))
    # a pixel can be several minutes wide, so the drop may snap to the quarter beside the one aimed at:
    # aim 30 minutes into a working stretch with room for the operation and a quarter on each side
    target = _working_quarter(data, 1, bar["end"] + 3 * 3_600_000, 30 + 60) + 30 * 60_000
    x0, y0 = _pixel(page, bar["start"] + hold, 0)
    x1, y1 = _pixel(page, target + hold, 1)

    page.mouse.move(x0, y0)
    expect(page.locator(".chart.gantt")).to_contain_text("drag: move")  # the bar under the pointer says so
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=5)
    page.mouse.move(x1, y1, steps=5)
    page.mouse.up()

    expect(page.locator("#m-order")).to_have_value(bar["order"])
    expect(page.locator("#m-step")).to_have_value(str(bar["sequence"]))
    expect(page.locator("#m-unit")).to_have_value("2")
    expect(page.locator("#schedule-run .message.ok")).to_contain_text("is the schedule in force", timeout=60_000)
    moved = next(op for op in _operations(plant) if (op.order, op.sequence) == (bar["order"], bar["sequence"]))
    aimed = dt.datetime.fromtimestamp(target / 1000, dt.UTC)
    assert abs(moved.starts_at - aimed) <= dt.timedelta(minutes=15) and moved.unit == 1
    assert moved.starts_at.minute % 15 == 0 and moved.starts_at.second == 0
    screenshot(page, "schedule-dragged")

    page.get_by_role("button", name="Undo the last move").click()

    expect(page.locator("#schedule-run .message.ok")).to_contain_text(f"{before} is in force again")
    back = next(op for op in _operations(plant) if (op.order, op.sequence) == (bar["order"], bar["sequence"]))
    assert back.starts_at == dt.datetime.fromtimestamp(bar["start"] / 1000, dt.UTC)


def _error_of(answer_text: str, element_id: str) -> str:
    start = answer_text.index(f'id="{element_id}"')
    return html.unescape(answer_text[answer_text.index(">", start) + 1 : answer_text.index("</div>", start)])


def _next_sunday_at_noon() -> str:
    today = dt.date.today()
    sunday = today + dt.timedelta(days=6 - today.weekday() or 7)
    return f"{sunday}T12:00"


@pytest.mark.parametrize(
    ("typed", "field", "error"),
    [
        ({"start": _next_sunday_at_noon()}, "start", f"{CENTER} does not work at Sun"),
        ({"start": "next tuesday"}, "start", "'next tuesday' is not a date and time"),
        ({"unit": "3"}, "unit", f"{CENTER} has units 1 to 2, got 3"),
        ({"step": "x"}, "step", "x"),
        ({"order": ""}, "order", "is required"),
    ],
)
def test_a_move_the_schedule_cannot_take_is_refused_beside_its_field_and_starts_nothing(
    web: TestClient, plant: PlantOps, scheduled: str, typed: dict[str, str], field: str, error: str
) -> None:
    token = sign_in(web, "planner")
    operation = _operations(plant)[0]
    before = _runs(plant)
    in_force = queries.run_in_force(plant.uow()).number
    form = {
        "order": operation.order,
        "step": str(operation.sequence),
        "start": _next_sunday_at_noon(),
        "time_limit": "2",
    }

    answer = web.post("/schedule/moves", data=form | typed, headers={"X-CSRF-Token": token, "HX-Request": "true"})

    assert answer.status_code == 200, answer.text
    assert answer.headers["HX-Retarget"] == "#op-move-form"
    assert error in _error_of(answer.text, f"e-m-{field}")
    assert _runs(plant) == before and queries.run_in_force(plant.uow()).number == in_force


def test_in_the_browser_a_move_into_a_weekend_is_refused_beside_new_start_and_keeps_what_was_typed(
    page: Page, login: Login, plant: PlantOps, scheduled: str
) -> None:
    operation = _operations(plant)[0]
    in_force = queries.run_in_force(plant.uow()).number
    login("planner", "/schedule")
    page.fill("#m-order", operation.order)
    page.fill("#m-step", str(operation.sequence))
    page.fill("#m-start", _next_sunday_at_noon())

    page.get_by_role("button", name="Move and reschedule").click()

    expect(page.locator("#op-move-form #e-m-start")).to_contain_text(f"{CENTER} does not work at Sun")
    expect(page.locator("#m-order")).to_have_value(operation.order)
    expect(page.locator("#m-start")).to_have_value(_next_sunday_at_noon())
    expect(page.locator("#schedule-run")).to_be_empty()
    assert queries.run_in_force(plant.uow()).number == in_force
    screenshot(page, "schedule-move-refused")


def test_undo_without_a_move_to_undo_says_so_and_changes_nothing(
    web: TestClient, plant: PlantOps, scheduled: str
) -> None:
    token = sign_in(web, "planner")
    in_force = queries.run_in_force(plant.uow()).number
    try:
        while True:  # undo what earlier tests left, then once more
            moves.undo_move(plant.uow(), run_by="tester")
    except moves.NothingToUndoError:
        in_force = queries.run_in_force(plant.uow()).number

    answer = web.post("/schedule/undo", headers={"X-CSRF-Token": token, "HX-Request": "true"})

    assert "nothing to undo" in answer.text and "HX-Trigger" not in answer.headers
    assert queries.run_in_force(plant.uow()).number == in_force


def test_late_orders_say_why_they_are_late(web: TestClient, plant: PlantOps, scheduled: str) -> None:
    sign_in(web, "viewer")

    page = web.get("/schedule").text

    explained = lateness.why_late(plant.uow())
    if not explained:
        assert "Every order completes on time" in page
    for order in explained:
        row = page[page.index(f'<td class="nowrap">{order.number}</td>') :].split("</tr>")[0]
        assert (order.cause.value if order.cause else "no longer open") in row


def test_the_dispatch_list_of_a_shift_lists_its_operations_in_sequence_and_prints_without_navigation(
    page: Page, login: Login, plant: PlantOps, scheduled: str
) -> None:
    first = _operations(plant)[0]
    local = first.starts_at.astimezone(ZoneInfo("Europe/Berlin"))
    shift = "early" if 6 <= local.hour < 14 else "late"
    login("viewer", "/schedule")
    page.goto(f"/schedule/dispatch/{CENTER}?date={local.date()}&shift={shift}")

    rows = page.locator("#dispatch-lines tbody tr")
    expect(rows.first).to_contain_text(first.order)
    expect(page.locator("#dispatch-span")).to_contain_text(f"{shift.capitalize()} shift")
    starts = [cell for cell in page.locator("#dispatch-lines tbody tr td:nth-child(2)").all_inner_texts()]
    assert starts == sorted(starts)
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    assert page.locator("#dl-shifts option").evaluate_all("options => options.map(o => o.value)") == ["Early", "Late"]
    screenshot(page, "schedule-dispatch")
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.locator("#dispatch-form")).to_be_hidden()
    expect(rows.first).to_be_visible()


def test_a_dispatch_list_for_a_shift_the_calendar_lacks_is_refused_beside_shift(
    page: Page, login: Login, scheduled: str
) -> None:
    day = dt.date.today() + dt.timedelta(days=7 - dt.date.today().weekday())  # next Monday
    login("viewer", "/schedule")
    page.goto(f"/schedule/dispatch/{CENTER}?date={day}&shift=nightly")

    expect(page.locator("#e-dl-shift")).to_contain_text(f"{CENTER} has no shift 'nightly' on Monday")
    expect(page.locator("#dl-shift")).to_have_value("nightly")
    expect(page.locator("#dispatch-lines")).to_have_count(0)
    expect(page.get_by_role("button", name="Print")).to_have_count(0)
    screenshot(page, "schedule-dispatch-refused")


TYPED = st.one_of(
    st.sampled_from(["", " ", "1" * 40, "-1", "0", "2", "1e9", "9999-12-31T23:59+14:00", "0001-01-01T00:00-12:00"]),
    st.text(max_size=80),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=TYPED, step=TYPED, start=TYPED, unit=TYPED, time_limit=TYPED, day=TYPED, shift=TYPED)
def test_whatever_is_typed_into_the_move_form_or_the_dispatch_list_answers_without_a_server_error(
    web: TestClient,
    plant: PlantOps,
    scheduled: str,
    order: str,
    step: str,
    start: str,
    unit: str,
    time_limit: str,
    day: str,
    shift: str,
) -> None:
    token = sign_in(web, "planner")
    in_force = queries.run_in_force(plant.uow()).number
    form = {"order": order, "step": step, "start": start, "unit": unit, "time_limit": time_limit}

    moved = web.post("/schedule/moves", data=form, headers={"X-CSRF-Token": token, "HX-Request": "true"})
    listed = web.get(f"/schedule/dispatch/{CENTER}", params={"date": day, "shift": shift})

    assert moved.status_code == 200 and "Traceback" not in moved.text
    assert listed.status_code in (200, 422) and "Traceback" not in listed.text
    if moved.headers.get("HX-Retarget") == "#op-move-form":
        assert queries.run_in_force(plant.uow()).number == in_force
