"""Demand classification by Syntetos, Boylan and Croston (2005).

Syntetos, A. A., Boylan, J. E., Croston, J. D. (2005). "On the categorization of demand
patterns". Journal of the Operational Research Society 56(5), 495-503.

Two statistics of a demand history ``y_1..y_n``:

- **ADI**, the average inter-demand interval: ``n / #{t: y_t > 0}``, the mean number of
  periods from one demand to the next;
- **CV²**, the squared coefficient of variation of the non-zero demand sizes
  ``(sd(z) / mean(z))**2`` (population standard deviation).

With the paper's cut-offs ADI = 1.32 and CV² = 0.49 they place a series in one of four
quadrants: smooth (regular, steady sizes), erratic (regular, variable sizes),
intermittent (sporadic, steady sizes), lumpy (sporadic, variable sizes). The sporadic
ones are forecast with the methods made for them (Croston SBA, TSB, ADIDA, IMAPA).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from plantops.vocabulary import DemandClass

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49

F64 = npt.NDArray[np.float64]


def inter_demand_interval(y: F64) -> float:
    """ADI: periods per period with demand (``inf`` when nothing ever sold)."""
    selling = int(np.count_nonzero(y > 0))
    return float("inf") if selling == 0 else float(y.size / selling)


def size_variation(y: F64) -> float:
    """CV² of the non-zero demand sizes (0 when there are fewer than two)."""
    sizes = y[y > 0]
    if sizes.size < 2:
        return 0.0
    return float((sizes.std() / sizes.mean()) ** 2)


def classify(adi: float, cv2: float) -> DemandClass:
    """The Syntetos-Boylan quadrant of a series with these statistics."""
    if adi < ADI_CUTOFF:
        return DemandClass.SMOOTH if cv2 < CV2_CUTOFF else DemandClass.ERRATIC
    return DemandClass.INTERMITTENT if cv2 < CV2_CUTOFF else DemandClass.LUMPY


def is_sporadic(demand_class: DemandClass) -> bool:
    """Intermittent and lumpy demand: forecast with the methods for sporadic demand."""
    return demand_class in (DemandClass.INTERMITTENT, DemandClass.LUMPY)
