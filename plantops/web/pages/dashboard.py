"""The dashboard: what a planner looks at first every morning."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from fastapi import APIRouter, Request
from starlette.responses import Response

from plantops.services.inventory.valuation import value_inventory
from plantops.services.planning import queries
from plantops.services.planning.queries import NoPlanError
from plantops.services.scheduling import queries as scheduling
from plantops.services.scheduling.runs import NoScheduleError
from plantops.vocabulary import PlanExceptionKind
from plantops.web import charts
from plantops.web.auth import plant
from plantops.web.templating import render

router = APIRouter()

#: The late demands the dashboard lists, earliest first; the exceptions page has them all.
LATE_SHOWN = 20


@router.get("/")
def dashboard(request: Request) -> Response:
    uow = plant(request).uow
    valuation = value_inventory(uow(), as_of=dt.datetime.now(dt.UTC))
    try:
        run, counted = queries.exception_counts(uow())
        _, late = queries.plan_exceptions(uow(), kind=PlanExceptionKind.LATE_DEMAND, limit=LATE_SHOWN)
    except NoPlanError:
        run, counted, late = None, {}, []
    counts = Counter(counted)
    try:
        schedule = scheduling.run_in_force(uow()).number
        centers, late_orders = scheduling.sequences(uow()), scheduling.late_orders(uow())
    except NoScheduleError:
        schedule, centers, late_orders = None, [], []
    scheduled = {op.order for center in centers for op in center.operations}
    return render(
        request,
        "dashboard.html",
        run=run,
        schedule=schedule,
        valuation=valuation,
        stock_chart=charts.stock_value(valuation.items.values()),
        exception_chart=charts.exceptions_by_kind(counts),
        exception_total=sum(counts.values()),
        late=late,
        late_total=counts.get(PlanExceptionKind.LATE_DEMAND.value, 0),
        past_due=counts.get(PlanExceptionKind.PAST_DUE.value, 0),
        scheduled=len(scheduled),
        late_orders=late_orders,
        on_time=1 - len(late_orders) / len(scheduled) if scheduled else None,
        load_chart=charts.work_center_load(centers) if centers else None,
    )
