"""Forecast versions from the demo plant's sales history, published to MRP, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from plantops.bootstrap import PlantOps
from plantops.db.catalog import Item
from plantops.db.forecasting import ForecastInterval, ForecastOverride, ForecastSeries, ForecastValue, ForecastVersion
from plantops.db.sales import DemandForecast
from plantops.db.sites import Site
from plantops.engines.forecast.reconcile import Reconciliation
from plantops.errors import NotFoundError, ValidationError
from plantops.services import demo
from plantops.services.forecasting import overrides, publish, queries, runs
from plantops.services.forecasting.runs import ForecastRequest
from plantops.services.planning import queries as plan_queries
from plantops.services.planning import runs as plan_runs
from plantops.services.planning.problem import PlanRequest
from plantops.vocabulary import DemandClass, ForecastMethod

AS_OF = dt.date(2026, 11, 16)  # a Monday: history runs to the week of 9 November
FIRST_WEEK = AS_OF
#: Cheap candidates keep the tests quick; the selection itself is tested in tests/engines/forecast.
FAST = ("SeasonalNaive", "DynamicOptimizedTheta", "CrostonSBA", "TSB")


def _request(**changes: object) -> ForecastRequest:
    values: dict[str, object] = {"horizon": 26, "levels": (80, 95), "models": FAST}
    values.update(changes)
    return ForecastRequest(**values)  # type: ignore[arg-type]


@pytest.fixture
def plant(ops: PlantOps) -> PlantOps:
    demo.seed_demo_plant(ops.uow(), as_of=AS_OF, seed=42)
    return ops


def _published(ops: PlantOps, item: str, site: str) -> dict[dt.date, Decimal]:
    with ops.uow() as uow:
        rows = uow.session.execute(
            select(DemandForecast.period_start, DemandForecast.quantity)
            .join(Item, Item.id == DemandForecast.item_id)
            .join(Site, Site.id == DemandForecast.site_id)
            .where(Item.code == item, Site.code == site)
        ).all()
    return {week: quantity for week, quantity in rows}


def _count(ops: PlantOps, model: type) -> int:
    with ops.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model)) or 0


def test_a_run_writes_a_version_of_every_series_and_publishes_it(plant: PlantOps) -> None:
    summary = runs.run_forecast(plant.uow(), _request(), run_by="planner")

    assert (summary.number, summary.series, summary.first_week, summary.published) == (
        "FC-000001",
        10,
        FIRST_WEEK,
        True,
    )
    assert summary.classes == {"smooth": 7, "lumpy": 2, "intermittent": 1}
    assert _count(plant, ForecastValue) == 10 * 26
    assert _count(plant, ForecastInterval) == 10 * 26 * 2
    [view] = queries.series_views(plant.uow(), item="SPARE-HANGER-01")
    assert view.demand_class in (DemandClass.INTERMITTENT, DemandClass.LUMPY)
    assert view.method is ForecastMethod.CROSS_VALIDATED
    assert view.model in ("CrostonSBA", "TSB", "mean(CrostonSBA, TSB)", "mean(TSB, CrostonSBA)")
    assert view.version == "FC-000001" and view.published
    assert view.safety_stock_hint is not None and view.service_level == 0.975
    assert all(w.lower[95] <= w.lower[80] <= w.statistical <= w.upper[80] <= w.upper[95] for w in view.forecast)
    assert {w.week: Decimal(str(w.statistical)) for w in view.forecast} == _published(
        plant, "SPARE-HANGER-01", "PLANT-BIKE"
    )
    with plant.uow() as uow:
        made = uow.session.execute(
            select(ForecastVersion.created_by, ForecastVersion.published_by, ForecastVersion.history_end)
        ).one()
    assert tuple(made) == ("planner", "planner", AS_OF - dt.timedelta(weeks=1))


def test_mrp_consumes_the_published_forecast(plant: PlantOps) -> None:
    runs.run_forecast(plant.uow(), _request(), run_by="planner")
    published = _published(plant, "BIKE-CITY-M", "DC-NORTH")

    plan_runs.run_plan(plant.uow(), PlanRequest(start=AS_OF, weeks=26), run_by="planner")
    [table] = plan_queries.mrp_table(plant.uow(), item="BIKE-CITY-M", site="DC-NORTH")

    # open sales orders fall due within 12 weeks; later weeks are the forecast alone
    for week, gross in zip(table.buckets[14:], table.rows["gross_requirements"][14:], strict=True):
        assert gross == pytest.approx(float(published[week]))
    assert sum(table.rows["gross_requirements"][14:]) > 0


def test_overrides_are_published_at_once_and_survive_new_versions_with_who_and_why(plant: PlantOps) -> None:
    runs.run_forecast(plant.uow(), _request(), run_by="planner")
    statistical = _published(plant, "BIKE-CITY-M", "DC-NORTH")[dt.date(2027, 3, 1)]

    made = overrides.override_forecast(
        plant.uow(),
        item="BIKE-CITY-M",
        site="DC-NORTH",
        week=dt.date(2027, 3, 3),
        quantity="90",
        reason="spring promotion with Velohaus",
        by="anna",
    )
    after_override = _published(plant, "BIKE-CITY-M", "DC-NORTH")[dt.date(2027, 3, 1)]
    second = runs.run_forecast(plant.uow(), _request(), run_by="planner")
    [view] = queries.series_views(plant.uow(), item="BIKE-CITY-M", site="DC-NORTH")

    assert (made.week, made.statistical_quantity, made.version) == (dt.date(2027, 3, 1), statistical, "FC-000001")
    assert after_override == 90
    assert second.number == "FC-000002"
    assert _published(plant, "BIKE-CITY-M", "DC-NORTH")[dt.date(2027, 3, 1)] == 90
    [kept] = view.overrides
    assert (kept.week, kept.quantity, kept.by, kept.reason) == (
        dt.date(2027, 3, 1),
        90,
        "anna",
        "spring promotion with Velohaus",
    )
    week = next(w for w in view.forecast if w.week == dt.date(2027, 3, 1))
    assert (week.published, week.statistical != 90) == (90, True)


def test_bad_input_names_the_field_and_changes_nothing(plant: PlantOps) -> None:
    runs.run_forecast(plant.uow(), _request(), run_by="planner")
    before = _published(plant, "BIKE-CITY-M", "DC-NORTH")

    cases = [
        (lambda: runs.run_forecast(plant.uow(), _request(horizon=0), run_by="p"), "forecast: horizon: must be 1 to"),
        (lambda: runs.run_forecast(plant.uow(), _request(levels=(80, 100)), run_by="p"), "forecast: levels:"),
        (lambda: runs.run_forecast(plant.uow(), _request(models=("Prophet",)), run_by="p"), "forecast: models:"),
    ]
    for call, message in cases:
        with pytest.raises(ValidationError, match=message):
            call()
    with pytest.raises(NotFoundError, match="unknown item 'NO-SUCH-ITEM'"):
        runs.run_forecast(plant.uow(), _request(items=("NO-SUCH-ITEM",)), run_by="p")
    override = {"item": "BIKE-CITY-M", "site": "DC-NORTH", "week": dt.date(2027, 1, 4), "by": "anna"}
    with pytest.raises(ValidationError, match="override: quantity: must be at least 0"):
        overrides.override_forecast(plant.uow(), **override, quantity="-5", reason="returns")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="override: quantity: not a number"):
        overrides.override_forecast(plant.uow(), **override, quantity="lots", reason="x")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="override: reason: say why"):
        overrides.override_forecast(plant.uow(), **override, quantity="5", reason="  ")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="override: week: the week of 2026-11-09 has sales history"):
        overrides.override_forecast(
            plant.uow(),
            item="BIKE-CITY-M",
            site="DC-NORTH",
            week=dt.date(2026, 11, 12),
            quantity="5",
            reason="x",
            by="a",
        )
    with pytest.raises(NotFoundError, match="unknown site 'MOON'"):
        overrides.override_forecast(plant.uow(), **{**override, "site": "MOON"}, quantity="5", reason="x")  # type: ignore[arg-type]
    with pytest.raises(NotFoundError, match="unknown forecast version 'FC-999999'"):
        overrides.publish(plant.uow(), "FC-999999", by="anna")

    assert _count(plant, ForecastVersion) == 1 and _count(plant, ForecastOverride) == 0
    assert _published(plant, "BIKE-CITY-M", "DC-NORTH") == before


def test_a_failed_run_leaves_the_forecast_in_force(plant: PlantOps, monkeypatch: pytest.MonkeyPatch) -> None:
    runs.run_forecast(plant.uow(), _request(), run_by="planner")
    before = _published(plant, "SKIM-PAST", "PLANT-DAIRY")

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut while publishing")

    monkeypatch.setattr(runs, "publish_version", crash)
    with pytest.raises(RuntimeError):
        runs.run_forecast(plant.uow(), _request(horizon=8), run_by="planner")

    assert _count(plant, ForecastVersion) == 1 and _count(plant, ForecastSeries) == 10
    assert _published(plant, "SKIM-PAST", "PLANT-DAIRY") == before


def test_an_unpublished_version_changes_nothing_until_it_is_published(plant: PlantOps) -> None:
    runs.run_forecast(plant.uow(), _request(), run_by="planner")
    before = _published(plant, "SKIM-PAST", "PLANT-DAIRY")

    draft = runs.run_forecast(plant.uow(), _request(horizon=4, items=("SKIM-PAST",), publish=False), run_by="p")
    unchanged = _published(plant, "SKIM-PAST", "PLANT-DAIRY")
    written = overrides.publish(plant.uow(), draft.number, by="anna")
    after = _published(plant, "SKIM-PAST", "PLANT-DAIRY")

    assert (draft.series, draft.published, unchanged) == (1, False, before)
    assert written == 4
    assert sorted(after) == sorted(before)[:4]  # the later weeks of the first version are replaced too
    assert _published(plant, "SKIM-BTL-1L", "PLANT-DAIRY") != {}  # other items keep theirs


def test_a_new_item_is_forecast_like_a_similar_item(plant: PlantOps) -> None:
    overrides.launch_item(
        plant.uow(),
        item="BIKE-MTB-29",
        site="DC-NORTH",
        like="BIKE-CITY-M",
        factor="0.5",
        reason="mountain bikes go on sale at the DC",
        by="anna",
    )
    runs.run_forecast(plant.uow(), _request(reconciliation=Reconciliation.NONE), run_by="planner")

    [launched] = queries.series_views(plant.uow(), item="BIKE-MTB-29", site="DC-NORTH")
    [like] = queries.series_views(plant.uow(), item="BIKE-CITY-M", site="DC-NORTH")
    assert (launched.method, launched.note) == (ForecastMethod.ANALOGY, f"like {_uid(plant, 'BIKE-CITY-M')} x 0.5")
    assert [w.statistical for w in launched.forecast] == pytest.approx(
        [0.5 * w.statistical for w in like.forecast], abs=1e-3
    )
    with pytest.raises(ValidationError, match="launch: like: an item cannot be like itself"):
        overrides.launch_item(
            plant.uow(), item="BIKE-MTB-29", site="DC-NORTH", like="BIKE-MTB-29", reason="x", by="anna"
        )


def _uid(ops: PlantOps, item: str) -> str:
    with ops.uow() as uow:
        item_id = uow.session.scalar(select(Item.id).where(Item.code == item))
        site = uow.session.scalar(select(Site.id).where(Site.code == "DC-NORTH"))
    return f"{item_id}/{site}"


_ = publish
