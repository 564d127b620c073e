"""Schedule: the schedule in force as an interactive Gantt chart per work center or per
order (each work center's non-working time and downtimes shaded; a bar opens its order,
and is dragged to move its operation), its late orders and why they are late, work center
loads; run the scheduler, repair the schedule after a disruption (a work center down, a
rush order) or a move, undo the last move; a printable dispatch list per work center.

Everything is read from and done through :mod:`plantops.services.scheduling`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from plantops.errors import NotFoundError, PlantOpsError, ValidationError
from plantops.jobs.kinds import DisruptionRequest, MoveRequest, RushOrderRequest
from plantops.services.access import Permission
from plantops.services.scheduling import dispatch, lateness, moves, queries, runs, worktime
from plantops.services.scheduling.queries import OperationView, RunView, WorkCenterSequence
from plantops.services.scheduling.runs import NoScheduleError, ScheduleRequest, ScheduleSummary
from plantops.services.scheduling.worktime import NonWorking
from plantops.web import charts, forms, jobs
from plantops.web.auth import User, plant, require
from plantops.web.links import scheduled_order_link
from plantops.web.templating import render

router = APIRouter(prefix="/schedule")

VIEWS = {"resources": "per work center", "orders": "per order"}
#: The seconds a repair searches unless the form says otherwise.
DEFAULT_TIME_LIMIT = "10"
#: The scheduler form's fields (the schedule request's names for them) and their labels.
RUN_LABELS = {"weeks": "Weeks from now", "time_limit": "Search for (s)"}
#: The disruption form's fields (the service's names for them) and their labels.
DOWN_LABELS = {
    "work_center": "Work center",
    "from": "Down from (site time)",
    "to": "Until",
    "reason": "Reason",
    "time_limit": "Search for (s)",
}
#: The rush order form's fields and their labels.
RUSH_LABELS = {"item": "Item", "quantity": "Quantity", "due": "Due", "time_limit": "Search for (s)"}
#: The move form's fields (the service's names for them) and their labels.
MOVE_LABELS = {
    "order": "Order",
    "step": "Step",
    "start": "New start (site time)",
    "unit": "Unit (1 = first)",
    "time_limit": "Search for (s)",
}
#: The dispatch list's choice of day and shift, and their labels.
DISPATCH_LABELS = {"date": "Day", "shift": "Shift (blank: the whole day)"}


@router.get("")
def schedule_page(request: Request, view: str = "resources", work_center: str = "") -> Response:
    uow = plant(request).uow
    view = view if view in VIEWS else "resources"
    now = dt.datetime.now(dt.UTC)
    try:
        run = queries.run_in_force(uow())
    except NoScheduleError:
        return render(request, "schedule/index.html", run=None, now=now, centers=[], **_disruption_forms())
    every = queries.sequences(uow())
    shown = [s for s in every if s.work_center == work_center] if work_center else every
    if work_center and not shown:
        raise NotFoundError("work center", work_center)
    by_order = view == "orders"
    user: User | None = getattr(request.state, "user", None)
    movable = not by_order and user is not None and user.may(Permission.SCHEDULE.value)
    return render(
        request,
        "schedule/index.html",
        run=run,
        now=now,
        view=view,
        views=VIEWS,
        work_center=work_center,
        centers=every,
        gantt=gantt(request, run, shown, now, by_order=by_order, movable=movable),
        load_chart=charts.work_center_load(every),
        late=lateness.why_late(uow()),
        operations=sum(len(s.operations) for s in shown),
        **_disruption_forms(),
    )


def gantt(
    request: Request,
    run: RunView,
    sequences: list[WorkCenterSequence],
    now: dt.datetime,
    *,
    by_order: bool,
    movable: bool,
) -> dict[str, Any]:
    """Lanes, bars and shading for the Gantt chart (drawn by ``ganttOption`` in ``plantops.js``): a lane
    per work center unit, each with its non-working time and downtimes shaded, or a lane per order in
    the order they start; a setup is a bar of its own right before its operation. A bar links to its
    order's record page and, where ``movable``, carries what a move of its operation needs."""
    root = str(request.scope.get("root_path", "")).rstrip("/")
    units = {s.work_center: s.units for s in sequences}
    operations = sorted((op for s in sequences for op in s.operations), key=lambda op: op.starts_at)

    def unit_lane(work_center: str, unit: int) -> str:
        return work_center if units[work_center] == 1 else f"{work_center} #{unit + 1}"

    if by_order:
        lanes = list(dict.fromkeys(op.order for op in operations))
        places: list[dict[str, Any] | None] = [None] * len(lanes)
    else:
        lanes = [unit_lane(s.work_center, unit) for s in sequences for unit in range(s.units)]
        places = [{"work_center": s.work_center, "unit": unit + 1} for s in sequences for unit in range(s.units)]
    lane_index = {name: n for n, name in enumerate(lanes)}
    bars = []
    for op in operations:
        lane = lane_index[op.order if by_order else unit_lane(op.work_center, min(op.unit, units[op.work_center] - 1))]
        bar = _bar(root, op, units[op.work_center], movable)
        if op.setup_minutes:
            setup_start = op.starts_at - dt.timedelta(minutes=op.setup_minutes)
            bars.append(bar | {"lane": lane, "start": _ms(setup_start), "end": _ms(op.starts_at), "kind": "setup"})
            bars[-1] |= {"label": f"setup for {bar['label']}", "movable": False}
        bars.append(bar | {"lane": lane, "start": _ms(op.starts_at), "end": _ms(op.ends_at), "kind": "run"})
    shading: list[dict[str, Any]] = []
    if not by_order and sequences:
        start = min([run.horizon_start, *(op.starts_at for op in operations)])
        end = max([run.horizon_end, *(op.ends_at for op in operations)])
        spans = worktime.non_working_time(plant(request).uow(), [s.work_center for s in sequences], start, end)
        shading = [
            _shade(lane_index[unit_lane(span.work_center, unit)], span)
            for span in spans
            for unit in range(units[span.work_center])
        ]
    return {"lanes": lanes, "places": places, "bars": bars, "shading": shading, "now": _ms(now), "movable": movable}


