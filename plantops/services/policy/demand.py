"""Weekly demand per item and site: its mean and its deviation, own and through the users.

Own demand of a node comes from the sales history (weekly, ``sales_history``) and the
current forecast (``demand_forecast``):

- **mean**: the forecast's average over the weeks of the coming ``horizon_weeks`` that
  the node has a forecast for, else the average of its history since its first recorded
  week;
- **deviation**: the root mean square of the forecast errors (history less the forecast
  made for the same week) where at least ``MIN_ERROR_WEEKS`` weeks have both, else the
  standard deviation of its history. Weekly residuals (errors, or deviations from the
  history's mean) are kept as series.

Dependent demand is exploded through the supply network
(:mod:`~plantops.services.policy.network`) week by week: the mean and the residual series
of each node are its own plus its users' times their usage, so that a component used
twice by one item, or by items sold together, keeps their correlation. The deviation is
the root mean square of the exploded residuals over the weeks since the earliest first
sale among the node and its users (divided by their number less one).
A BOM with co-products runs for its driver: the output needing the most runs on average.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from plantops.db.sales import DemandForecast, SalesHistory
from plantops.services.policy.network import NodeKey, SupplyNetwork
from plantops.vocabulary import DemandBasis, VariabilityBasis

F64 = NDArray[np.float64]
ONE_WEEK = dt.timedelta(weeks=1)
#: Weeks with both a forecast and a sale needed before forecast errors measure the deviation.
MIN_ERROR_WEEKS = 8


@dataclass(frozen=True)
class OwnDemand:
    """What each (item, site) sold and is forecast to sell, over the history window's weeks."""

    weeks: list[dt.date]
    history: dict[NodeKey, F64]  # weekly sales, zero where nothing was recorded
    first_week: dict[NodeKey, int]  # index of the first recorded week
    past_forecast: dict[NodeKey, F64]  # forecasts made for the history's weeks (NaN where none)
    forecast_mean: dict[NodeKey, float]  # mean forecast per week over the horizon

    def seeds(self) -> list[NodeKey]:
        """The nodes with any own demand, in a stable order."""
        return sorted(set(self.history) | set(self.forecast_mean))


@dataclass(frozen=True)
class NodeDemand:
    """Per node of the network (in its order): weekly demand statistics and their bases."""

    own_mean: F64
    own_std: F64
    mean: F64
    std: F64
    drivers: list[tuple[int, float]]  # per BOM run of the network: the output it runs for, its units per run
    weeks: NDArray[np.int64]  # weeks behind the deviation
    demand_basis: list[DemandBasis]
    variability_basis: list[VariabilityBasis]


def read_own_demand(session: Session, today: dt.date, *, history_weeks: int, horizon_weeks: int) -> OwnDemand:
    """Sales history of the ``history_weeks`` weeks before ``today``'s week, forecasts up to the horizon."""
    monday = today - dt.timedelta(days=today.weekday())
    first = monday - history_weeks * ONE_WEEK
    weeks = [first + w * ONE_WEEK for w in range(history_weeks)]
    position = {week: w for w, week in enumerate(weeks)}
    history: dict[NodeKey, F64] = defaultdict(lambda: np.zeros(history_weeks))
    for item, site, start, quantity in session.execute(
        select(SalesHistory.item_id, SalesHistory.site_id, SalesHistory.period_start, SalesHistory.quantity).where(
            SalesHistory.period_start >= first, SalesHistory.period_start < monday
        )
    ):
        week = position.get(start - dt.timedelta(days=start.weekday()))
        if week is not None:
            history[(item, site)][week] += float(quantity)
    past: dict[NodeKey, F64] = defaultdict(lambda: np.full(history_weeks, np.nan))
    future: dict[NodeKey, float] = defaultdict(float)
    future_weeks: dict[NodeKey, set[dt.date]] = defaultdict(set)
    horizon_end = monday + horizon_weeks * ONE_WEEK
    for item, site, start, quantity in session.execute(
        select(
            DemandForecast.item_id, DemandForecast.site_id, DemandForecast.period_start, DemandForecast.quantity
        ).where(DemandForecast.period_start >= first, DemandForecast.period_start < horizon_end)
    ):
        week_start = start - dt.timedelta(days=start.weekday())
        if week_start >= monday:
            future[(item, site)] += float(quantity)
            future_weeks[(item, site)].add(week_start)
        elif (week := position.get(week_start)) is not None:
            series = past[(item, site)]
            series[week] = float(quantity) + (0.0 if np.isnan(series[week]) else series[week])
    first_week = {}
    for key, series in history.items():
        recorded = np.flatnonzero(series > 0)
        first_week[key] = int(recorded[0]) if recorded.size else history_weeks
    forecast_mean = {key: total / len(future_weeks[key]) for key, total in future.items()}
    return OwnDemand(weeks, dict(history), first_week, dict(past), forecast_mean)


