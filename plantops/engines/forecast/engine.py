"""Forecast many demand series at once, each with the method that suits its history.

:func:`forecast_demand` takes a history in the long format (``unique_id, ds, y``) and for
each series:

1. classifies its demand (smooth, erratic, intermittent, lumpy; :mod:`.classify`);
2. routes it: a series that never changes is repeated (``constant``); a new item with
   little history is forecast by analogy (:mod:`.analogy`) while its history is shorter
   than the horizon plus ``min_train``; a series too short to cross-validate gets the mean
   of its history with its normal interval (``short_history``); every other series is
   cross-validated;
3. cross-validates the candidates of its cohort (:mod:`.candidates`) with statsforecast
   over rolling origins and scores them on MASE: the series is forecast by the mean of
   the candidates close enough to the best (:mod:`.selection`);
4. fits the pool on the whole history and forecasts the horizon with prediction
   intervals at the asked levels (a pool of several averages its members' bounds).

Demand forecasts and bounds below zero are raised to zero (``non_negative``).

The cross-validated series go through statsforecast in chunks of :data:`CHUNK` series of
one cohort. Each chunk is an independent piece (:class:`SeriesChunk` in, :func:`forecast_chunk`
a pure module-level function, :class:`ChunkForecast` out), handed to the ``map_chunks``
function the caller gives (:mod:`plantops.engines.fanout`): in this process by default,
or on other processes or machines. The outcomes are taken in the chunks' order, so the
result is the same wherever the chunks ran. A batch with no more cross-validated series
than one chunk holds is forecast in this process whatever the map (its few cohorts'
chunks take less time than starting workers for them).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import HistoricAverage

from plantops.engines.fanout import MapFunction, serial_map
from plantops.engines.forecast.accuracy import naive_scales
from plantops.engines.forecast.analogy import Launch, forecast_by_analogy
from plantops.engines.forecast.candidates import (
    WIDTH_DONOR,
    Cohort,
    build_models,
    candidate_names,
    cohort_of,
    fallback_model,
)
from plantops.engines.forecast.classify import classify, inter_demand_interval, is_sporadic, size_variation
from plantops.engines.forecast.frames import SeriesBatch, like_input, read_history
from plantops.engines.forecast.result import (
    ForecastResult,
    SeriesForecast,
    SeriesValues,
    fitted_frame,
    forecast_frame,
)
from plantops.engines.forecast.selection import Choice, choose
from plantops.engines.forecast.settings import ForecastSettings
from plantops.errors import ValidationError
from plantops.vocabulary import DemandClass, ForecastMethod

Progress = Callable[[int, int], None]
"""Told how many series are done, of how many."""

F64 = npt.NDArray[np.float64]
#: Series per statsforecast call, and per piece of work handed to ``map_chunks``: the
#: progress callback hears of each chunk as it finishes.
CHUNK = 400


@dataclass(frozen=True)
class _Profile:
    index: int
    length: int
    adi: float
    cv2: float
    demand_class: DemandClass
    constant: bool
    mase_scale: float
    rmsse_scale: float


def forecast_demand(
    history: Any,
    settings: ForecastSettings,
    *,
    launches: Sequence[Launch] = (),
    fitted: bool = False,
    progress: Progress | None = None,
    map_chunks: MapFunction = serial_map,
) -> ForecastResult:
    """Forecast every series of ``history`` (pandas or polars, long format) ``settings.horizon`` periods ahead.

    ``launches`` are new series forecast by analogy (they need no rows in ``history``);
    ``fitted`` asks for the in-sample one-step forecasts too (for reconciliation);
    ``map_chunks`` runs the chunks of cross-validated series (:func:`forecast_chunk`),
    in this process unless told otherwise.
    """
    run = forecast_batch(history, settings, launches=launches, fitted=fitted, progress=progress, map_chunks=map_chunks)
    return run.result(history)


def forecast_batch(
    history: Any,
    settings: ForecastSettings,
    *,
    launches: Sequence[Launch] = (),
    fitted: bool = False,
    progress: Progress | None = None,
    map_chunks: MapFunction = serial_map,
) -> BatchForecast:
    """The forecasts of :func:`forecast_demand` before they are raised to zero and framed."""
    batch = read_history(history)
    profiles = {uid: _profile(batch, index, settings) for index, uid in enumerate(batch.ids)}
    launch_of = _check_launches(launches, profiles, settings)
    cohorts: dict[Cohort, list[int]] = {}
    short: list[int] = []
    constant: list[int] = []
    for uid, profile in profiles.items():
        if uid in launch_of:
            continue
        cohort = cohort_of(profile.length, is_sporadic(profile.demand_class), settings)
        if profile.constant:
            constant.append(profile.index)
        elif cohort is None:
            short.append(profile.index)
        else:
            cohorts.setdefault(cohort, []).append(profile.index)
    total = len(set(profiles) | {launch.unique_id for launch in launches})
    run = BatchForecast(batch, profiles, settings, fitted, total, progress)
    chunks = [
        run.chunk(cohort, members[start : start + CHUNK])
        for cohort, members in cohorts.items()
        for start in range(0, len(members), CHUNK)
    ]
    fits_one_chunk = sum(len(members) for members in cohorts.values()) <= CHUNK
    run.cross_validated(chunks, serial_map if fits_one_chunk else map_chunks)
    run.short_history(short)
    run.constant(constant)
    for launch in launches:
        run.analogy(launch)
    return run


def _profile(batch: SeriesBatch, index: int, settings: ForecastSettings) -> _Profile:
    y = batch.values(index)
    adi, cv2 = inter_demand_interval(y), size_variation(y)
    mase_scale, rmsse_scale = naive_scales(y, settings.mase_season)
    return _Profile(index, y.size, adi, cv2, classify(adi, cv2), bool(np.ptp(y) == 0), mase_scale, rmsse_scale)


def _check_launches(
    launches: Sequence[Launch], profiles: dict[str, _Profile], settings: ForecastSettings
) -> dict[str, Launch]:
    """The launches still short of history, after checking what they are like."""
    launching = {launch.unique_id for launch in launches}
    for launch in launches:
        for analog in launch.like:
            if analog not in profiles:
                raise ValidationError(f"launch {launch.unique_id}", "like", f"no history for {analog!r}")
            if analog in launching:
                raise ValidationError(f"launch {launch.unique_id}", "like", f"{analog!r} is itself a new series")
    enough = settings.horizon + settings.min_train
    return {
        launch.unique_id: launch
        for launch in launches
        if launch.unique_id not in profiles or profiles[launch.unique_id].length < enough
    }


@dataclass(frozen=True)
class SeriesChunk:
    """Series of one cohort cross-validated together: their rows (long format, series in the order of
    ``ids``), each one's MASE scale, and how to forecast them (``fitted``: with in-sample forecasts)."""

    cohort: Cohort
    ids: tuple[str, ...]
    rows: pd.DataFrame
    mase_scales: tuple[float, ...]
    settings: ForecastSettings
    fitted: bool


