"""Chart options for Apache ECharts, built from what the services return.

Most are ECharts options as they are (drawn by the ``option`` builder of ``plantops.js``);
the Gantt chart and the forecast are the data ``ganttOption`` and ``forecastOption`` there
draw (they need functions: a bar renderer, a tooltip).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

from plantops.services.forecasting.queries import SeriesView
from plantops.services.inventory.valuation import ItemValuation
from plantops.services.planning.queries import MrpTable
from plantops.services.scheduling.queries import WorkCenterSequence

#: How many items the stock value chart names; the rest are summed as "others".
TOP_ITEMS = 10


def stock_value(lines: Iterable[ItemValuation]) -> dict[str, Any]:
    """The stock value of the most valuable items, and of the others together."""
    ranked = sorted(lines, key=lambda line: line.value, reverse=True)
    top, rest = ranked[:TOP_ITEMS], ranked[TOP_ITEMS:]
    names = [line.item for line in top] + (["others"] if rest else [])
    values = [float(line.value) for line in top] + ([float(sum(line.value for line in rest))] if rest else [])
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 130, "right": 30, "top": 10, "bottom": 30},
        "xAxis": {"type": "value", "splitNumber": 3},
        "yAxis": {"type": "category", "data": names[::-1]},
        "series": [{"name": "stock value", "type": "bar", "data": values[::-1]}],
    }


def exceptions_by_kind(counts: Counter[str]) -> dict[str, Any]:
    """How many exception messages of each kind the plan gave."""
    return {
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} ({d}%)"},
        "legend": {"bottom": 0},
        "series": [
            {
                "name": "exceptions",
                "type": "pie",
                "radius": ["40%", "70%"],
                "center": ["50%", "45%"],
                "label": {"position": "inside", "formatter": "{c}", "color": "#fff", "fontWeight": "bold"},
                "data": [{"name": kind.replace("_", " "), "value": n} for kind, n in sorted(counts.items())],
            }
        ],
    }


def work_center_load(sequences: list[WorkCenterSequence]) -> dict[str, Any]:
    """Each work center's busy minutes over its working minutes in the horizon, in percent."""
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 120, "right": 30, "top": 10, "bottom": 30},
        "xAxis": {"type": "value", "name": "%", "max": "dataMax"},
        "yAxis": {"type": "category", "data": [s.work_center for s in sequences][::-1]},
        "series": [
            {
                "name": "load %",
                "type": "bar",
                "data": [round(100 * s.load, 1) if math.isfinite(s.load) else None for s in sequences][::-1],
                "markLine": {"silent": True, "symbol": "none", "data": [{"xAxis": 100}]},
            }
        ],
    }


def mrp_record(table: MrpTable, weeks: int) -> dict[str, Any]:
    """Requirements and receipts as bars, projected on hand as a line, week by week."""
    labels = [d.isoformat() for d in table.buckets[:weeks]]

    def row(name: str) -> list[float]:
        return [round(v, 6) for v in table.rows[name][:weeks]]

    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 60, "right": 20, "top": 40, "bottom": 40},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value"},
        "series": [
            {"name": "Gross requirements", "type": "bar", "data": row("gross_requirements")},
            {"name": "Scheduled receipts", "type": "bar", "data": row("scheduled_receipts")},
            {"name": "Planned order receipts", "type": "bar", "data": row("planned_order_receipts")},
            {"name": "Projected on hand", "type": "line", "step": "end", "data": row("projected_on_hand")},
        ],
    }


def forecast(view: SeriesView) -> dict[str, Any]:
    """The weeks, the history, the statistical and the published forecast and each interval,
    for ``forecastOption`` in ``plantops.js`` (history weeks first, then the forecast's)."""
    before = [None] * len(view.history)
    after = [None] * len(view.forecast)
    return {
        "weeks": [w.isoformat() for w, _ in view.history] + [f.week.isoformat() for f in view.forecast],
        "history": [q for _, q in view.history] + after,
        "statistical": before + [f.statistical for f in view.forecast],
        "published": before + [f.published for f in view.forecast],
        "intervals": [
            {
                "level": level,
                "lower": before + [f.lower.get(level) for f in view.forecast],
                "upper": before + [f.upper.get(level) for f in view.forecast],
            }
            for level in sorted(view.levels, reverse=True)
        ],
    }
