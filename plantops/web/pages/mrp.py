"""MRP: start a plan and watch it run, the plan's orders and exceptions (shared lists: sorted,
filtered, paged, exported), an item's time-phased record, a planned order's record page (change
it, firm or release it, what it serves), a sales order's pegging down to every order serving it
with what limits it; firm and release planned orders one by one or as selected, act on exceptions.

Everything is read from and done through :mod:`plantops.services.planning`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from plantops.db.session import UnitOfWork
from plantops.errors import PlantOpsError, ValidationError
from plantops.services import item_sites
from plantops.services.access import Permission
from plantops.services.master_data.values import DATE, INTEGER, NUMBER
from plantops.services.planning import actions, pegging, queries
from plantops.services.planning.problem import PlanRequest
from plantops.services.planning.queries import NoPlanError
from plantops.services.planning.runs import PlanSummary, check_request
from plantops.vocabulary import PlanExceptionKind, PlannedOrderStatus, Procurement
from plantops.web import charts, forms, jobs, lists
from plantops.web.auth import User, plant, require, work_as
from plantops.web.templating import render

router = APIRouter(prefix="/mrp")

#: Rows of a long list shown at once; filters narrow it down.
LIST_LIMIT = 200
ROW_NAMES = {
    "gross_requirements": "Gross requirements",
    "scheduled_receipts": "Scheduled receipts",
    "projected_on_hand": "Projected on hand",
    "net_requirements": "Net requirements",
    "planned_order_receipts": "Planned order receipts",
    "planned_order_releases": "Planned order releases",
}
#: The plan form's fields (the plan request's own names) and their labels.
PLAN_LABELS = {
    "start": "Today of the plan",
    "weeks": "Weeks",
    "frozen_weeks": "Frozen fence (weeks)",
    "slushy_weeks": "Slushy fence (weeks)",
}


def _words(words: Any) -> tuple[tuple[str, str], ...]:
    return tuple((w.value, w.value.replace("_", " ")) for w in words)


def _order_row(view: queries.OrderView) -> lists.Row:
    return {**vars(view), "supplier": view.supplier or view.source_site}


def _order_rows(uow: UnitOfWork, query: lists.Query, offset: int, limit: int) -> lists.Rows:
    chosen = query.filters
    _, total, found = queries.planned_order_page(
        uow,
        item=chosen.get("item"),
        kind=_choice(Procurement, chosen.get("kind", "")),
        status=_choice(PlannedOrderStatus, chosen.get("status", "")),
        sort=query.sort,
        offset=offset,
        limit=limit,
    )
    return lists.Rows(total, [_order_row(o) for o in found])


def _release_past(row: lists.Row) -> tuple[str, str] | None:
    """A planned order whose release date has passed: it should have been released already."""
    if row["status"] is PlannedOrderStatus.RELEASED or row["release_date"] >= dt.date.today():
        return None
    return "late", f"its release date {row['release_date']} has passed"


ORDERS = lists.ListView(
    name="planned-orders",
    title="Planned orders",
    path="/mrp",
    columns=(
        lists.Column("number", "Order", link="planned_orders"),
        lists.Column("kind", "Kind", shown="words"),
        lists.Column("item", "Item", link="items"),
        lists.Column("site", "Site", link="sites"),
        lists.Column("quantity", "Quantity", NUMBER),
        lists.Column("release_date", "Release", DATE),
        lists.Column("due_date", "Due", DATE),
        lists.Column("supplier", "From"),
        lists.Column("status", "Status", shown="words"),
    ),
    fetch=_order_rows,
    filters=(
        lists.Filter("item", "Item", lookup="items"),
        lists.Filter("kind", "Order kind", choices=_words(Procurement)),
        lists.Filter("status", "Status", choices=_words(PlannedOrderStatus)),
    ),
    sort=("number",),  # the plan's own order (by item and week): a sort of millions of orders takes seconds
    searchable=False,
    key=("number",),
    selectable=True,
    mark=_release_past,
)


def _exception_row(view: queries.ExceptionView) -> lists.Row:
    return {**vars(view), "number": view.number, "message": view.message, "actions": view.actions}


def _exception_rows(uow: UnitOfWork, query: lists.Query, offset: int, limit: int) -> lists.Rows:
    chosen = query.filters
    _, total, found = queries.exception_page(
        uow,
        kind=_choice(PlanExceptionKind, chosen.get("kind", "")),
        item=chosen.get("item"),
        sort=query.sort,
        offset=offset,
        limit=limit,
    )
    return lists.Rows(total, [_exception_row(e) for e in found])


EXCEPTIONS = lists.ListView(
    name="plan-exceptions",
    title="Exceptions",
    path="/mrp/exceptions",
    columns=(
        lists.Column("number", "Exception"),
        lists.Column("date", "Week of", DATE),
        lists.Column("kind", "Kind", shown="words"),
        lists.Column("item", "Item", link="items"),
        lists.Column("site", "Site", link="sites"),
        lists.Column("document", "Order"),
        lists.Column("demand", "Demand"),
        lists.Column("days_late", "Days late", INTEGER),
        lists.Column("message", "Message", sortable=False),
    ),
    fetch=_exception_rows,
    filters=(
        lists.Filter("kind", "Exception kind", choices=_words(PlanExceptionKind)),
        lists.Filter("item", "Item", lookup="items"),
    ),
    searchable=False,
    key=("number",),
)


@router.get("")
def mrp_page(request: Request) -> Response:
    return _mrp_page(request)


def _mrp_page(request: Request, status: int = 200, **context: Any) -> Response:
    """The MRP page: the plan form, the plan in force's exceptions by kind and its planned orders."""
    try:
        run, counts = queries.exception_counts(plant(request).uow())
        listing = lists.fetch(request, ORDERS, lists.read_query(request, ORDERS))
    except NoPlanError:
        return render(request, "mrp/index.html", status, run=None, **_plan_form(), **context)
    return render(
        request,
        "mrp/index.html",
        status,
        run=run,
        listing=listing,
        exception_counts=sorted(counts.items()),
        **_plan_form(),
        **context,
    )