def _bar(root: str, op: OperationView, units: int, movable: bool) -> dict[str, Any]:
    """What a bar of ``op`` shows in its tooltip and label, where it links, and what moves it."""
    details = {
        "item": op.item,
        "work center": op.work_center + (f" unit {op.unit + 1}" if units > 1 else ""),
        "setup before": f"{op.setup_minutes} min",
    }
    if op.critical:
        details["critical path"] = "yes"
    if op.frozen:
        details["started"] = "stays where it is"
    return {
        "late": op.late,
        "label": f"{op.order} · {op.sequence} {op.name}",
        "order": op.order,
        "sequence": op.sequence,
        "work_center": op.work_center,
        "url": f"{root}{scheduled_order_link(op.source, op.order)}",
        "movable": movable and not op.frozen,
        "details": details,
    }


def _shade(lane: int, span: NonWorking) -> dict[str, Any]:
    return {"lane": lane, "start": _ms(span.starts_at), "end": _ms(span.ends_at), "down": span.down}


def _ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def _disruption_forms() -> dict[str, Any]:
    """The disruption and rush order forms as a page first shows them."""
    return {
        "run_form": {"weeks": "4", "time_limit": DEFAULT_TIME_LIMIT},
        "run_labels": RUN_LABELS,
        "down_form": dict.fromkeys(DOWN_LABELS, "") | {"time_limit": DEFAULT_TIME_LIMIT},
        "down_labels": DOWN_LABELS,
        "rush_form": dict.fromkeys(RUSH_LABELS, "") | {"time_limit": DEFAULT_TIME_LIMIT},
        "rush_labels": RUSH_LABELS,
        "move_form": dict.fromkeys(MOVE_LABELS, "") | {"time_limit": DEFAULT_TIME_LIMIT},
        "move_labels": MOVE_LABELS,
    }


def _start(request: Request, kind: str, service_request: Any, user: User) -> Response:
    """Queue the run as a job of the user's; the answer polls its progress."""
    job = jobs.start(request, kind, service_request, user.username)
    return render(request, "schedule/run.html", job=job, summary=None)


