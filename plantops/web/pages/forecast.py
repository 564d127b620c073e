"""Forecast: the forecast versions and their accuracy; per item, its history, forecast and
intervals, the model chosen, how accurate it was; overriding a week with a reason.

Everything is read from and done through :mod:`plantops.services.forecasting`.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from plantops.errors import PlantOpsError
from plantops.services.access import Permission
from plantops.services.forecasting import queries
from plantops.services.forecasting.overrides import override_forecast
from plantops.services.forecasting.queries import NoForecastError, SeriesView
from plantops.services.forecasting.runs import ForecastRequest, check_request
from plantops.web import charts, forms, jobs
from plantops.web.auth import User, plant, require, work_as
from plantops.web.templating import render

router = APIRouter(prefix="/forecast")

#: The least accurate items of the newest version shown on the overview.
WORST_SHOWN = 15
#: The forecast form's fields (the forecast request's names for them) and their labels.
RUN_LABELS = {"horizon": "Weeks ahead", "publish": "Publish for MRP"}
#: The override form's fields and their labels.
OVERRIDE_LABELS = {"week": "Week of", "quantity": "Quantity", "reason": "Reason"}


@router.get("")
def forecast_page(request: Request, code: str = "") -> Response:
    """The versions and the least accurate forecasts; a code typed in opens that item's forecast."""
    if code.strip():
        return RedirectResponse(f"{request.scope.get('root_path', '')}/forecast/{quote(code.strip())}", status_code=303)
    uow = plant(request).uow
    found = queries.versions(uow())
    scored = queries.accuracy(uow(), version=found[0].number) if found else []
    ranked = sorted((a for a in scored if a.mase is not None), key=lambda a: a.mase or 0.0, reverse=True)
    return render(
        request,
        "forecast/index.html",
        versions=found,
        worst=ranked[:WORST_SHOWN],
        scored=len(scored),
        run_form={"horizon": "26", "publish": "yes"},
        run_labels=RUN_LABELS,
    )


@router.post("/runs")
def start_forecast(
    request: Request,
    user: Annotated[User, Depends(require(Permission.FORECAST))],
    horizon: Annotated[str, Form()] = "26",
    publish: Annotated[str, Form()] = "",
) -> Response:
    """Forecast every item in the background; published, MRP plans with it.

    What the forecast request's checks refuse brings the form back as typed, with the error beside its
    field, and starts nothing."""
    typed = {"horizon": horizon.strip(), "publish": publish}
    try:
        forecast_request = ForecastRequest(
            horizon=forms.integer("forecast", "horizon", horizon, 26, user.locale), publish=bool(publish)
        )
        check_request(forecast_request)
    except PlantOpsError as error:
        errors = forms.place(error, typed, RUN_LABELS)
        return forms.refused(request, "forecast/run_form.html", "#forecast-form", typed, errors, RUN_LABELS)

    job = jobs.start(request, "forecast", forecast_request, user.username)
    return render(request, "forecast/run.html", job=job)


@router.get("/runs/{number}")
def forecast_progress(request: Request, number: str) -> Response:
    job = jobs.get(request, number)
    response = render(request, "forecast/run.html", job=job)
    if job.finished:
        response.headers["HX-Trigger"] = "forecast-changed"
    return response


@router.get("/{item}")
def item_forecast(request: Request, item: str) -> Response:
    uow = plant(request).uow
    try:
        views = queries.series_views(uow(), item=item)
    except NoForecastError as error:
        return render(request, "forecast/item.html", item=item, views=[], missing=str(error), accuracy=[])
    return render(
        request,
        "forecast/item.html",
        item=item,
        views=[_card(v) for v in views],
        accuracy=queries.accuracy(uow(), item=item),
        missing="",
        labels=OVERRIDE_LABELS,
    )


@router.post("/{item}/overrides")
def override(
    request: Request,
    item: str,
    user: Annotated[User, Depends(require(Permission.FORECAST))],
    site: Annotated[str, Form()] = "",
    week: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Override a week's forecast; the series comes back with it, or with the error beside its field."""
    typed = {"week": week.strip(), "quantity": quantity.strip(), "reason": reason.strip()}
    errors: dict[str, str] = {}
    saved = ""
    try:
        done = override_forecast(
            work_as(request, user),
            item=item,
            site=site,
            week=forms.required_date("override", "week", week),
            quantity=forms.decimal("override", "quantity", quantity, user.locale),
            reason=typed["reason"],
            by=user.username,
        )
        saved = f"The week of {done.week} is now {done.quantity.normalize():f}: {done.reason}"
        typed = dict.fromkeys(OVERRIDE_LABELS, "")
    except PlantOpsError as error:
        errors = forms.place(error, typed, OVERRIDE_LABELS)
    view = next(v for v in queries.series_views(plant(request).uow(), item=item, site=site))
    return render(
        request,
        "forecast/series.html",
        card=_card(view),
        form=typed,
        errors=errors,
        saved=saved,
        labels=OVERRIDE_LABELS,
    )


def _card(view: SeriesView) -> dict[str, Any]:
    return {"view": view, "chart": charts.forecast(view), "weeks": [w.week for w in view.forecast]}
