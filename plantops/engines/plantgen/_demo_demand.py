"""The demo plant's demand side: customers, weekly sales history and open sales orders.

History is a multiplicative model per (item, selling site)::

    mean(t) = level * (1 + trend) ** years(t) * (1 + amplitude * cos(2 pi (doy(t) - peak_day) / 365.25))

with log-normal noise (coefficient of variation ``noise``) for steady sellers. Spare parts
sell in few weeks (probability ``occurrence``) and in lumps (gamma-distributed sizes),
so their history is intermittent: many explicit zero weeks.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from plantops.engines.plantgen._common import ONE_DAY, ONE_WEEK, Row, monday_of, num
from plantops.engines.plantgen._demo_catalog import BIKE, DAIRY, DC
from plantops.vocabulary import OrderStatus

#: Weeks of sales history, ending with the week before ``as_of``'s week.
HISTORY_WEEKS = 130
#: Open sales order lines fall due within this many days after ``as_of``.
ORDER_HORIZON_DAYS = 84


@dataclass(frozen=True)
class Series:
    """How one item sells at one site, per week (``level`` is the mean at ``as_of``)."""

    item: str
    site: str
    level: float
    trend: float = 0.0  # growth per year
    amplitude: float = 0.0  # seasonal swing, as a fraction of the level
    peak_day: int = 110  # day of the year demand peaks (110: late April)
    noise: float = 0.15  # coefficient of variation of weekly noise
    occurrence: float = 1.0  # probability of any sale in a week; < 1 is intermittent
    lump_shape: float = 1.0  # gamma shape of intermittent sizes; small is lumpy


SERIES: tuple[Series, ...] = (
    Series("BIKE-CITY-M", DC, 38, trend=0.06, amplitude=0.45, peak_day=110, noise=0.18),
    Series("BIKE-CITY-L", DC, 24, trend=0.04, amplitude=0.45, peak_day=110, noise=0.2),
    Series("BIKE-MTB-29", BIKE, 21, trend=0.12, amplitude=0.55, peak_day=130, noise=0.22),
    Series("BIKE-KIDS-20", BIKE, 16, trend=-0.03, amplitude=0.35, peak_day=120, noise=0.25),
    Series("WHEEL-28-F", BIKE, 0.8, occurrence=0.18, lump_shape=1.5),
    Series("SPARE-HANGER-01", BIKE, 1.5, occurrence=0.3, lump_shape=1.0),
    Series("SPARE-PADS-DISC", DC, 4.0, amplitude=0.3, peak_day=150, occurrence=0.25, lump_shape=0.5),
    Series("CREAM-BTL-250", DAIRY, 4200, trend=0.03, amplitude=0.12, peak_day=350, noise=0.07),
    Series("SKIM-BTL-1L", DAIRY, 6500, trend=-0.02, amplitude=0.06, peak_day=190, noise=0.05),
    Series("SKIM-PAST", DAIRY, 18000, trend=0.05, amplitude=0.1, peak_day=160, noise=0.12),
)


@dataclass(frozen=True)
class Customer:
    code: str
    name: str
    site: str  # the site that ships to the customer
    items: tuple[str, ...]
    priority: int  # lower is served first
    orders: int  # open orders the customer has


CUSTOMERS: tuple[Customer, ...] = (
    Customer("CUST-VELOHAUS", "Velohaus Berlin GmbH", DC, ("BIKE-CITY-M", "BIKE-CITY-L", "SPARE-PADS-DISC"), 3, 4),
    Customer("CUST-RADLAND", "Radland Handels AG", DC, ("BIKE-CITY-M", "BIKE-CITY-L"), 5, 3),
    Customer(
        "CUST-CYCLEPRO",
        "CyclePro Benelux BV",
        BIKE,
        ("BIKE-MTB-29", "BIKE-KIDS-20", "WHEEL-28-F", "SPARE-HANGER-01"),
        4,
        3,
    ),
    Customer("CUST-SPORTMAX", "SportMax Retail SE", BIKE, ("BIKE-MTB-29", "BIKE-KIDS-20"), 2, 3),
    Customer("CUST-KINDERWELT", "Kinderwelt Spielwaren KG", BIKE, ("BIKE-KIDS-20",), 6, 2),
    Customer("CUST-FRESHMART", "FreshMart Supermarkets Ltd", DAIRY, ("CREAM-BTL-250", "SKIM-BTL-1L"), 2, 4),
    Customer("CUST-BEANLEAF", "Bean & Leaf Cafes", DAIRY, ("CREAM-BTL-250", "SKIM-BTL-1L"), 5, 3),
    Customer("CUST-VALLEYCHEESE", "Valley Cheese Makers", DAIRY, ("SKIM-PAST",), 1, 2),
)


#: A demand spike: (customer, item, weeks of the item's usual demand, days until due), ordered the day before
#: ``as_of``.
SPIKE = ("CUST-SPORTMAX", "BIKE-MTB-29", 4, 17)


def customer_rows() -> list[Row]:
    return [{"code": c.code, "name": c.name} for c in CUSTOMERS]


def _weekly_means(series: Series, starts: list[dt.date], years: np.ndarray) -> np.ndarray:
    """The model's mean demand in the weeks beginning ``starts``, ``years`` after ``as_of``'s week."""
    midweek_day = np.array([(start + 3 * ONE_DAY).timetuple().tm_yday for start in starts], dtype=float)
    season = 1 + series.amplitude * np.cos(2 * math.pi * (midweek_day - series.peak_day) / 365.25)
    return np.asarray(series.level * (1 + series.trend) ** years * season)


def weekly_demand(as_of: dt.date, weeks: int) -> dict[tuple[str, str], float]:
    """Mean weekly demand per (item, selling site) over the ``weeks`` weeks from ``as_of``'s, by the models."""
    first = monday_of(as_of)
    starts = [first + week * ONE_WEEK for week in range(weeks)]
    years = np.arange(weeks) * 7 / 365.25
    return {(s.item, s.site): float(_weekly_means(s, starts, years).mean()) for s in SERIES}