@router.get("/export.{fmt}")
def orders_export(request: Request, fmt: str) -> Response:
    return lists.export(request, ORDERS, fmt)


@router.get("/exceptions")
def exceptions_page(request: Request) -> Response:
    try:
        return lists.show(request, EXCEPTIONS, "mrp/exceptions_page.html")
    except NoPlanError:
        return render(request, "mrp/exceptions_page.html", listing=None)


@router.get("/exceptions/export.{fmt}")
def exceptions_export(request: Request, fmt: str) -> Response:
    return lists.export(request, EXCEPTIONS, fmt)


@router.post("/exceptions/{number}/firm")
def firm_from_exception(
    request: Request, number: str, user: Annotated[User, Depends(require(Permission.PLAN))]
) -> Response:
    return _act(request, user, number, queries.FIRM)


@router.post("/exceptions/{number}/{action}")
def act_on_exception(
    request: Request, number: str, action: str, user: Annotated[User, Depends(require(Permission.RELEASE_ORDERS))]
) -> Response:
    """Expedite, defer or cancel the order an exception names, or release its planned order."""
    return _act(request, user, number, action)


def _act(request: Request, user: User, number: str, action: str) -> Response:
    """The exception's actions cell after ``action``: what was done, or why it was refused."""
    try:
        done = actions.act(work_as(request, user), number, action, today=dt.date.today())
    except PlantOpsError as error:
        return render(request, "mrp/exception_action.html", number=number, done=None, error=str(error))
    return render(request, "mrp/exception_action.html", number=number, done=done, error=None)


@router.get("/peg/demand")
def open_demand_pegging(request: Request, demand: str = "") -> Response:
    target = f"{request.scope.get('root_path', '')}/mrp/peg/demand/{quote(demand.strip(), safe='/')}"
    return RedirectResponse(target, status_code=303)


