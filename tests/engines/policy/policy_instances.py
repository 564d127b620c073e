"""Reference instances from the ``stockpyl`` package's data: Snyder & Shen's examples and problems."""

from __future__ import annotations

import warnings
from typing import Any

from plantops.engines.policy import Demand, SerialSystem, ServiceNetwork


def load(name: str) -> Any:
    """The instance ``name`` (e.g. ``example_5_1``) as stockpyl stores it: a dict or a network."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from stockpyl.instances import load_instance

        return load_instance(name)


def serial_system(name: str, demand: Demand | None = None) -> SerialSystem:
    """A serial network (stage 1 downstream) as a :class:`SerialSystem`; its own demand unless given."""
    nodes = sorted(load(name).nodes, key=lambda node: node.index)
    source = nodes[0].demand_source
    if demand is None:
        if source.type == "P":
            demand = Demand.of("poisson", source.mean)
        else:
            demand = Demand.of("normal", source.mean, source.standard_deviation)
    return SerialSystem.of(
        echelon_holding_cost=[node.echelon_holding_cost for node in nodes],
        lead_time=[node.shipment_lead_time for node in nodes],
        stockout_cost=nodes[0].stockout_cost,
        demand=demand,
    )


def service_network(name: str) -> tuple[list[int], ServiceNetwork]:
    """A guaranteed-service tree as a :class:`ServiceNetwork`, with the stage labels in row order."""
    nodes = sorted(load(name).nodes, key=lambda node: node.index)
    row = {node.index: position for position, node in enumerate(nodes)}
    arcs = [(row[node.index], row[successor.index]) for node in nodes for successor in node.successors()]

    def demand(node: Any, field: str) -> float:
        source = node.demand_source
        return float(getattr(source, field) or 0.0) if source is not None and source.type else 0.0

    return [node.index for node in nodes], ServiceNetwork.of(
        processing_time=[node.processing_time for node in nodes],
        holding_cost=[node.local_holding_cost for node in nodes],
        upstream=[u for u, _ in arcs],
        downstream=[d for _, d in arcs],
        demand_mean=[demand(node, "mean") for node in nodes],
        demand_std=[demand(node, "standard_deviation") for node in nodes],
        max_service_time=[node.external_outbound_cst or 0 for node in nodes],
        inbound_service_time=[node.external_inbound_cst or 0 for node in nodes],
        demand_bound=[node.demand_bound_constant for node in nodes],
    )
