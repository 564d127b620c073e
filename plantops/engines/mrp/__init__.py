"""Material requirements planning: time-bucketed, multi-level, array-based (Orlicky 1975; Vollmann et al.).

Build an :class:`MrpProblem` from :class:`Nodes`, :class:`Boms`, :class:`SupplierItems`,
:class:`Calendar`, :class:`PlanningSettings`, :class:`Stock`, :class:`Demands` and
:class:`Receipts`; :func:`plan` it; after a change, :func:`replan` the nodes it touched.
:func:`peg` traces a planned order (:func:`peg_receipt` a scheduled receipt) to the end
demands it serves, :func:`supply_of` a demand to the supply that covers it at its node,
:func:`peg_down` to the supply that serves it at every level below.
"""

from plantops.engines.mrp.engine import plan, replan
from plantops.engines.mrp.kinds import ExceptionKind, LateCause, OrderKind, PegKind, SupplyKind
from plantops.engines.mrp.lotsizing import WagnerWhitinPlan, plan_cost, wagner_whitin
from plantops.engines.mrp.master_data import Boms, Nodes, SupplierItems
from plantops.engines.mrp.messages import Exceptions, MrpException
from plantops.engines.mrp.pegging import PegLine, SupplyLine, SupplyPeg, peg, peg_down, peg_receipt, supply_of
from plantops.engines.mrp.problem import MrpChanges, MrpProblem
from plantops.engines.mrp.result import MrpPlan, MrpRecord, PlannedOrders
from plantops.engines.mrp.timeline import Calendar, PlanningSettings
from plantops.engines.mrp.transactions import Demands, Receipts, Stock

__all__ = [
    "Boms",
    "Calendar",
    "Demands",
    "ExceptionKind",
    "Exceptions",
    "LateCause",
    "MrpChanges",
    "MrpException",
    "MrpPlan",
    "MrpProblem",
    "MrpRecord",
    "Nodes",
    "OrderKind",
    "PegKind",
    "PegLine",
    "PlannedOrders",
    "PlanningSettings",
    "Receipts",
    "Stock",
    "SupplierItems",
    "SupplyKind",
    "SupplyLine",
    "SupplyPeg",
    "WagnerWhitinPlan",
    "peg",
    "peg_down",
    "peg_receipt",
    "plan",
    "plan_cost",
    "replan",
    "supply_of",
    "wagner_whitin",
]
