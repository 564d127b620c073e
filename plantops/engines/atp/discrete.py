"""Available-to-promise and projected on-hand over time buckets.

The method is the *discrete* available-to-promise of master production scheduling, with
look-ahead, as taught by APICS and by Vollmann, Berry, Whybark and Jacobs,
*Manufacturing Planning and Control for Supply Chain Management* (5th ed., 2005),
the chapter "Master Production Scheduling", section "The available-to-promise concept".

Symbols (periods ``t = 1..T``; the textbook's MPS row is our scheduled receipts):

- ``OH``    on-hand at the start of period 1 (``on_hand``),
- ``R_t``   scheduled receipts due in period ``t`` (``receipts[t]``: MPS quantities,
  open purchase order lines, open work orders),
- ``D_t``   booked customer demand due in period ``t`` (``demands[t]``),
- ``POH_t`` projected on-hand at the end of period ``t``:
  ``POH_t = POH_{t-1} + R_t - D_t`` with ``POH_0 = OH``,
- ``ATP_t`` available-to-promise. ATP is computed in period 1 and in every later
  period with a receipt (``R_t > 0``); call these the *anchor* periods
  ``a_1 = 1 < a_2 < ... < a_K``. With ``a_{K+1} = T + 1``:

  ``ATP_{a_1} = OH + R_1 - sum(D_t for a_1 <= t < a_2)``

  ``ATP_{a_k} = R_{a_k} - sum(D_t for a_k <= t < a_{k+1})`` for ``k >= 2``

  and ``ATP_t = 0`` in the other periods.
- Look-ahead: a negative ``ATP_{a_k}`` (booked orders beyond the receipt) is covered
  from the anchor before it, working backwards from the last anchor:
  ``ATP_{a_{k-1}} += ATP_{a_k}; ATP_{a_k} = 0``. A negative ``ATP_1`` after that means
  orders are booked beyond everything on hand and scheduled: it is left negative.
- ``CATP_t = sum(ATP_s for s <= t)``, cumulative ATP with look-ahead: what may still be
  promised for delivery by the end of period ``t``. Covering moves shortfalls backwards
  without changing their sum, which makes ``CATP_t = min(POH_s for s >= t)``: the most
  a new order due in period ``t`` can take without driving any later projected on-hand
  below zero (the tests check this identity).

Demands and receipts dated before the first period are past due; they are counted in
period 1. Those on or after the end of the horizon are left out of every period and
reported as totals.

Arithmetic is exact (:class:`decimal.Decimal`); the method needs only sums.
"""

from __future__ import annotations

import datetime as dt
import itertools
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class Receipt:
    """``quantity`` scheduled to arrive on ``date`` (``R``); ``source`` names it (a PO line, a work order)."""

    date: dt.date
    quantity: Decimal
    source: str = ""


@dataclass(frozen=True)
class Demand:
    """``quantity`` booked for delivery on ``date`` (``D``); ``label`` names it (a sales order line)."""

    date: dt.date
    quantity: Decimal
    label: str = ""


@dataclass(frozen=True)
class AtpPeriod:
    """One bucket ``[start, end)``: its demand ``D_t``, receipts ``R_t``, ``POH_t``, ``ATP_t`` and ``CATP_t``."""

    start: dt.date
    end: dt.date
    demand: Decimal
    receipts: Decimal
    projected_on_hand: Decimal
    atp: Decimal
    cumulative_atp: Decimal
    demand_labels: tuple[str, ...] = ()
    receipt_sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class AtpResult:
    """The periods in order, and what fell outside them.

    ``past_due_*`` are the parts of period 1's figures dated before it; ``beyond_horizon_*``
    are dated on or after the last period's end and are in no period.
    """

    on_hand: Decimal
    periods: tuple[AtpPeriod, ...]
    past_due_demand: Decimal = ZERO
    past_due_receipts: Decimal = ZERO
    beyond_horizon_demand: Decimal = ZERO
    beyond_horizon_receipts: Decimal = ZERO

    @property
    def first_shortage(self) -> AtpPeriod | None:
        """The first period whose projected on-hand ends below zero, if any."""
        return next((p for p in self.periods if p.projected_on_hand < 0), None)


def weekly_boundaries(start: dt.date, weeks: int) -> tuple[dt.date, ...]:
    """``weeks + 1`` dates seven days apart from ``start``: the boundaries of ``weeks`` buckets."""
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    return tuple(start + dt.timedelta(days=7 * k) for k in range(weeks + 1))


def projected_on_hand(on_hand: Decimal, receipts: Sequence[Decimal], demands: Sequence[Decimal]) -> list[Decimal]:
    """``POH_t = POH_{t-1} + R_t - D_t`` from ``POH_0 = OH``, one value per period."""
    _check_buckets(receipts, demands)
    return list(itertools.accumulate((r - d for r, d in zip(receipts, demands, strict=True)), initial=on_hand))[1:]


