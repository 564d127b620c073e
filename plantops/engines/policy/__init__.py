"""Inventory policies: classification, safety stock, order quantities, optimal single- and
multi-echelon policies, and their simulation.

Every function works on :class:`Demand` (normal, Poisson or gamma demand over an interval,
many rows at once) and cites its source in its module:

- :mod:`.classification`: ABC by annual value, XYZ by coefficient of variation;
- :mod:`.service_levels`: cycle service level and fill rate of reorder points and
  order-up-to levels, and the levels that meet a target (safety stock);
- :mod:`.eoq`: economic order quantity, all-units and incremental discounts;
- :mod:`.newsvendor`: newsvendor and base-stock levels;
- :mod:`.rq`: continuous-review (r, Q), exact cost, optimum (Federgruen-Zheng), least cost
  meeting a service target;
- :mod:`.ss`: periodic-review (s, S), exact optimum (Zheng-Federgruen), least cost meeting
  a service target;
- :mod:`.serial`: serial systems, Clark-Scarf exact and the Shang-Song heuristic;
- :mod:`.gsm`: the guaranteed-service model, Graves-Willems dynamic programme;
- :mod:`.simulation`: a policy's achieved service and cost on sampled demand.
"""

from plantops.engines.policy.classification import abc_classes, xyz_classes
from plantops.engines.policy.distributions import Demand, choose_distribution, lead_time_demand
from plantops.engines.policy.eoq import (
    OrderQuantity,
    all_units_discount,
    economic_order_quantity,
    incremental_discount,
)
from plantops.engines.policy.gsm import (
    ServiceNetwork,
    ServicePlacement,
    net_demand,
    optimize_network,
    optimize_tree,
)
from plantops.engines.policy.newsvendor import base_stock_level, newsvendor, newsvendor_cost, newsvendor_profit
from plantops.engines.policy.rq import (
    ReorderPolicy,
    expected_backorders,
    expected_on_hand,
    least_cost_rq,
    optimal_rq,
    rq_cost,
)
from plantops.engines.policy.serial import SerialPolicy, SerialSystem, clark_scarf, evaluate_serial, shang_song
from plantops.engines.policy.service_levels import (
    cycle_service_level,
    fill_rate,
    order_up_to_for_target,
    periodic_fill_rate,
    reorder_point_for_target,
)
from plantops.engines.policy.simulation import Estimate, Replenishment, SimulationResult, simulate
from plantops.engines.policy.ss import PeriodicPolicy, evaluate_ss, least_cost_ss, optimal_ss

__all__ = [
    "Demand",
    "Estimate",
    "OrderQuantity",
    "PeriodicPolicy",
    "ReorderPolicy",
    "Replenishment",
    "SerialPolicy",
    "SerialSystem",
    "ServiceNetwork",
    "ServicePlacement",
    "SimulationResult",
    "abc_classes",
    "all_units_discount",
    "base_stock_level",
    "choose_distribution",
    "clark_scarf",
    "cycle_service_level",
    "economic_order_quantity",
    "evaluate_serial",
    "evaluate_ss",
    "expected_backorders",
    "expected_on_hand",
    "fill_rate",
    "incremental_discount",
    "lead_time_demand",
    "least_cost_rq",
    "least_cost_ss",
    "net_demand",
    "newsvendor",
    "newsvendor_cost",
    "newsvendor_profit",
    "optimal_rq",
    "optimal_ss",
    "optimize_network",
    "optimize_tree",
    "order_up_to_for_target",
    "periodic_fill_rate",
    "reorder_point_for_target",
    "rq_cost",
    "shang_song",
    "simulate",
    "xyz_classes",
]