@router.post("/runs")
def start_schedule(
    request: Request,
    user: Annotated[User, Depends(require(Permission.SCHEDULE))],
    weeks: Annotated[str, Form()] = "4",
    time_limit: Annotated[str, Form()] = DEFAULT_TIME_LIMIT,
) -> Response:
    """Schedule from now over ``weeks``, searching for ``time_limit`` seconds, in the background.

    What the schedule request's checks refuse brings the form back as typed, with the error beside its
    field, and starts nothing."""
    typed = {"weeks": weeks.strip(), "time_limit": time_limit.strip()}
    try:
        schedule_request = ScheduleRequest(
            horizon_start=dt.datetime.now(dt.UTC),
            weeks=forms.integer("schedule", "weeks", weeks, 4, user.locale),
            time_limit_s=float(forms.decimal("schedule", "time_limit", time_limit, user.locale)),
        )
        runs.check_request(schedule_request)
    except PlantOpsError as error:
        errors = forms.place(error, typed, RUN_LABELS)
        return forms.refused(request, "schedule/run_form.html", "#schedule-form", typed, errors, RUN_LABELS)
    return _start(request, "schedule", schedule_request, user)


@router.post("/disruptions")
def report_disruption(
    request: Request,
    user: Annotated[User, Depends(require(Permission.REPORT_DISRUPTION))],
    work_center: Annotated[str, Form()] = "",
    starts_at: Annotated[str, Form(alias="from")] = "",
    ends_at: Annotated[str, Form(alias="to")] = "",
    reason: Annotated[str, Form()] = "",
    time_limit: Annotated[str, Form()] = DEFAULT_TIME_LIMIT,
) -> Response:
    """A work center down from ``starts_at`` to ``ends_at`` (its site's local time): repair the schedule.

    What the disruption's checks refuse brings the form back as typed, with the error beside its
    field, and starts nothing."""
    typed = {
        "work_center": work_center.strip(),
        "from": starts_at.strip(),
        "to": ends_at.strip(),
        "reason": reason.strip(),
        "time_limit": time_limit.strip(),
    }
    center, why = typed["work_center"], typed["reason"]
    try:
        starts = forms.moment("disruption", "from", starts_at)
        ends = forms.moment("disruption", "to", ends_at)
        limit = float(forms.decimal("disruption", "time_limit", time_limit, user.locale))
        runs.check_disruption(
            plant(request).uow(), center, starts_at=starts, ends_at=ends, reason=why, time_limit_s=limit
        )
    except PlantOpsError as error:
        errors = forms.place(error, typed, DOWN_LABELS)
        centers = queries.sequences(plant(request).uow())
        return forms.refused(
            request, "schedule/down_form.html", "#down-form", typed, errors, DOWN_LABELS, centers=centers
        )
    disruption = DisruptionRequest(work_center=center, starts_at=starts, ends_at=ends, reason=why, time_limit_s=limit)
    return _start(request, "disruption", disruption, user)


@router.post("/rush-orders")
def add_rush_order(
    request: Request,
    user: Annotated[User, Depends(require(Permission.REPORT_DISRUPTION))],
    item: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    due: Annotated[str, Form()] = "",
    time_limit: Annotated[str, Form()] = DEFAULT_TIME_LIMIT,
) -> Response:
    """Release a rush work order and repair the schedule around it.

    What the rush order's checks refuse brings the form back as typed, with the error beside its
    field, and starts nothing."""
    typed = {"item": item.strip(), "quantity": quantity.strip(), "due": due.strip(), "time_limit": time_limit.strip()}
    code = typed["item"]
    try:
        amount = forms.decimal("rush order", "quantity", quantity, user.locale)
        due_date = forms.required_date("rush order", "due", due)
        limit = float(forms.decimal("rush order", "time_limit", time_limit, user.locale))
        now = dt.datetime.now(dt.UTC)
        runs.check_rush_order(plant(request).uow(), code, amount, due=due_date, now=now, time_limit_s=limit)
    except PlantOpsError as error:
        errors = forms.place(error, typed, RUSH_LABELS)
        return forms.refused(request, "schedule/rush_form.html", "#rush-form", typed, errors, RUSH_LABELS)
    rush = RushOrderRequest(item=code, quantity=amount, due=due_date, time_limit_s=limit)
    return _start(request, "rush_order", rush, user)


