"""The chart of an item's history, forecast and prediction intervals, as PNG (matplotlib, Agg backend)."""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from plantops.services.forecasting.queries import SeriesView


def forecast_chart(view: SeriesView) -> bytes:
    """History (black), statistical forecast (blue), intervals (shaded, widest lightest), published forecast
    with overrides (orange, where it differs)."""
    figure = Figure(figsize=(10, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    if view.history:
        past, sold = zip(*view.history, strict=True)
        axes.plot(np.array(past, dtype="datetime64[D]"), sold, color="black", linewidth=1.2, label="sales history")
    weeks = np.array([w.week for w in view.forecast], dtype="datetime64[D]")
    for shade, level in zip((0.18, 0.32, 0.46), sorted(view.levels, reverse=True), strict=False):
        axes.fill_between(
            weeks,
            [w.lower.get(level, w.statistical) for w in view.forecast],
            [w.upper.get(level, w.statistical) for w in view.forecast],
            color="tab:blue",
            alpha=shade,
            linewidth=0,
            label=f"{level} % interval",
        )
    axes.plot(weeks, [w.statistical for w in view.forecast], color="tab:blue", linewidth=1.5, label=view.model)
    if any(w.published is not None and w.published != w.statistical for w in view.forecast):
        axes.plot(
            weeks,
            [w.published if w.published is not None else w.statistical for w in view.forecast],
            color="tab:orange",
            linewidth=1.5,
            linestyle="--",
            label="published (with overrides)",
        )
    axes.set_title(f"{view.item} at {view.site}: {view.version} ({view.demand_class.value} demand)")
    axes.set_ylabel("quantity per week")
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left", fontsize=8)
    figure.autofmt_xdate()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
