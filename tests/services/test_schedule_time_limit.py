"""A solve's time limit is more than 0 and at most the bound the API and the CLI share, on every use case."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from plantops.bootstrap import PlantOps, build
from plantops.config import Settings
from plantops.errors import ValidationError
from plantops.services.scheduling import runs

START = dt.datetime(2026, 11, 16, 6, tzinfo=dt.UTC)


@pytest.fixture
def ops(tmp_path: Path) -> Iterator[PlantOps]:
    plant = build(Settings(database_url=f"sqlite:///{tmp_path / 'plant.db'}"))
    plant.migrate()
    yield plant
    plant.close()


@pytest.mark.parametrize("seconds", [0.0, -1.0, runs.MAX_TIME_LIMIT_S + 1, math.inf, math.nan])
def test_scheduling_refuses_a_time_limit_outside_the_bound(ops: PlantOps, seconds: float) -> None:
    request = runs.ScheduleRequest(horizon_start=START, weeks=1, time_limit_s=seconds)

    with pytest.raises(ValidationError, match="time_limit: must be more than 0 and at most 600 seconds"):
        runs.schedule_work(ops.uow(), request)


@pytest.mark.parametrize("seconds", [math.inf, math.nan])
def test_a_repair_refuses_the_time_limit_before_recording_anything(ops: PlantOps, seconds: float) -> None:
    with pytest.raises(ValidationError, match="repair: time_limit"):  # not "unknown work center": checked first
        runs.disrupt(
            ops.uow(),
            "NO-SUCH-CENTER",
            starts_at=START,
            ends_at=START + dt.timedelta(hours=2),
            now=START,
            time_limit_s=seconds,
        )