@router.post("/moves")
def move_operation(
    request: Request,
    user: Annotated[User, Depends(require(Permission.SCHEDULE))],
    order: Annotated[str, Form()] = "",
    step: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
    time_limit: Annotated[str, Form()] = DEFAULT_TIME_LIMIT,
) -> Response:
    """Pin step ``step`` of ``order`` at ``start`` (its site's time unless it names a zone) on ``unit`` of its
    work center, and repair the schedule around it (what a drag in the Gantt chart submits).

    What the move's checks refuse brings the form back as typed, with the error beside its field, and
    starts nothing."""
    typed = {
        "order": order.strip(),
        "step": step.strip(),
        "start": start.strip(),
        "unit": unit.strip(),
        "time_limit": time_limit.strip(),
    }
    code = typed["order"]
    try:
        if not code:
            raise ValidationError("move", "order", "is required")
        sequence = forms.integer("move", "step", step, 0, user.locale)
        starts_at = forms.moment("move", "start", start)
        on_unit = forms.integer("move", "unit", unit, 0, user.locale) if typed["unit"] else None
        limit = float(forms.decimal("move", "time_limit", time_limit, user.locale))
        now = dt.datetime.now(dt.UTC)
        moves.check_move(
            plant(request).uow(), code, sequence, starts_at=starts_at, unit=on_unit, now=now, time_limit_s=limit
        )
    except PlantOpsError as error:
        errors = forms.place(error, typed, MOVE_LABELS)
        return forms.refused(request, "schedule/move_form.html", "#op-move-form", typed, errors, MOVE_LABELS)
    move = MoveRequest(order=code, step=sequence, starts_at=starts_at, unit=on_unit, time_limit_s=limit)
    return _start(request, "move", move, user)


@router.post("/undo")
def undo_move(request: Request, user: Annotated[User, Depends(require(Permission.SCHEDULE))]) -> Response:
    """Undo the last move at once: the schedule before it is in force again."""
    try:
        undone = moves.undo_move(plant(request).uow(), run_by=user.username)
    except PlantOpsError as error:
        return render(request, "schedule/undone.html", undone=None, error=str(error))
    response = render(request, "schedule/undone.html", undone=undone, error=None)
    response.headers["HX-Trigger"] = "schedule-changed"
    return response


@router.get("/dispatch/{work_center}")
def dispatch_page(request: Request, work_center: str, date: str = "", shift: str = "") -> Response:
    """A work center's dispatch list for a day (default: today in its site) or one shift of it, to print.

    A day or shift the list cannot be made for shows the choice again with the error beside its field."""
    typed = {"date": date.strip(), "shift": shift.strip()}
    shifts = dispatch.shift_names(plant(request).uow(), work_center)
    try:
        day = forms.date("dispatch list", "date", date) or dt.date.today()
        listing = dispatch.dispatch_list(plant(request).uow(), work_center, day=day, shift=typed["shift"] or None)
    except NotFoundError:
        raise
    except PlantOpsError as error:
        errors = forms.place(error, typed, DISPATCH_LABELS)
        return render(
            request,
            "schedule/dispatch.html",
            422,
            listing=None,
            work_center=work_center,
            form=typed,
            errors=errors,
            labels=DISPATCH_LABELS,
            shifts=shifts,
        )
    typed |= {"date": day.isoformat(), "shift": listing.shift}
    return render(
        request,
        "schedule/dispatch.html",
        listing=listing,
        work_center=work_center,
        form=typed,
        errors={},
        labels=DISPATCH_LABELS,
        shifts=shifts,
    )


@router.get("/runs/{number}")
def schedule_progress(request: Request, number: str) -> Response:
    job = jobs.get(request, number)
    summary: ScheduleSummary | None = job.result
    response = render(request, "schedule/run.html", job=job, summary=summary)
    if job.finished:
        response.headers["HX-Trigger"] = "schedule-changed"
    return response
