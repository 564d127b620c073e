"""Supplier performance: on time in full, lead time, price variance, quality ppm and a score per month."""

from plantops.engines.supplier_performance.scorecard import (
    PurchaseLines,
    Receipts,
    Scorecard,
    ScorecardTerms,
    SupplierPeriod,
    on_time_in_full,
    supplier_scorecard,
)

__all__ = [
    "PurchaseLines",
    "Receipts",
    "Scorecard",
    "ScorecardTerms",
    "SupplierPeriod",
    "on_time_in_full",
    "supplier_scorecard",
]