@dataclass(frozen=True)
class ChunkForecast:
    """A chunk's forecasts, in the order of its ``ids``, each with the choice that made it; and every
    candidate's forecast when the settings keep them."""

    series: tuple[tuple[SeriesValues, Choice], ...]
    candidates: pd.DataFrame | None


def forecast_chunk(chunk: SeriesChunk) -> ChunkForecast:
    """Cross-validate the candidates of a chunk's cohort, choose each series' pool, and forecast it.

    Pure and module-level, so that a ``map_chunks`` function may run it in another process.
    """
    settings, cohort = chunk.settings, chunk.cohort
    names = candidate_names(cohort, settings)
    scales = dict(zip(chunk.ids, chunk.mase_scales, strict=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cv = _statsforecast(build_models(names, cohort, settings, final=False), cohort, settings).cross_validation(
            h=cohort.cv_horizon,
            df=chunk.rows,
            n_windows=cohort.cv_windows,
            step_size=cohort.cv_step,
            refit=cohort.sporadic,  # the sporadic models have no `forward`; the others are fitted once
        )
    choices = choose(cv, names, scales, settings.pool_tolerance)
    needed = names if settings.keep_candidates else [n for n in names if any(n in c.members for c in choices.values())]
    forecasts, fitted = _final(chunk.rows, needed, cohort, settings, chunk.fitted)
    blocks = _blocks(forecasts, settings.horizon)
    fitted_blocks = _ragged_blocks(fitted) if fitted is not None else {}
    series = []
    for uid in chunk.ids:
        choice = choices[uid]
        values = _combined(blocks[uid], choice, settings.levels, cohort)
        if uid in fitted_blocks:
            frame = fitted_blocks[uid]
            values.fitted = frame[list(choice.members)].to_numpy(dtype=np.float64).mean(axis=1)
            values.fitted_periods = frame["ds"].to_numpy()
        series.append((values, choice))
    candidates = forecasts[["unique_id", "ds", *names]] if settings.keep_candidates else None
    return ChunkForecast(tuple(series), candidates)


def _final(
    rows: pd.DataFrame, names: list[str], cohort: Cohort, settings: ForecastSettings, fitted: bool
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    sf = _statsforecast(build_models(names, cohort, settings, final=True), cohort, settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forecasts = sf.forecast(h=settings.horizon, df=rows, level=list(settings.levels) or None, fitted=fitted)
    return forecasts, sf.forecast_fitted_values() if fitted else None  # type: ignore[no-untyped-call]


def _statsforecast(models: list[Any], cohort: Cohort | None, settings: ForecastSettings) -> StatsForecast:
    fallback = fallback_model(cohort) if cohort is not None else None
    return StatsForecast(models=models, freq=settings.freq, n_jobs=settings.n_jobs, fallback_model=fallback)


class BatchForecast:
    """The forecasts of a batch as they are made, series by series."""

    def __init__(
        self,
        batch: SeriesBatch,
        profiles: dict[str, _Profile],
        settings: ForecastSettings,
        fitted: bool,
        total: int,
        progress: Progress | None,
    ) -> None:
        self.batch, self.profiles, self.settings, self.fitted = batch, profiles, settings, fitted
        self.total, self.done, self.progress = total, 0, progress
        self.series: dict[str, SeriesForecast] = {}
        self.values: dict[str, SeriesValues] = {}
        self.candidates: list[pd.DataFrame] = []

    def _advance(self, count: int) -> None:
        self.done += count
        if self.progress is not None and count:
            self.progress(self.done, self.total)

    def chunk(self, cohort: Cohort, members: list[int]) -> SeriesChunk:
        """The series at ``members`` as a piece of work for :func:`forecast_chunk`."""
        ids = tuple(self.batch.ids[i] for i in members)
        scales = tuple(self.profiles[uid].mase_scale for uid in ids)
        return SeriesChunk(cohort, ids, self.batch.rows_of(members), scales, self.settings, self.fitted)

    def cross_validated(self, chunks: Sequence[SeriesChunk], map_chunks: MapFunction) -> None:
        """Forecast the chunks with ``map_chunks``, progress told as each finishes, recorded in their order."""
        outcomes = map_chunks(forecast_chunk, chunks, lambda position: self._advance(len(chunks[position].ids)))
        for chunk, outcome in zip(chunks, outcomes, strict=True):
            if outcome.candidates is not None:
                self.candidates.append(outcome.candidates)
            for uid, (values, choice) in zip(chunk.ids, outcome.series, strict=True):
                self._record(
                    uid, values, ForecastMethod.CROSS_VALIDATED, choice.name, choice.cv_mase, choice.candidates
                )

    def short_history(self, members: list[int]) -> None:
        """The mean of the history with its normal interval (statsforecast's HistoricAverage)."""
        if not members:
            return
        settings = self.settings
        sf = _statsforecast([HistoricAverage()], None, settings)
        forecasts = sf.forecast(
            h=settings.horizon, df=self.batch.rows_of(members), level=list(settings.levels) or None, fitted=self.fitted
        )
        blocks = _blocks(forecasts, settings.horizon)
        fitted_blocks = _ragged_blocks(sf.forecast_fitted_values()) if self.fitted else {}  # type: ignore[no-untyped-call]
        for index in members:
            uid = self.batch.ids[index]
            values = _values_of(blocks[uid], "HistoricAverage", settings.levels)
            for level in settings.levels:  # one observation has no spread: its interval is the point
                values.lower[level] = np.where(np.isnan(values.lower[level]), values.point, values.lower[level])
                values.upper[level] = np.where(np.isnan(values.upper[level]), values.point, values.upper[level])
            if uid in fitted_blocks:
                values.fitted = fitted_blocks[uid]["HistoricAverage"].to_numpy(dtype=np.float64)
                values.fitted_periods = fitted_blocks[uid]["ds"].to_numpy()
            self._record(uid, values, ForecastMethod.SHORT_HISTORY, "HistoricAverage", float("nan"))
        self._advance(len(members))

    def constant(self, members: list[int]) -> None:
        """A history that never changes, repeated, with no spread."""
        for index in members:
            y = self.batch.values(index)
            point = np.full(self.settings.horizon, y[-1])
            values = SeriesValues(
                _future_periods(self.batch.last_period(index), self.settings),
                point,
                {level: point.copy() for level in self.settings.levels},
                {level: point.copy() for level in self.settings.levels},
            )
            if self.fitted:
                values.fitted = y.copy()
                values.fitted_periods = self.batch.periods_of(index)
            self._record(self.batch.ids[index], values, ForecastMethod.CONSTANT, "Constant", float("nan"))
        self._advance(len(members))

    def result(self, given: Any) -> ForecastResult:
        """The forecasts, raised to zero if the settings say so, framed like the history ``given``."""
        values = {uid: self.values[uid] for uid in sorted(self.values)}
        if self.settings.non_negative:
            for v in values.values():
                raise_to_zero(v)
        frames = _frames(self.batch, values, self.candidates, self.settings, self.fitted)
        series = [self.series[uid] for uid in sorted(self.series)]
        return ForecastResult(series, *(like_input(frame, given) if frame is not None else None for frame in frames))

    def residuals(self, uid: str) -> pd.Series:
        """The in-sample one-step errors ``y - fitted`` of a series with fitted values, by period."""
        values = self.values[uid]
        index = self.profiles[uid].index
        fitted = values.fitted if values.fitted is not None else np.full(self.profiles[uid].length, np.nan)
        return pd.Series(self.batch.values(index) - fitted, index=self.batch.periods_of(index))

    def analogy(self, launch: Launch) -> None:
        profiles = self.profiles
        if launch.unique_id in self.values:  # its own history is long enough now
            return
        analogs = [self.values[uid] for uid in launch.like]
        levels = [float(np.mean(self.batch.values(profiles[uid].index))) for uid in launch.like]
        values = forecast_by_analogy(launch, analogs, levels)
        own = profiles.get(launch.unique_id)
        first = self.series[launch.like[0]]
        self.series[launch.unique_id] = SeriesForecast(
            launch.unique_id,
            own.demand_class if own is not None and own.length > 1 else first.demand_class,
            own.adi if own else float("nan"),
            own.cv2 if own else float("nan"),
            ForecastMethod.ANALOGY,
            "Analogy",
            float("nan"),
            own.length if own else 0,
            own.mase_scale if own else float("nan"),
            own.rmsse_scale if own else float("nan"),
            launch.note,
        )
        self.values[launch.unique_id] = values
        self._advance(1)

    def _record(
        self,
        uid: str,
        values: SeriesValues,
        method: ForecastMethod,
        model: str,
        cv_mase: float,
        candidates: dict[str, float] | None = None,
    ) -> None:
        p = self.profiles[uid]
        self.series[uid] = SeriesForecast(
            uid,
            p.demand_class,
            p.adi,
            p.cv2,
            method,
            model,
            cv_mase,
            p.length,
            p.mase_scale,
            p.rmsse_scale,
            candidate_mase=candidates or {},
        )
        self.values[uid] = values


def _blocks(forecasts: pd.DataFrame, horizon: int) -> dict[str, pd.DataFrame]:
    forecasts = forecasts.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    ids = forecasts["unique_id"].astype(str).to_numpy()
    return {str(ids[start]): forecasts.iloc[start : start + horizon] for start in range(0, len(forecasts), horizon)}


def _ragged_blocks(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    frame = frame.assign(unique_id=frame["unique_id"].astype(str))
    return {str(uid): part for uid, part in frame.groupby("unique_id", sort=False)}


def _values_of(block: pd.DataFrame, name: str, levels: tuple[int, ...]) -> SeriesValues:
    return SeriesValues(
        block["ds"].to_numpy(),
        block[name].to_numpy(dtype=np.float64),
        {level: block[f"{name}-lo-{level}"].to_numpy(dtype=np.float64) for level in levels},
        {level: block[f"{name}-hi-{level}"].to_numpy(dtype=np.float64) for level in levels},
    )


def _combined(block: pd.DataFrame, choice: Choice, levels: tuple[int, ...], cohort: Cohort) -> SeriesValues:
    """The chosen model's forecast, or the mean of the chosen members' forecasts and bounds.

    Members without intervals of their own (sporadic models on histories too short for
    conformal intervals) take the width of the historic average's interval around their
    point forecast.
    """
    members = []
    for name in choice.members:
        if levels and f"{name}-lo-{levels[0]}" not in block.columns:
            donor = _values_of(block, WIDTH_DONOR, levels)
            point = block[name].to_numpy(dtype=np.float64)
            members.append(
                SeriesValues(
                    donor.periods,
                    point,
                    {level: point - (donor.point - donor.lower[level]) for level in levels},
                    {level: point + (donor.upper[level] - donor.point) for level in levels},
                )
            )
        else:
            members.append(_values_of(block, name, levels))
    if len(members) == 1:
        return members[0]
    return SeriesValues(
        members[0].periods,
        np.mean([m.point for m in members], axis=0),
        {level: np.mean([m.lower[level] for m in members], axis=0) for level in levels},
        {level: np.mean([m.upper[level] for m in members], axis=0) for level in levels},
    )


def _future_periods(last: Any, settings: ForecastSettings) -> npt.NDArray[Any]:
    if isinstance(settings.freq, int):
        return np.asarray(last + settings.freq * np.arange(1, settings.horizon + 1))
    return np.asarray(pd.date_range(last, periods=settings.horizon + 1, freq=settings.freq)[1:].to_numpy())


def raise_to_zero(values: SeriesValues) -> None:
    values.point = np.maximum(values.point, 0.0)
    for bounds in (values.lower, values.upper):
        for level in bounds:
            bounds[level] = np.maximum(bounds[level], 0.0)


def _frames(
    batch: SeriesBatch,
    values: dict[str, SeriesValues],
    candidates: list[pd.DataFrame],
    settings: ForecastSettings,
    fitted: bool,
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    forecasts = forecast_frame(values, settings.sorted_levels)
    in_sample = fitted_frame(values, batch.frame) if fitted else None
    every = pd.concat(candidates, ignore_index=True) if candidates else None
    return forecasts, in_sample, every