def discrete_atp(on_hand: Decimal, receipts: Sequence[Decimal], demands: Sequence[Decimal]) -> list[Decimal]:
    """Discrete ATP with look-ahead (Vollmann et al., master production scheduling), one value per period.

    ``on_hand`` is ``OH``, ``receipts[t]`` is ``R_{t+1}``, ``demands[t]`` is ``D_{t+1}``.
    Period 1 and every period with a positive receipt get an ATP; a negative one is
    covered from the anchors before it, last anchor first. Only period 1's ATP can stay
    negative (more booked than will ever be available in the horizon).
    """
    _check_buckets(receipts, demands)
    count = len(receipts)
    anchors = [0, *(t for t in range(1, count) if receipts[t] > 0)]
    atp = [ZERO] * count
    for k, anchor in enumerate(anchors):
        following = anchors[k + 1] if k + 1 < len(anchors) else count
        supply = receipts[anchor] + (on_hand if anchor == 0 else ZERO)
        atp[anchor] = supply - sum(demands[anchor:following], ZERO)
    for k in range(len(anchors) - 1, 0, -1):
        anchor = anchors[k]
        if atp[anchor] < 0:
            atp[anchors[k - 1]] += atp[anchor]
            atp[anchor] = ZERO
    return atp


def available_to_promise(
    on_hand: Decimal,
    receipts: Iterable[Receipt],
    demands: Iterable[Demand],
    boundaries: Sequence[dt.date],
) -> AtpResult:
    """Bucket dated receipts and demands into periods and compute ``POH``, ``ATP`` and ``CATP``.

    ``boundaries`` are ``T + 1`` increasing dates; period ``t`` is
    ``[boundaries[t-1], boundaries[t])``. Anything dated before ``boundaries[0]`` is past
    due and counts in period 1; anything on or after ``boundaries[-1]`` is beyond the
    horizon. Quantities must not be negative.
    """
    if len(boundaries) < 2:
        raise ValueError("boundaries must hold at least two dates (one period)")
    for earlier, later in itertools.pairwise(boundaries):
        if not earlier < later:
            raise ValueError(f"boundaries must increase: {later.isoformat()} follows {earlier.isoformat()}")
    count = len(boundaries) - 1
    receipt_totals, receipt_sources, receipt_late, receipt_beyond = _bucket(
        [(r.date, r.quantity, r.source) for r in receipts], boundaries, "receipt"
    )
    demand_totals, demand_labels, demand_late, demand_beyond = _bucket(
        [(d.date, d.quantity, d.label) for d in demands], boundaries, "demand"
    )
    poh = projected_on_hand(on_hand, receipt_totals, demand_totals)
    atp = discrete_atp(on_hand, receipt_totals, demand_totals)
    cumulative = list(itertools.accumulate(atp))
    periods = tuple(
        AtpPeriod(
            start=boundaries[t],
            end=boundaries[t + 1],
            demand=demand_totals[t],
            receipts=receipt_totals[t],
            projected_on_hand=poh[t],
            atp=atp[t],
            cumulative_atp=cumulative[t],
            demand_labels=tuple(demand_labels[t]),
            receipt_sources=tuple(receipt_sources[t]),
        )
        for t in range(count)
    )
    return AtpResult(
        on_hand=on_hand,
        periods=periods,
        past_due_demand=demand_late,
        past_due_receipts=receipt_late,
        beyond_horizon_demand=demand_beyond,
        beyond_horizon_receipts=receipt_beyond,
    )


def _bucket(
    entries: Sequence[tuple[dt.date, Decimal, str]], boundaries: Sequence[dt.date], kind: str
) -> tuple[list[Decimal], list[list[str]], Decimal, Decimal]:
    """Totals and labels per period, the past-due total (in period 1) and the total beyond the horizon."""
    count = len(boundaries) - 1
    totals = [ZERO] * count
    labels: list[list[str]] = [[] for _ in range(count)]
    past_due = beyond = ZERO
    for date, quantity, label in sorted(entries, key=lambda e: e[0]):
        if quantity < 0:
            raise ValueError(f"{kind} {label or date.isoformat()}: quantity must not be negative, got {quantity}")
        if date >= boundaries[-1]:
            beyond += quantity
            continue
        if date < boundaries[0]:
            past_due += quantity
        period = max(bisect_right(boundaries, date) - 1, 0)
        totals[period] += quantity
        if label:
            labels[period].append(label)
    return totals, labels, past_due, beyond


def _check_buckets(receipts: Sequence[Decimal], demands: Sequence[Decimal]) -> None:
    if not receipts:
        raise ValueError("at least one period is needed")
    if len(receipts) != len(demands):
        raise ValueError(f"{len(receipts)} receipt buckets but {len(demands)} demand buckets")
