"""Available-to-promise: projected on-hand and discrete ATP with look-ahead per period."""

from plantops.engines.atp.discrete import (
    AtpPeriod,
    AtpResult,
    Demand,
    Receipt,
    available_to_promise,
    discrete_atp,
    projected_on_hand,
    weekly_boundaries,
)

__all__ = [
    "AtpPeriod",
    "AtpResult",
    "Demand",
    "Receipt",
    "available_to_promise",
    "discrete_atp",
    "projected_on_hand",
    "weekly_boundaries",
]
