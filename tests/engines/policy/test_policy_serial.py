"""Serial systems: Clark-Scarf exact levels and the Shang-Song heuristic on the textbook instances."""

from __future__ import annotations

import numpy as np
import pytest

from plantops.engines.policy import Demand, clark_scarf, evaluate_serial, shang_song
from plantops.errors import ValidationError
from tests.engines.policy.policy_instances import serial_system

# Shang & Song (2003), Table 1 rows 1, 9, 17, 25 (Poisson demand): optimal echelon levels and cost.
SHANG_SONG = [
    ("shang_song_1", [8, 13, 18, 22], 12.688),
    ("shang_song_9", [9, 10, 13, 19], 53.008),
    ("shang_song_17", [11, 17, 22, 27], 16.206),
    ("shang_song_25", [11, 14, 18, 26], 74.564),
]


def test_example_6_1_clark_scarf_optimal_levels() -> None:
    policy = clark_scarf(serial_system("example_6_1"))

    # Snyder & Shen, Example 6.1: local base-stock levels 6.49, 5.53 and 10.69
    assert policy.local_base_stock == pytest.approx([6.49, 5.53, 10.69], abs=0.011)
    assert policy.echelon_base_stock == pytest.approx(np.cumsum(policy.local_base_stock))
    assert policy.cost == pytest.approx(47.66, abs=0.01)


def test_example_6_1_with_poisson_demand() -> None:
    policy = clark_scarf(serial_system("example_6_1", Demand.of("poisson", 5)))

    assert policy.echelon_base_stock.tolist() == [9, 15, 26]
    assert policy.cost == pytest.approx(72.0435433050749, rel=1e-4)


@pytest.mark.parametrize(("name", "levels", "cost"), SHANG_SONG)
def test_shang_song_instances_clark_scarf_optimum(name: str, levels: list[int], cost: float) -> None:
    policy = clark_scarf(serial_system(name))

    assert policy.echelon_base_stock.tolist() == levels
    assert policy.cost == pytest.approx(cost, abs=5e-4)


@pytest.mark.parametrize(("name", "levels", "cost"), SHANG_SONG)
def test_shang_song_heuristic_is_near_the_optimum(name: str, levels: list[int], cost: float) -> None:
    heuristic = shang_song(serial_system(name))

    assert cost - 5e-4 <= heuristic.cost <= cost * 1.01  # the table gives costs to three decimals
    assert np.abs(heuristic.echelon_base_stock - levels).max() <= 2


def test_example_6_1_shang_song_heuristic_levels() -> None:
    heuristic = shang_song(serial_system("example_6_1"))

    assert heuristic.echelon_base_stock == pytest.approx([6.490880975286938, 12.027434723327854, 22.634032391786285])
    assert 47.66 <= heuristic.cost <= 47.66 * 1.001


def test_evaluating_the_optimal_levels_gives_the_optimal_cost_and_others_cost_more() -> None:
    system = serial_system("shang_song_9")
    best = clark_scarf(system)

    assert evaluate_serial(system, best.echelon_base_stock) == pytest.approx(best.cost)
    for stage in range(system.stages):
        for change in (-1, 1):
            levels = best.echelon_base_stock.copy()
            levels[stage] += change
            assert evaluate_serial(system, levels) > best.cost


def test_serial_system_needs_one_lead_time_per_stage() -> None:
    from plantops.engines.policy import SerialSystem

    with pytest.raises(ValidationError, match="lead_time"):
        SerialSystem.of(echelon_holding_cost=[1, 2], lead_time=[1], stockout_cost=10, demand=Demand.of("poisson", 3))
