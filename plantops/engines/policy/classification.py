"""ABC classification by annual value and XYZ classification by demand variability.

- **ABC** (Pareto analysis; Silver, Pyke & Thomas, *Inventory and Production Management in
  Supply Chains*, 4th ed., 2017, ch. 2, "the distribution by value"): rank the rows by annual
  value ``D_i v_i`` (annual demand times unit value), largest first; a row is class A while
  the cumulative share of value *before* it is below ``a_share``, B while below ``b_share``,
  C after. The row that crosses a boundary still belongs to the class it starts in.
- **XYZ** (Scholz-Reiter, Heger, Meinecke & Bergmann, "Integration of demand forecasts in
  ABC-XYZ analysis", *Int. J. of Productivity and Performance Management* 61(4), 2012):
  the coefficient of variation ``CV = sigma / mu`` of demand per period; X below ``x_limit``
  (steady), Y below ``y_limit`` (fluctuating), Z above (erratic or intermittent). Rows
  without demand are Z.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from plantops.engines.policy._checks import F64, floats, same_length
from plantops.errors import ValidationError
from plantops.vocabulary import AbcClass, XyzClass


def abc_classes(annual_value: ArrayLike, *, a_share: float = 0.8, b_share: float = 0.95) -> list[AbcClass]:
    """The ABC class of each row from its annual value (``a_share`` and ``b_share`` of total value)."""
    value = floats(annual_value, "ABC classification", "annual_value")
    if not 0 < a_share < b_share <= 1:
        raise ValidationError("ABC classification", "a_share", f"need 0 < {a_share:g} < {b_share:g} <= 1")
    total = value.sum()
    if total == 0:
        return [AbcClass.C] * value.size
    order = np.argsort(-value, kind="stable")
    before: F64 = np.empty(value.size)
    before[order] = (np.cumsum(value[order]) - value[order]) / total
    return [AbcClass.A if b < a_share else AbcClass.B if b < b_share else AbcClass.C for b in before.tolist()]


def xyz_classes(
    mean: ArrayLike, std: ArrayLike, *, x_limit: float = 0.5, y_limit: float = 1.0
) -> tuple[list[XyzClass], F64]:
    """The XYZ class and the coefficient of variation of each row's demand per period."""
    mu = floats(mean, "XYZ classification", "mean")
    sigma = floats(std, "XYZ classification", "std")
    same_length("XYZ classification", mean=mu, std=sigma)
    if not 0 < x_limit < y_limit:
        raise ValidationError("XYZ classification", "x_limit", f"need 0 < {x_limit:g} < {y_limit:g}")
    with np.errstate(divide="ignore", invalid="ignore"):
        variation: F64 = np.where(mu > 0, sigma / np.where(mu > 0, mu, 1.0), np.inf)
    classes = [XyzClass.X if v < x_limit else XyzClass.Y if v < y_limit else XyzClass.Z for v in variation.tolist()]
    return classes, variation
