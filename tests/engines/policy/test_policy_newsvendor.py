"""Newsvendor and base-stock levels: Snyder & Shen's examples (instances from stockpyl's data)."""

from __future__ import annotations

import pytest

from plantops.engines.policy import Demand, base_stock_level, newsvendor, newsvendor_cost, newsvendor_profit
from tests.engines.policy.policy_instances import load


def test_example_4_1_normal_newsvendor() -> None:
    data = load("example_4_1")

    level, cost = newsvendor(
        Demand.of("normal", data["demand_mean"], data["demand_sd"]), data["holding_cost"], data["stockout_cost"]
    )

    assert level[0] == pytest.approx(56.60395592743389)
    assert cost[0] == pytest.approx(1.9976051931766445)


def test_example_4_1_cost_of_another_level() -> None:
    data = load("example_4_1")
    demand = Demand.of("normal", data["demand_mean"], data["demand_sd"])

    assert newsvendor_cost(demand, 60, data["holding_cost"], data["stockout_cost"])[0] == pytest.approx(
        2.156131552870387
    )


def test_example_4_2_newsvendor_with_revenue_cost_and_salvage_value() -> None:
    data = load("example_4_2")

    level, profit = newsvendor_profit(
        Demand.of("normal", data["demand_mean"], data["demand_sd"]),
        data["revenue"],
        data["purchase_cost"],
        data["salvage_value"],
    )

    assert level[0] == pytest.approx(56.60395592743389)
    assert profit[0] == pytest.approx(33.002394806823354)


def test_problem_4_1_normal_newsvendor() -> None:
    data = load("problem_4_1")

    level, cost = newsvendor(
        Demand.of("normal", data["demand_mean"], data["demand_sd"]), data["holding_cost"], data["stockout_cost"]
    )

    assert level[0] == pytest.approx(922.7214038234755)
    assert cost[0] == pytest.approx(2718.196781782411)


def test_problem_4_3b_newsvendor_profit() -> None:
    data = load("problem_4_3b")

    level, _ = newsvendor_profit(
        Demand.of("normal", data["demand_mean"], data["demand_sd"]),
        data["revenue"],
        data["purchase_cost"],
        data["salvage_value"],
    )

    assert level[0] == pytest.approx(59.084578685373856)


def test_example_4_4_base_stock_level_with_a_lead_time() -> None:
    data = load("example_4_4")

    level, cost = base_stock_level(
        Demand.of("normal", data["demand_mean"], data["demand_sd"]),
        data["lead_time"],
        data["holding_cost"],
        data["stockout_cost"],
    )

    assert level[0] == pytest.approx(264.76689437415484)
    assert cost[0] == pytest.approx(4.466781004149577)


def test_problem_4_8a_poisson_newsvendor() -> None:
    data = load("problem_4_8a")

    level, cost = newsvendor(Demand.of("poisson", data["demand_mean"]), data["holding_cost"], data["stockout_cost"])

    assert level[0] == 19
    assert cost[0] == pytest.approx(786.0884409351079)


def test_poisson_newsvendor_takes_the_smallest_level_reaching_the_critical_fractile() -> None:
    demand = Demand.of("poisson", 50)

    level, cost = newsvendor(demand, 0.18, 0.70)
    ratio = 0.70 / 0.88

    assert level[0] == 56
    assert demand.cdf(55)[0] < ratio <= demand.cdf(56)[0]
    assert cost[0] == pytest.approx(1.797235211809178)