def sales_history_rows(as_of: dt.date, rng: np.random.Generator) -> list[Row]:
    """``HISTORY_WEEKS`` weekly rows per series, Monday-started, the last week before ``as_of``'s."""
    first = monday_of(as_of) - HISTORY_WEEKS * ONE_WEEK
    starts = [first + week * ONE_WEEK for week in range(HISTORY_WEEKS)]
    years = (np.arange(HISTORY_WEEKS) - HISTORY_WEEKS) * 7 / 365.25
    rows: list[Row] = []
    for series in SERIES:
        mean = _weekly_means(series, starts, years)
        if series.occurrence < 1:
            sells = rng.random(HISTORY_WEEKS) < series.occurrence
            size_mean = mean / series.occurrence
            sizes = rng.gamma(series.lump_shape, size_mean / series.lump_shape)
            quantity = np.where(sells, np.ceil(sizes), 0.0)
        else:
            sigma = math.sqrt(math.log1p(series.noise**2))
            quantity = np.rint(mean * rng.lognormal(-sigma * sigma / 2, sigma, HISTORY_WEEKS))
        rows.extend(
            {"item": series.item, "site": series.site, "period_start": start, "quantity": num(q)}
            for start, q in zip(starts, quantity.tolist(), strict=True)
        )
    return rows


def sales_order_rows(as_of: dt.date, rng: np.random.Generator) -> tuple[list[Row], list[Row]]:
    """Open orders placed in the three weeks before ``as_of``, lines due over the next 12 weeks, and the
    :data:`SPIKE` order placed the day before."""
    weekly = {(s.item, s.site): s.level for s in SERIES}
    orders: list[Row] = []
    lines: list[Row] = []
    for customer in CUSTOMERS:
        share = 1 / sum(1 for c in CUSTOMERS if c.site == customer.site)
        for _ in range(customer.orders):
            number = f"SO-{as_of:%y}{len(orders) + 1:04d}"
            orders.append(
                {
                    "number": number,
                    "customer": customer.code,
                    "site": customer.site,
                    "status": OrderStatus.OPEN,
                    "order_date": as_of - int(rng.integers(1, 22)) * ONE_DAY,
                }
            )
            count = int(rng.integers(1, len(customer.items) + 1))
            picked = sorted(rng.choice(len(customer.items), size=count, replace=False).tolist())
            for line_no, index in enumerate(picked, start=1):
                item = customer.items[index]
                quantity = max(1.0, round(weekly[(item, customer.site)] * share * float(rng.uniform(0.6, 2.5))))
                shipped = math.floor(quantity * 0.4) if rng.random() < 0.12 else 0
                lines.append(
                    {
                        "order": number,
                        "line": line_no,
                        "item": item,
                        "quantity": num(quantity),
                        "shipped_quantity": num(shipped),
                        "due_date": as_of + int(rng.integers(3, ORDER_HORIZON_DAYS + 1)) * ONE_DAY,
                        "priority": min(9, customer.priority + int(rng.integers(0, 2))),
                    }
                )
    buyer, item, weeks, due_in = SPIKE
    number = f"SO-{as_of:%y}{len(orders) + 1:04d}"
    site = next(c.site for c in CUSTOMERS if c.code == buyer)
    orders.append(
        {
            "number": number,
            "customer": buyer,
            "site": site,
            "status": OrderStatus.OPEN,
            "order_date": as_of - ONE_DAY,
        }
    )
    quantity = round(weekly[(item, site)] * weeks)
    lines.append(
        {
            "order": number,
            "line": 1,
            "item": item,
            "quantity": num(quantity),
            "shipped_quantity": num(0),
            "due_date": as_of + due_in * ONE_DAY,
            "priority": 1,
        }
    )
    return orders, lines