def node_demand(network: SupplyNetwork, own: OwnDemand) -> NodeDemand:
    """Mean, deviation and their bases per node, own demand and its users' exploded together."""
    size, span = len(network.nodes), len(own.weeks)
    own_mean = np.zeros(size)
    residual = np.zeros((size, span))
    start = np.full(size, span)
    from_errors = np.ones(size, np.bool_)  # every contributing own demand is measured by forecast errors
    has_own = np.zeros(size, np.bool_)
    basis: list[DemandBasis] = [DemandBasis.USERS] * size
    for node, key in enumerate(network.nodes):
        series = own.history.get(key)
        if series is None and key not in own.forecast_mean:
            continue
        has_own[node] = True
        series = np.zeros(span) if series is None else series
        first = own.first_week.get(key, span)
        active = series[first:]
        history_mean = float(active.mean()) if active.size else 0.0
        if key in own.forecast_mean:
            own_mean[node], basis[node] = own.forecast_mean[key], DemandBasis.FORECAST
        else:
            own_mean[node], basis[node] = history_mean, DemandBasis.HISTORY
        deviation = np.where(np.arange(span) >= first, series - history_mean, 0.0)
        forecast = own.past_forecast.get(key)
        matched = np.zeros(span, np.bool_) if forecast is None else ~np.isnan(forecast) & (np.arange(span) >= first)
        if matched.sum() >= MIN_ERROR_WEEKS and forecast is not None:
            deviation = np.where(matched, series - np.nan_to_num(forecast), deviation)
        else:
            from_errors[node] = False
        residual[node], start[node] = deviation, first
    own_std = np.sqrt((residual**2).sum(axis=1) / np.maximum(span - start - 1, 1))
    explode = _Exploder(network, own_mean)
    mean = explode.values(own_mean[:, None])[:, 0]
    residual = explode.values(residual)
    start = explode.earliest(start)
    from_errors = explode.all_of(from_errors, has_own)
    weeks = np.maximum(span - start, 0)
    std = np.sqrt((residual**2).sum(axis=1) / np.maximum(weeks - 1, 1))
    return NodeDemand(
        own_mean=own_mean,
        own_std=own_std,
        mean=mean,
        std=std,
        drivers=explode.drivers,
        weeks=weeks.astype(np.int64),
        demand_basis=basis,
        variability_basis=[
            VariabilityBasis.FORECAST_ERRORS if errors else VariabilityBasis.HISTORY for errors in from_errors.tolist()
        ],
    )


class _Exploder:
    """Adds users' demand to their suppliers, node by node in the network's users-first order."""

    def __init__(self, network: SupplyNetwork, own_mean: F64) -> None:
        self.network = network
        size = len(network.nodes)
        # per supplier: (user, units per unit of the user) of transfers and of BOM runs' drivers
        self.users: list[list[tuple[int, float]]] = [[] for _ in range(size)]
        for node, source in network.transfer_from.items():
            self.users[source].append((node, 1.0))
        mean = self._first_pass(own_mean[:, None])[:, 0]
        self.drivers = [max(run.outputs, key=lambda out: mean[out[0]] / out[1]) for run in network.runs]
        for run, (driver, per_run) in zip(network.runs, self.drivers, strict=True):
            for node, quantity in run.inputs:
                self.users[node].append((driver, quantity / per_run))

    def _first_pass(self, own: F64) -> F64:
        """Totals before the drivers are known: each run made for the output that needs the most runs."""
        network = self.network
        total = own.astype(np.float64).copy()
        runs_needed = np.zeros((len(network.runs), own.shape[1]))
        inputs: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for r, run in enumerate(network.runs):
            for node, quantity in run.inputs:
                inputs[node].append((r, quantity))
        ready = [False] * len(network.runs)
        for node in range(len(network.nodes)):
            for user, units in self.users[node]:
                total[node] += units * total[user]
            for r, quantity in inputs.get(node, []):
                if not ready[r]:
                    runs_needed[r] = np.max([total[out] / per_run for out, per_run in network.runs[r].outputs], axis=0)
                    ready[r] = True
                total[node] += quantity * runs_needed[r]
        return total

    def values(self, own: F64) -> F64:
        """Exploded ``own`` (nodes x columns): linear, each run driven by its driver."""
        total = own.astype(np.float64).copy()
        for node in range(len(self.network.nodes)):
            for user, units in self.users[node]:
                total[node] += units * total[user]
        return total

    def earliest(self, own: NDArray[np.int64]) -> NDArray[np.int64]:
        result = own.copy()
        for node in range(len(self.network.nodes)):
            for user, _ in self.users[node]:
                result[node] = min(result[node], result[user])
        return result

    def all_of(self, own: NDArray[np.bool_], has_own: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """True where every node contributing demand has ``own`` True (nodes without demand count as True)."""
        result = own | ~has_own
        for node in range(len(self.network.nodes)):
            for user, _ in self.users[node]:
                result[node] &= result[user]
        return result
