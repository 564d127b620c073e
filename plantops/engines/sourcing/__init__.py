"""Sourcing under supply disruption (Snyder & Shen, *Fundamentals of Supply Chain Theory*, 2nd ed., ch. 9).

- :mod:`.disruptions`: the EOQ with disruptions (9.5), exact and Snyder's approximation, and the base-stock
  level with disruptions (9.14, 9.18);
- :mod:`.split`: the split of an item's demand across its suppliers with the least expected annual cost.
"""

from plantops.engines.sourcing.disruptions import (
    DisruptedBaseStock,
    DisruptedOrderQuantities,
    eoq_with_disruptions,
    eoq_with_disruptions_cost,
    newsvendor_with_disruptions,
    newsvendor_with_disruptions_cost,
)
from plantops.engines.sourcing.split import SourcingSplit, SupplierTerms, sourcing_split

__all__ = [
    "DisruptedBaseStock",
    "DisruptedOrderQuantities",
    "SourcingSplit",
    "SupplierTerms",
    "eoq_with_disruptions",
    "eoq_with_disruptions_cost",
    "newsvendor_with_disruptions",
    "newsvendor_with_disruptions_cost",
    "sourcing_split",
]
