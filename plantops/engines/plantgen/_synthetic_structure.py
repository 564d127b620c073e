"""The drawn structure of a synthetic plant, and the exact-value helpers its row builders share.

Items are numbered level by level (finished goods first), so a level is a range of
indices and every "is made from" edge points to a higher index.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

#: Levels of the product structure when there are enough items (16 or more).
MAX_LEVELS = 8
#: Mean number of BOM lines per made item beyond the two that make the structure deep.
EXTRA_COMPONENTS = 5
#: Share of the items on each level; the last (bought) level takes what is left.
LEVEL_WEIGHTS = (0.05, 0.07, 0.08, 0.09, 0.10, 0.12, 0.14)

#: The plant that makes everything, and the distribution centers that sell transferred goods.
PLANT = "PLANT-1"
DCS = ("DC-EAST", "DC-WEST")


@functools.cache
def whole_decimals(upper: int) -> tuple[Decimal, ...]:
    """``Decimal(0) .. Decimal(upper - 1)``, built once."""
    return tuple(Decimal(i) for i in range(upper))


@functools.cache
def tenth_decimals(upper: int) -> tuple[Decimal, ...]:
    """``0.0, 0.1, .. (upper - 1) / 10`` as Decimals, built once."""
    return tuple(Decimal(i).scaleb(-1) for i in range(upper))


def pick(values: Sequence[Any], index: npt.NDArray[np.integer[Any]]) -> list[Any]:
    """``[values[i] for i in index]``, at numpy speed."""
    table = np.empty(len(values), dtype=object)
    table[:] = list(values)
    result: list[Any] = table[index].tolist()
    return result


def money(values: Floats) -> list[Decimal]:
    """Amounts rounded to 4 decimals, exactly."""
    return [Decimal(v).scaleb(-4) for v in np.rint(values * 1e4).astype(np.int64).tolist()]


def positions(groups: Ints) -> Ints:
    """1-based position of each element within its run of equal, sorted ``groups``."""
    index = np.arange(len(groups))
    first = np.r_[True, groups[1:] != groups[:-1]] if len(groups) else np.zeros(0, dtype=bool)
    starts = np.maximum.accumulate(np.where(first, index, 0))
    result: Ints = (index - starts + 1).astype(np.int64)
    return result


def level_sizes(n_items: int) -> list[int]:
    """How many items sit on each level: at least one each, ``MAX_LEVELS`` levels from 16 items."""
    levels = min(MAX_LEVELS, max(min(2, n_items), n_items // 2))
    weights = np.array([*LEVEL_WEIGHTS[: levels - 1], 0.0])
    weights[-1] = max(0.35, 1 - weights.sum())
    rest = n_items - levels
    sizes = 1 + np.floor(rest * weights / weights.sum()).astype(np.int64)
    sizes[-1] += n_items - int(sizes.sum())
    return [int(s) for s in sizes]


class Plant:
    """The drawn structure: items by level, BOM edges, routing operations and costs."""

    def __init__(self, n_items: int, rng: np.random.Generator) -> None:
        self.n = n_items
        self.sizes = level_sizes(n_items)
        self.starts = np.cumsum([0, *self.sizes])
        self.level: Ints = np.repeat(np.arange(len(self.sizes)), self.sizes).astype(np.int64)
        self.n_made = int(self.starts[-2]) if len(self.sizes) > 1 else 0
        self.n_work_centers = n_items // 500 + 10
        self._draw_edges(rng)
        self._draw_operations(rng)

    def _skewed(self, level: Ints, u: Floats) -> Ints:
        """An item of ``level``, favouring its first items (the widely shared ones)."""
        sizes = np.asarray(self.sizes)[level]
        result: Ints = (self.starts[level] + np.minimum(sizes - 1, (sizes * u**2).astype(np.int64))).astype(np.int64)
        return result

    def _draw_edges(self, rng: np.random.Generator) -> None:
        parents: list[Ints] = []
        children: list[Ints] = []
        last = len(self.sizes) - 1
        for k in range(last):
            lo, hi = int(self.starts[k]), int(self.starts[k + 1])
            own = np.arange(lo, hi, dtype=np.int64)
            # every parent uses an item of the next level: the structure is as deep as its levels
            parents.append(own)
            children.append(self._skewed(np.full(len(own), k + 1, dtype=np.int64), rng.random(len(own))))
            # every item of the next level has a parent: none is left without demand
            below = np.arange(hi, int(self.starts[k + 2]), dtype=np.int64)
            parents.append(rng.integers(lo, hi, len(below)).astype(np.int64))
            children.append(below)
            # and more components from any lower level, shared widely (about 5 lines per item in all)
            extra = np.minimum(rng.poisson(EXTRA_COMPONENTS, len(own)), 2 * EXTRA_COMPONENTS)
            extra_parents = np.repeat(own, extra)
            extra_levels = rng.integers(k + 1, last + 1, len(extra_parents)).astype(np.int64)
            parents.append(extra_parents)
            children.append(self._skewed(extra_levels, rng.random(len(extra_parents))))
        if parents:
            pairs = np.unique(np.concatenate(parents) * self.n + np.concatenate(children))
        else:
            pairs = np.zeros(0, dtype=np.int64)
        self.parent: Ints = (pairs // self.n).astype(np.int64)
        self.child: Ints = (pairs % self.n).astype(np.int64)
        self.line: Ints = positions(self.parent)

    def _draw_operations(self, rng: np.random.Generator) -> None:
        self.op_count: Ints = rng.integers(1, 5, self.n_made).astype(np.int64)
        self.op_item: Ints = np.repeat(np.arange(self.n_made, dtype=np.int64), self.op_count)
        self.op_sequence: Ints = 10 * positions(self.op_item)
        self.op_work_center: Ints = rng.integers(0, self.n_work_centers, len(self.op_item)).astype(np.int64)


def location_code(site: str, suffix: str) -> str:
    return f"{site}-{suffix}"


def customer_count(n_items: int) -> int:
    return max(5, n_items // 1000)
