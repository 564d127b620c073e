"""The forecast is the same whatever map function runs its chunks, in whatever order they finish."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

import numpy as np
import pandas as pd
import pytest

from plantops.engines.fanout import Finished, serial_map
from plantops.engines.forecast import ForecastResult, ForecastSettings, Launch, forecast_demand
from plantops.engines.forecast import engine as forecast_engine
from plantops.engines.forecast.hierarchical import forecast_hierarchy
from plantops.engines.forecast.reconcile import Reconciliation

Piece = TypeVar("Piece")
Outcome = TypeVar("Outcome")

WEEKS = pd.date_range("2023-01-02", periods=110, freq="W-MON")
MODELS = ("SeasonalNaive", "AutoETS", "DynamicOptimizedTheta", "CrostonSBA", "TSB")
#: Series per chunk in these tests, so that a few dozen series make several chunks per cohort.
SMALL_CHUNK = 5


def _history() -> pd.DataFrame:
    """Seasonal, sporadic, constant and short weekly series of several lengths (so several cohorts)."""
    rng = np.random.default_rng(11)
    frames = []
    for i in range(36):
        n = 110 if i % 4 == 0 else int(rng.integers(20, 110))
        if i % 3 == 0:
            y = np.where(rng.random(n) < 0.3, rng.gamma(2, 3, n).round() + 1, 0.0)
        else:
            y = rng.poisson(20 + 8 * np.sin(2 * np.pi * np.arange(n) / 52)).astype(float)
        y = np.full(n, 5.0) if i == 7 else y
        frames.append(pd.DataFrame({"unique_id": f"S{i:02d}", "ds": WEEKS[-n:], "y": y}))
    return pd.concat(frames, ignore_index=True)


def _settings(**changes: object) -> ForecastSettings:
    values: dict[str, object] = {"horizon": 8, "freq": "W-MON", "season_length": 52, "levels": (80, 95)}
    values.update(changes, models=MODELS)
    return ForecastSettings(**values)  # type: ignore[arg-type]


def reversed_map(
    function: Callable[[Piece], Outcome], pieces: Sequence[Piece], finished: Finished | None = None
) -> list[Outcome]:
    """The pieces run last first, as a cluster may finish them: the outcomes still come in the pieces' order."""
    outcomes: dict[int, Outcome] = {}
    for position in reversed(range(len(pieces))):
        outcomes[position] = function(pieces[position])
        if finished is not None:
            finished(position)
    return [outcomes[position] for position in range(len(pieces))]


def process_pool_map(
    function: Callable[[Piece], Outcome], pieces: Sequence[Piece], finished: Finished | None = None
) -> list[Outcome]:
    """The pieces on two fresh worker processes (pickled there and back)."""
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(function, piece) for piece in pieces]
        outcomes = [future.result() for future in futures]
    if finished is not None:
        for position in range(len(pieces)):
            finished(position)
    return outcomes


def _assert_same(result: ForecastResult, reference: ForecastResult) -> None:
    pd.testing.assert_frame_equal(result.forecasts, reference.forecasts, check_exact=True)
    for frame, expected in ((result.fitted, reference.fitted), (result.candidates, reference.candidates)):
        assert (frame is None) == (expected is None)
        if frame is not None:
            pd.testing.assert_frame_equal(frame, expected, check_exact=True)
    assert [repr(s) for s in result.series] == [repr(s) for s in reference.series]


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forecast_engine, "CHUNK", SMALL_CHUNK)


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return _history()


def test_chunks_finishing_in_reverse_order_give_the_serial_forecast_and_its_candidates(
    history: pd.DataFrame,
) -> None:
    settings = _settings(keep_candidates=True)
    launches = [Launch("NEW", ("S01", "S02"))]
    serial = forecast_demand(history, settings, launches=launches, fitted=True)

    shuffled = forecast_demand(history, settings, launches=launches, fitted=True, map_chunks=reversed_map)

    _assert_same(shuffled, serial)


def test_chunks_run_in_other_processes_give_the_serial_reconciled_hierarchy(history: pd.DataFrame) -> None:
    attributes = {uid: {"family": f"F{int(uid[1:]) % 3}", "site": f"X{int(uid[1:]) % 2}"} for uid in history.unique_id}
    full = history[history.groupby("unique_id")["ds"].transform("size") == len(WEEKS)]
    groupings = ((), ("family",), ("site",))
    arguments = (full, attributes, groupings, _settings(), Reconciliation.MINT_SHRINK)
    serial, hierarchy = forecast_hierarchy(*arguments)

    elsewhere, _ = forecast_hierarchy(*arguments, map_chunks=process_pool_map)

    assert len(hierarchy.ids) > SMALL_CHUNK  # more than one chunk went to the pool
    _assert_same(elsewhere, serial)


def test_progress_is_told_as_each_chunk_finishes(history: pd.DataFrame) -> None:
    serial: list[tuple[int, int]] = []
    shuffled: list[tuple[int, int]] = []
    forecast_demand(history, _settings(), progress=lambda done, total: serial.append((done, total)))

    forecast_demand(
        history, _settings(), progress=lambda done, total: shuffled.append((done, total)), map_chunks=reversed_map
    )

    total = history.unique_id.nunique()
    assert serial[-1] == shuffled[-1] == (total, total)
    assert len(shuffled) == len(serial) > total // SMALL_CHUNK  # once per chunk, then the rest
    assert [done for done, _ in shuffled] == sorted(done for done, _ in shuffled)


def test_serial_map_keeps_the_order_and_tells_each_position() -> None:
    told: list[int] = []

    outcomes = serial_map(str.upper, ["a", "b", "c"], told.append)

    assert (outcomes, told) == (["A", "B", "C"], [0, 1, 2])


def test_a_batch_that_fits_one_chunk_is_forecast_here_whatever_the_map(history: pd.DataFrame) -> None:
    handed_out: list[int] = []

    def recording_map(
        function: Callable[[Piece], Outcome], pieces: Sequence[Piece], finished: Finished | None = None
    ) -> list[Outcome]:
        handed_out.append(len(pieces))
        return serial_map(function, pieces, finished)

    few = history[history.unique_id.isin(["S00", "S01", "S02", "S04", "S05"])]  # a chunk's worth, in two cohorts
    forecast_demand(few, _settings(), map_chunks=recording_map)
    assert handed_out == []

    forecast_demand(history[history.unique_id <= "S06"], _settings(), map_chunks=recording_map)
    assert handed_out and handed_out[0] > 1