@router.get("/peg/demand/{demand:path}")
def demand_pegging_page(request: Request, demand: str) -> Response:
    """Every order serving a sales order (line), level by level, what limits it, and the exceptions on those orders."""
    uow = plant(request).uow
    try:
        run, lines = pegging.demand_pegging(uow(), demand)
    except ValidationError as error:  # the plant changed since the plan
        return render(request, "mrp/peg_demand.html", 409, demand=demand, lines=[], run=None, problem=str(error))
    documents = sorted({s.document for line in lines for s in line.supply if s.document})
    _, _, found = queries.exception_page(uow(), documents=documents, limit=500)
    return render(
        request,
        "mrp/peg_demand.html",
        demand=demand,
        run=run,
        lines=lines,
        exceptions=[_exception_row(e) for e in found],
        problem=None,
    )


#: The planned order form's fields (the change's own names) and their labels.
ORDER_LABELS = {"quantity": "Quantity", "due": "Due date", "supplier": "Supplier"}


@router.post("/orders/firm")
def firm_selected(
    request: Request,
    user: Annotated[User, Depends(require(Permission.PLAN))],
    selected: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Firm the selected planned orders: all of them, or none and why."""
    return _bulk(request, "firmed", lambda: actions.firm_all(work_as(request, user), selected or []))


@router.post("/orders/release")
def release_selected(
    request: Request,
    user: Annotated[User, Depends(require(Permission.RELEASE_ORDERS))],
    selected: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Release the selected planned orders: all of them, or none and why."""
    today = dt.date.today()
    return _bulk(request, "released", lambda: actions.release_all(work_as(request, user), selected or [], today=today))


def _bulk(request: Request, done_word: str, work: Callable[[], list[queries.OrderView]]) -> Response:
    """The MRP page after ``work`` on the selected orders: what was ``done_word``, or why nothing was."""
    try:
        done = work()
    except PlantOpsError as error:
        return _mrp_page(request, 400, bulk_error=f"Nothing was {done_word}: {error}")
    return _mrp_page(request, bulk_done=done, bulk_verb=done_word)


@router.get("/orders/{number}")
def order_record(request: Request, number: str) -> Response:
    return _order_page(request, number, {}, {})


@router.post("/orders/{number}")
def change_order(
    request: Request,
    number: str,
    user: Annotated[User, Depends(require(Permission.PLAN))],
    quantity: Annotated[str, Form()] = "",
    due: Annotated[str, Form()] = "",
    supplier: Annotated[str, Form()] = "",
) -> Response:
    """Change a planned order; it becomes firm. A refused change shows the form as typed, the error by its field."""
    typed = {"quantity": quantity.strip(), "due": due.strip(), "supplier": supplier.strip()}
    try:
        actions.change(
            work_as(request, user),
            number,
            quantity=forms.optional_decimal("planned order", "quantity", typed["quantity"], user.locale),
            due=forms.date("planned order", "due", typed["due"]),
            supplier=forms.text(typed["supplier"]),
        )
    except PlantOpsError as error:
        return _order_page(request, number, typed, forms.place(error, typed, ORDER_LABELS), status=400)
    return RedirectResponse(f"{request.scope.get('root_path', '')}/mrp/orders/{quote(number)}", status_code=303)


def _order_page(
    request: Request, number: str, typed: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    """A planned order's record page: the order, its change form, what it serves, its exceptions."""
    uow = plant(request).uow
    order = queries.planned_order(uow(), number)
    try:
        _, pegs = pegging.pegging(uow(), number)
        peg_problem = None
    except PlantOpsError as error:
        pegs, peg_problem = [], str(error)
    _, _, found = queries.exception_page(uow(), documents=[number], limit=100)
    form = typed or {"quantity": f"{order.quantity.normalize():f}", "due": order.due_date.isoformat(), "supplier": ""}
    return render(
        request,
        "mrp/order.html",
        status,
        order=order,
        pegs=pegs,
        peg_problem=peg_problem,
        exceptions=[_exception_row(e) for e in found],
        suppliers=queries.suppliers_of(uow(), order.item) if order.kind is Procurement.BUY else [],
        form=form,
        errors=errors,
        labels=ORDER_LABELS,
    )


def _plan_form() -> dict[str, Any]:
    """The plan form as a page first shows it."""
    form = {"start": dt.date.today().isoformat(), "weeks": "52", "frozen_weeks": "0", "slushy_weeks": "0"}
    return {"plan_form": form, "plan_labels": PLAN_LABELS}


def _choice(words: Any, value: str) -> Any:
    return words(value) if value in {w.value for w in words} else None


@router.post("/runs")
def start_plan(
    request: Request,
    user: Annotated[User, Depends(require(Permission.PLAN))],
    start: Annotated[str, Form()] = "",
    weeks: Annotated[str, Form()] = "52",
    frozen_weeks: Annotated[str, Form()] = "0",
    slushy_weeks: Annotated[str, Form()] = "0",
) -> Response:
    """Start planning in the background once the plan's checks pass; the answer polls the run's progress.
    A request the checks refuse brings the form back as typed, with the error beside its field."""
    typed = {
        "start": start.strip(),
        "weeks": weeks.strip(),
        "frozen_weeks": frozen_weeks.strip(),
        "slushy_weeks": slushy_weeks.strip(),
    }
    try:
        plan_request = PlanRequest(
            start=forms.date("plan", "start", start) or dt.date.today(),
            weeks=forms.integer("plan", "weeks", weeks, 52, user.locale),
            frozen_weeks=forms.integer("plan", "frozen_weeks", frozen_weeks, 0, user.locale),
            slushy_weeks=forms.integer("plan", "slushy_weeks", slushy_weeks, 0, user.locale),
        )
        check_request(plan_request)
    except PlantOpsError as error:
        return forms.refused(
            request, "mrp/plan_form.html", "#plan-form", typed, forms.place(error, typed, PLAN_LABELS), PLAN_LABELS
        )

    job = jobs.start(request, "plan", plan_request, user.username)
    return render(request, "mrp/run.html", job=job)


@router.get("/runs/{number}")
def plan_progress(request: Request, number: str) -> Response:
    job = jobs.get(request, number)
    summary: PlanSummary | None = job.result
    response = render(request, "mrp/run.html", job=job, summary=summary)
    if job.finished:
        response.headers["HX-Trigger"] = "plan-changed"
    return response


@router.get("/items")
def open_item_record(request: Request, code: str) -> Response:
    return RedirectResponse(f"{request.scope.get('root_path', '')}/mrp/items/{quote(code.strip())}", status_code=303)


@router.get("/items/{code}")
def item_record(request: Request, code: str, weeks: Annotated[int, Query(title="Weeks shown")] = 26) -> Response:
    uow = plant(request).uow
    tables = queries.mrp_table(uow(), item=code)
    _, orders = queries.planned_orders(uow(), item=code, limit=LIST_LIMIT)
    _, exceptions = queries.plan_exceptions(uow(), item=code, limit=LIST_LIMIT)
    weeks = max(1, min(weeks, len(tables[0].buckets)))
    planning = {t.site: item_sites.planning_at(uow(), code, t.site) for t in tables}
    return render(
        request,
        "mrp/item.html",
        code=code,
        tables=tables,
        planning=planning,
        charts=[charts.mrp_record(t, weeks) for t in tables],
        weeks=weeks,
        row_names=ROW_NAMES,
        orders=orders,
        exceptions=exceptions,
        limit=LIST_LIMIT,
    )


@router.post("/orders/{number}/firm")
def firm_order(request: Request, number: str, user: Annotated[User, Depends(require(Permission.PLAN))]) -> Response:
    order = queries.firm(work_as(request, user), number)
    return render(request, "mrp/order_status.html", order=order)


@router.post("/orders/{number}/release")
def release_order(
    request: Request, number: str, user: Annotated[User, Depends(require(Permission.RELEASE_ORDERS))]
) -> Response:
    order = queries.release(work_as(request, user), number, today=dt.date.today())
    return render(request, "mrp/order_status.html", order=order)
