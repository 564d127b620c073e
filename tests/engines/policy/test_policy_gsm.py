"""Guaranteed-service model: Graves-Willems dynamic programme on Snyder & Shen's trees."""

from __future__ import annotations

import numpy as np
import pytest

from plantops.engines.policy import ServiceNetwork, net_demand, optimize_network, optimize_tree
from plantops.errors import ValidationError
from tests.engines.policy.policy_instances import service_network

# Optimal outbound service times per stage label and the optimal cost.
TREES = [
    ("example_6_3", {1: 1, 2: 0, 3: 0}, 2.8284271247461903),
    ("example_6_5", {1: 0, 2: 0, 3: 0, 4: 1}, 8.277916867529369),
    ("problem_6_7", {1: 0, 2: 3, 3: 2}, 357.77087639996637),
    ("problem_6_8", {1: 3, 2: 10, 3: 0, 4: 28, 5: 13, 6: 5, 7: 0, 8: 18, 9: 13, 10: 12}, 1378.3020369043727),
    ("problem_6_9", {1: 3, 2: 3, 3: 0, 4: 0, 5: 0, 6: 2}, 15.649530249501026),
    ("figure_6_14", {1: 0, 2: 3, 3: 5, 4: 4, 5: 7, 6: 0, 7: 0, 8: 0, 9: 0, 10: 2}, 18.824004472592172),
]


@pytest.mark.parametrize(("name", "service_times", "cost"), TREES, ids=[row[0] for row in TREES])
def test_graves_willems_optimum(name: str, service_times: dict[int, int], cost: float) -> None:
    labels, network = service_network(name)

    placement = optimize_tree(network)

    assert dict(zip(labels, placement.outbound_service_time.tolist(), strict=True)) == service_times
    assert placement.cost == pytest.approx(cost)
    tau = placement.net_replenishment_time
    assert (tau >= 0).all()
    assert placement.safety_stock == pytest.approx(network.demand_bound * placement.demand_std * np.sqrt(tau))


def test_problem_6_9_net_demand_pools_the_deviations_downstream() -> None:
    labels, network = service_network("problem_6_9")

    mean, std = net_demand(network)
    by_label = dict(zip(labels, zip(mean.tolist(), std.tolist(), strict=True), strict=True))

    assert by_label[1] == pytest.approx((22.0, 4.1))
    assert by_label[3] == pytest.approx((37.3, np.hypot(4.1, 6.2)))
    assert by_label[6] == pytest.approx((37.3, np.hypot(4.1, 6.2)))


def test_every_service_time_choice_costs_at_least_the_optimum() -> None:
    _, network = service_network("example_6_5")
    best = optimize_tree(network).cost
    _, std = net_demand(network)
    upstream_of = {
        d: [u for u, dd in zip(network.upstream, network.downstream, strict=True) if dd == d] for d in range(4)
    }

    costs = []
    for s in np.ndindex(5, 5, 5, 5):
        times = np.array(s)
        inbound = np.array(
            [max([times[u] for u in upstream_of[k]], default=network.inbound_service_time[k]) for k in range(4)]
        )
        tau = inbound + network.processing_time - times
        external = (network.demand_std > 0) & (times > network.max_service_time)
        if (tau < 0).any() or external.any():
            continue
        costs.append(float(np.sum(network.holding_cost * network.demand_bound * std * np.sqrt(tau))))

    assert min(costs) == pytest.approx(best)


def _shared_component() -> ServiceNetwork:
    # stage 0 (a component) supplies stages 1 and 2 (two end items with demand); stage 3 supplies 0
    return ServiceNetwork.of(
        processing_time=[3, 2, 1, 5],
        holding_cost=[1.0, 3.0, 3.0, 0.5],
        upstream=[0, 0, 3],
        downstream=[1, 2, 0],
        units=[2.0, 1.0, 1.0],
        demand_mean=[0.0, 10.0, 20.0, 0.0],
        demand_std=[0.0, 3.0, 4.0, 0.0],
        demand_bound=1.645,
    )


def test_optimize_network_decouples_a_shared_component() -> None:
    network = _shared_component()

    placement = optimize_network(network)

    assert placement.decoupled.tolist() == [True, False, False, False]
    assert placement.outbound_service_time[0] == 0
    assert placement.demand_mean[0] == pytest.approx(2 * 10 + 20)
    assert placement.demand_std[0] == pytest.approx(np.hypot(2 * 3, 4))
    assert (placement.outbound_service_time[1:3] <= network.max_service_time[1:3]).all()


def test_optimize_tree_refuses_a_network_that_is_not_a_tree() -> None:
    network = ServiceNetwork.of(
        processing_time=[1, 1, 1, 1],
        holding_cost=1.0,
        upstream=[0, 0, 1, 2],
        downstream=[1, 2, 3, 3],
        demand_std=[0, 0, 0, 1],
    )

    with pytest.raises(ValidationError, match="not a tree"):
        optimize_tree(network)


def test_arcs_must_join_known_stages() -> None:
    with pytest.raises(ValidationError, match="upstream"):
        ServiceNetwork.of(processing_time=[1, 1], holding_cost=1.0, upstream=[0], downstream=[5])
