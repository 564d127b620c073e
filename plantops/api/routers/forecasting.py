"""Demand forecasting: a forecast run (a background job) publishing a version to MRP, the
versions, an item's series with its intervals, planner overrides, new items launched by
analogy, and the accuracy realised."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import AfterValidator, BaseModel, Field

from plantops.api.problems import problem_responses
from plantops.api.routers.jobs import JobOut, submitted
from plantops.api.schemas import Code, Exact, ListQuery, Page, Quantity, QuantityOrZero, Schema, Text, page_of
from plantops.api.security import Forecaster, Reader
from plantops.engines.forecast import CANDIDATE_MODELS
from plantops.engines.forecast.reconcile import Reconciliation
from plantops.engines.forecast.settings import IntervalMethod
from plantops.services.forecasting import overrides, queries, runs
from plantops.services.forecasting.queries import AccuracyView, SeriesView, VersionView

router = APIRouter(prefix="/forecasts", tags=["forecasting"], responses=problem_responses(401, 403, 404, 409, 422))

FORECAST_STEPS = ("read", "forecast", "write")


def _known_model(name: str) -> str:
    if name not in CANDIDATE_MODELS:
        raise ValueError(f"unknown model {name!r} (known: {', '.join(CANDIDATE_MODELS)})")
    return name


class ForecastRunIn(Schema):
    horizon: int = Field(default=26, ge=1, le=runs.MAX_HORIZON_WEEKS, description="Weeks to forecast.")
    levels: list[Annotated[int, Field(ge=1, le=99)]] = Field(default=[80, 95], max_length=5)
    items: list[Code] = Field(default_factory=list, max_length=10_000, description="Only these items (all: empty).")
    reconciliation: Reconciliation = Reconciliation.MINT_SHRINK
    intervals: IntervalMethod = IntervalMethod.MODEL
    models: list[Annotated[str, AfterValidator(_known_model)]] = Field(
        default_factory=list, max_length=len(CANDIDATE_MODELS), description="Candidate models (all: empty)."
    )
    publish: bool = Field(default=True, description="Publish the new version to MRP's demand forecast.")


@router.post(
    "/runs",
    response_model=JobOut,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Forecast in the background; follow the job at its Location",
)
def start_forecast(body: ForecastRunIn, caller: Forecaster, request: Request, response: Response) -> JobOut:
    forecast_request = runs.ForecastRequest(
        horizon=body.horizon,
        levels=tuple(body.levels),
        items=tuple(body.items),
        reconciliation=body.reconciliation,
        intervals=body.intervals,
        models=tuple(body.models) or CANDIDATE_MODELS,
        publish=body.publish,
    )
    return submitted(request, response, "forecast", forecast_request, caller.username)


@router.get("/versions", response_model=Page[VersionView], summary="Forecast versions, newest first")
def versions(query: Annotated[ListQuery, Query()], caller: Reader) -> Page[VersionView]:
    found = queries.versions(caller.uow(), limit=None)  # one a forecast run: few enough to sort and count here
    return page_of(found, query, tuple(f.name for f in dataclasses.fields(VersionView)))


@router.get(
    "/series/{item:path}",
    response_model=list[SeriesView],
    summary="An item's history, forecast with its intervals, and overrides, per site",
)
def series(
    item: str,
    caller: Reader,
    site: Annotated[Code | None, Query()] = None,
    history_weeks: Annotated[int, Query(ge=0, le=520)] = 52,
) -> list[SeriesView]:
    return queries.series_views(caller.uow(), item=item, site=site, history_weeks=history_weeks)


class OverrideIn(Schema):
    item: Code
    site: Code
    week: dt.date = Field(description="Any day of the week; the override is for its Monday's week.")
    quantity: QuantityOrZero
    reason: Text


class OverrideOut(BaseModel):
    item: str
    site: str
    week: dt.date
    quantity: Exact
    statistical_quantity: Exact | None
    version: str | None
    reason: str
    created_by: str
    created_at: dt.datetime


@router.post(
    "/overrides",
    response_model=OverrideOut,
    status_code=status.HTTP_201_CREATED,
    summary="Set a week's forecast of an item at a site, saying why",
)
def override(body: OverrideIn, caller: Forecaster) -> OverrideOut:
    view = overrides.override_forecast(
        caller.uow(),
        item=body.item,
        site=body.site,
        week=body.week,
        quantity=body.quantity,
        reason=body.reason,
        by=caller.username,
    )
    return OverrideOut(**dataclasses.asdict(view))


class LaunchIn(Schema):
    item: Code
    site: Code
    like: Code | None = Field(default=None, description="An item whose demand the new one will have.")
    factor: Quantity = Field(default=Decimal(1), description="The new item's demand as a multiple of the like item's.")
    weekly_quantity: QuantityOrZero | None = Field(
        default=None, description="Or a weekly quantity instead of a like item."
    )
    reason: Text


@router.post(
    "/launches",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Forecast a new item like a similar one (or from its family's profile)",
)
def launch(body: LaunchIn, caller: Forecaster) -> Response:
    overrides.launch_item(
        caller.uow(),
        item=body.item,
        site=body.site,
        like=body.like,
        factor=body.factor,
        weekly_quantity=body.weekly_quantity,
        reason=body.reason,
        by=caller.username,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class PublishedOut(BaseModel):
    version: str
    rows: int = Field(description="Rows written to MRP's demand forecast.")


@router.post("/versions/{number}/publish", response_model=PublishedOut, summary="Publish a forecast version to MRP")
def publish(number: str, caller: Forecaster) -> PublishedOut:
    return PublishedOut(version=number, rows=overrides.publish(caller.uow(), number, by=caller.username))


class AccuracyQuery(ListQuery):
    version: Code | None = None
    item: Code | None = None
    latest_only: bool = True


@router.get("/accuracy", response_model=Page[AccuracyView], summary="Accuracy realised per version, item and site")
def accuracy(query: Annotated[AccuracyQuery, Query()], caller: Reader) -> Page[AccuracyView]:
    found = queries.accuracy(caller.uow(), version=query.version, item=query.item, latest_only=query.latest_only)
    return page_of(found, query, tuple(f.name for f in dataclasses.fields(AccuracyView)))
