"""A supplier's scorecard per month: on time in full, lead time, price variance, quality and a weighted score.

For one supplier, from its purchase-order lines and the receipts against them:

- On time in full (SCOR RL.2.1-style, per line): a line is OTIF when the accepted quantity (received minus
  rejected) that arrived within ``[due - early_days, due + late_days]`` is at least
  ``ordered * (1 - under_delivery_tolerance)``; ``due`` is the confirmed date, or the requested date when none
  was confirmed (resolved by the caller). A line counts in the month of its due date. A month with no line due
  has no OTIF (``None``), never 0 % or 100 %.
- Lead time, per receipt: days from the line's order date to the receipt date, weighted by received quantity:
  mean, standard deviation (population) and the trend, the weighted least-squares slope of lead time against
  receipt date in days per 30 days (``None`` with fewer than 3 receipts or all on one day).
- Price variance: ``sum (unit price invoiced or received - agreed price) * received quantity``, and that as a
  percentage of ``sum agreed price * received quantity``.
- Quality: rejected quantity per million received (``None`` without received quantity).
- Score 0-100: the weighted mean (OTIF 50 %, quality 30 %, price 20 % by default) of OTIF %,
  ``100 - ppm / 10^4`` (the accepted percentage) and ``100 - max(price variance %, 0)`` clipped at 0, over the
  components a month has; ``None`` for a month without receipts. ``poor`` when the score is below
  ``poor_below`` (80 by default).

Receipts count in the month of their receipt date. Months are given by their first days; the last runs to the
start of the next calendar month. The overall scorecard covers the lines and receipts inside the months given.
All sums are vectorised (``numpy.bincount`` over month indices).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from plantops.engines.policy._checks import F64, I64, Bool, floats
from plantops.errors import ValidationError

Days = NDArray[np.datetime64]
_RECORD = "supplier scorecard"


@dataclass(frozen=True)
class PurchaseLines:
    """One supplier's purchase-order lines: quantity, order date, due (confirmed) date and agreed unit price."""

    ordered_quantity: F64
    order_date: Days
    due_date: Days
    agreed_price: F64


@dataclass(frozen=True)
class Receipts:
    """Receipts against ``PurchaseLines``: the line's index, date, quantity received and rejected, unit price."""

    line: I64
    date: Days
    received_quantity: F64
    rejected_quantity: F64
    unit_price: F64


@dataclass(frozen=True)
class ScorecardTerms:
    """The OTIF tolerances (``early_days`` ``None`` accepts any early delivery) and the score's weights."""

    under_delivery_tolerance: float = 0.0
    early_days: int | None = None
    late_days: int = 0
    otif_weight: float = 0.5
    quality_weight: float = 0.3
    price_weight: float = 0.2
    poor_below: float = 80.0


@dataclass(frozen=True)
class SupplierPeriod:
    """A month's (or the whole span's) measures; ``None`` where the month has nothing to measure."""

    start: np.datetime64
    lines_due: int
    on_time_in_full: float | None  # percent of the lines due
    receipts: int
    received_quantity: float
    lead_time_mean: float | None  # days
    lead_time_std: float | None  # days
    lead_time_trend: float | None  # days per 30 days
    price_variance: float
    price_variance_percent: float | None
    quality_ppm: float | None
    score: float | None
    poor: bool


@dataclass(frozen=True)
class Scorecard:
    """One ``SupplierPeriod`` per month given, and one over all of them."""

    periods: tuple[SupplierPeriod, ...]
    overall: SupplierPeriod


def _days(values: ArrayLike, field: str) -> Days:
    try:
        return np.atleast_1d(np.asarray(values, dtype="datetime64[D]"))
    except (TypeError, ValueError) as error:
        raise ValidationError(_RECORD, field, f"cannot be read as dates: {error}") from error


def _check(lines: PurchaseLines, receipts: Receipts, terms: ScorecardTerms) -> None:
    floats(lines.ordered_quantity, _RECORD, "ordered_quantity")
    floats(lines.agreed_price, _RECORD, "agreed_price")
    received = floats(receipts.received_quantity, _RECORD, "received_quantity")
    rejected = floats(receipts.rejected_quantity, _RECORD, "rejected_quantity")
    floats(receipts.unit_price, _RECORD, "unit_price")
    if (rejected > received).any():
        raise ValidationError(_RECORD, "rejected_quantity", "cannot exceed the received quantity")
    line = np.asarray(receipts.line)
    if line.size and (line.min() < 0 or line.max() >= np.asarray(lines.ordered_quantity).size):
        raise ValidationError(_RECORD, "line", "names a purchase-order line that is not given")
    if not 0 <= terms.under_delivery_tolerance < 1:
        raise ValidationError(_RECORD, "under_delivery_tolerance", "must be at least 0 and below 1")
    if terms.late_days < 0 or (terms.early_days is not None and terms.early_days < 0):
        raise ValidationError(_RECORD, "late_days", "the early and late windows cannot be negative")
    weights = (terms.otif_weight, terms.quality_weight, terms.price_weight)
    if min(weights) < 0 or sum(weights) <= 0:
        raise ValidationError(_RECORD, "otif_weight", "the weights must be at least 0 and not all 0")


