"""Prediction intervals of combinations, and the safety stock they imply.

A combination's interval is the mean of its members' bounds, the simple average of
interval endpoints (Gaba, Tsetlin and Winkler 2017, "Combining interval forecasts",
Decision Analysis 14(1), 1-20), which keeps the combination's point forecast inside.

**Safety stock hint.** The upper bound ``u_t`` of a central interval at level ``L`` is the
``(1 + L) / 2`` quantile of demand in period ``t``, so ``u_t - f_t`` is the stock above the
forecast ``f_t`` that covers that period's demand with that probability. Over a protection
period of ``p`` periods (lead time plus review period) with independent forecast errors,
the excesses add in quadrature:

    safety_stock = sqrt(sum_{t=1..p} (u_t - f_t) ** 2)

which for normal errors is ``z * sqrt(sum sigma_t**2)``, the textbook
``z * sigma * sqrt(p)`` when every period is alike (Silver, Pyke and Thomas 2017,
"Inventory and Production Management in Supply Chains", ch. 6).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]


def service_level(level: int) -> float:
    """The cycle service level the upper bound of a central interval at ``level`` percent stands for."""
    return (100 + level) / 200


def safety_stock_hint(point: F64, upper: F64, protection_periods: int) -> float:
    """Stock above the forecast that covers the first ``protection_periods`` periods at the bound's level."""
    periods = max(1, min(protection_periods, point.size))
    excess = np.maximum(upper[:periods] - point[:periods], 0.0)
    return float(np.sqrt(np.sum(excess**2)))