def on_time_in_full(lines: PurchaseLines, receipts: Receipts, terms: ScorecardTerms = ScorecardTerms()) -> Bool:
    """Whether each purchase-order line was delivered on time in full (the rule in the module docstring)."""
    due = _days(lines.due_date, "due_date")
    date = _days(receipts.date, "date")
    line = np.asarray(receipts.line, dtype=np.int64)
    offset = (date - due[line]).astype(np.int64)
    in_window = offset <= terms.late_days
    if terms.early_days is not None:
        in_window &= offset >= -terms.early_days
    accepted = np.asarray(receipts.received_quantity, dtype=np.float64) - receipts.rejected_quantity
    in_time = np.bincount(line, weights=np.where(in_window, accepted, 0.0), minlength=due.size)
    ordered = np.asarray(lines.ordered_quantity, dtype=np.float64)
    return np.asarray(in_time >= ordered * (1 - terms.under_delivery_tolerance) - 1e-9 * ordered, dtype=np.bool_)


def _month_index(dates: Days, bounds: Days) -> I64:
    """The month each date falls in, ``-1`` outside the months given."""
    index = np.searchsorted(bounds, dates, side="right") - 1
    return np.asarray(np.where((index >= 0) & (index < bounds.size - 1), index, -1), dtype=np.int64)


def _ratio(numerator: F64, denominator: F64) -> F64:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(denominator > 0, numerator / denominator, np.nan), dtype=np.float64)


def supplier_scorecard(
    lines: PurchaseLines,
    receipts: Receipts,
    month_starts: ArrayLike,
    terms: ScorecardTerms = ScorecardTerms(),
) -> Scorecard:
    """The supplier's measures and score per month of ``month_starts`` (first days, increasing) and overall."""
    _check(lines, receipts, terms)
    starts = _days(month_starts, "month_starts")
    if starts.size == 0 or (np.diff(starts).astype(np.int64) <= 0).any():
        raise ValidationError(_RECORD, "month_starts", "must be one or more increasing dates")
    end = (starts[-1].astype("datetime64[M]") + 1).astype("datetime64[D]")
    bounds = np.append(starts, end)
    months = starts.size
    line_month = _month_index(_days(lines.due_date, "due_date"), bounds)
    otif = on_time_in_full(lines, receipts, terms).astype(np.float64)

    date = _days(receipts.date, "date")
    line = np.asarray(receipts.line, dtype=np.int64)
    receipt_month = _month_index(date, bounds)
    received = np.asarray(receipts.received_quantity, dtype=np.float64)
    lead = (date - _days(lines.order_date, "order_date")[line]).astype(np.float64)
    day = (date - bounds[0]).astype(np.float64)
    agreed = np.asarray(lines.agreed_price, dtype=np.float64)[line]
    per_receipt = {
        "count": np.ones(date.size),
        "received": received,
        "rejected": np.asarray(receipts.rejected_quantity, dtype=np.float64),
        "variance": (np.asarray(receipts.unit_price, dtype=np.float64) - agreed) * received,
        "agreed_value": agreed * received,
        "w_lead": received * lead,
        "w_lead2": received * lead**2,
        "w_day": received * day,
        "w_day2": received * day**2,
        "w_day_lead": received * day * lead,
    }

    def sums(index: I64, values: F64) -> F64:
        """Per month (rows 0..months-1) and overall (row ``months``) sums of ``values`` inside the months."""
        inside = index >= 0
        monthly = np.bincount(index[inside], weights=values[inside], minlength=months)
        return np.append(monthly, monthly.sum())

    s = {name: sums(receipt_month, values) for name, values in per_receipt.items()}
    due = sums(line_month, np.ones(line_month.size))
    otif_percent = 100 * _ratio(sums(line_month, otif), due)
    weight = s["received"]
    lead_mean = _ratio(s["w_lead"], weight)
    lead_std = np.sqrt(np.maximum(_ratio(s["w_lead2"], weight) - lead_mean**2, 0.0))
    day_mean = _ratio(s["w_day"], weight)
    day_spread = s["w_day2"] - weight * day_mean**2  # sum w (t - t_mean)^2
    spread = np.where(day_spread > 1e-9 * s["w_day2"], day_spread, 0.0)  # 0 when all on one day
    slope = _ratio(s["w_day_lead"] - weight * day_mean * lead_mean, spread)
    trend = np.where(s["count"] >= 3, 30 * slope, np.nan)
    variance_percent = 100 * _ratio(s["variance"], s["agreed_value"])
    ppm = 1e6 * _ratio(s["rejected"], weight)

    components = np.stack([otif_percent, 100 - ppm / 1e4, np.clip(100 - np.maximum(variance_percent, 0), 0, 100)])
    weights = np.array([terms.otif_weight, terms.quality_weight, terms.price_weight])[:, None]
    present = ~np.isnan(components)
    score = _ratio((np.where(present, components, 0) * weights).sum(axis=0), (present * weights).sum(axis=0))
    score = np.where(s["count"] > 0, score, np.nan)

    def optional(value: np.float64) -> float | None:
        return None if np.isnan(value) else float(value)

    periods = [
        SupplierPeriod(
            start=bounds[0] if row == months else bounds[row],
            lines_due=int(due[row]),
            on_time_in_full=optional(otif_percent[row]),
            receipts=int(s["count"][row]),
            received_quantity=float(weight[row]),
            lead_time_mean=optional(lead_mean[row]),
            lead_time_std=optional(lead_std[row]),
            lead_time_trend=optional(trend[row]),
            price_variance=float(s["variance"][row]),
            price_variance_percent=optional(variance_percent[row]),
            quality_ppm=optional(ppm[row]),
            score=optional(score[row]),
            poor=bool(not np.isnan(score[row]) and score[row] < terms.poor_below),
        )
        for row in range(months + 1)
    ]
    return Scorecard(periods=tuple(periods[:months]), overall=periods[months])
