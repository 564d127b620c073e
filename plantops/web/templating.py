"""Jinja2 templates and the filters that write numbers and dates as planners read them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.responses import Response

from plantops.services import access
from plantops.web.links import record_link, scheduled_order_link, sheet_link

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

#: The navigation by area of work, each with its pages: (area, ((path, label), ...)). The areas
#: still without pages (quality, maintenance) join here when their pages exist.
NAVIGATION = (
    ("Plan", (("/forecast", "Forecast"), ("/mrp", "MRP"), ("/schedule", "Schedule"), ("/policies", "Policies"))),
    ("Make", (("/orders/work", "Work orders"),)),
    (
        "Buy",
        (
            ("/buy/orders", "Purchase orders"),
            ("/buy/receive", "Receive goods"),
            ("/buy/invoices", "Supplier invoices"),
            ("/buy/requisitions", "Requisitions"),
            ("/buy/proposals", "Purchase proposals"),
            ("/buy/rfqs", "RFQs"),
            ("/records/suppliers", "Suppliers"),
        ),
    ),
    (
        "Store",
        (
            ("/stock", "Stock"),
            ("/stock/counts", "Cycle counts"),
            ("/stock/valuation", "Valuation"),
            ("/transfers", "Transfer orders"),
            ("/transfers/in-transit", "In transit"),
            ("/items", "Items"),
            ("/records/lots", "Lots"),
            ("/records/locations", "Locations"),
        ),
    ),
    ("Ship", (("/orders/sales", "Sales orders"), ("/records/customers", "Customers"))),
    ("Analyse", (("/", "Dashboard"),)),
    (
        "Admin",
        (
            ("/records", "Master data"),
            ("/jobs", "Jobs"),
            ("/audit", "Audit trail"),
            ("/admin/users", "Users"),
            ("/settings", "Settings"),
        ),
    ),
)


def quantity(value: Decimal | float | int | None, places: int = 6) -> str:
    """A quantity with thousands separators, no trailing zeros, no exponent and no minus zero."""
    if value is None:
        return ""
    text = f"{value:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def money(value: Decimal | float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def percent(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f} %"


def yes_no(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "no"


def words(value: object) -> str:
    """A vocabulary word as text: ``below_safety_stock`` -> ``below safety stock``."""
    return str(getattr(value, "value", value) or "").replace("_", " ")


def day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def local(moment: dt.datetime, zone: str) -> str:
    """An instant in the time zone of its site, as the shop floor reads its clocks."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def duration(minutes: int | float) -> str:
    """Minutes as days, hours and minutes: ``2 d 4 h``, ``3 h 20 min``, ``45 min``."""
    days, rest = divmod(round(minutes), 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def roles_allowed(permission: str) -> str:
    """The roles that grant ``permission``, in words: ``admin, operator and quality``."""
    names = sorted(role.value for role in access.roles_allowed(access.Permission(permission)))
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


#: How a list's column may show its values (the filters of :func:`shown`).
SHOWN: dict[str, Callable[[Any], str]] = {
    "quantity": quantity,
    "money": money,
    "percent": percent,
    "words": words,
    "day": day,
    "yes_no": yes_no,
}


def shown(value: Any, how: str = "text") -> str:
    """A list's cell as its column shows it: ``how`` names one of :data:`SHOWN`, else plain text."""
    if value is None:
        return ""
    writer = SHOWN.get(how)
    return str(getattr(value, "value", value)) if writer is None else writer(value)


def chart_data(option: dict[str, Any]) -> Markup:
    """A chart's option as JSON safe to place inside a ``<script type="application/json">``."""
    text = json.dumps(option, default=str, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


#: Record pages that belong to a page of the navigation other than the master data's.
BELONGS_TO = {
    "/records/sales_orders": "/orders/sales",
    "/records/purchase_orders": "/buy/orders",
    "/records/work_orders": "/orders/work",
    "/records/items": "/items",
}


def current_page(path: str) -> str | None:
    """The page of the navigation that ``path`` (below the app's root) is in: the longest that begins it."""
    for prefix, page in BELONGS_TO.items():
        if path == prefix or path.startswith(prefix + "/"):
            return page
    pages = [href for _, group in NAVIGATION for href, _ in group]
    within = [href for href in pages if path == href or (href != "/" and path.startswith(href + "/"))]
    return max(within, key=len, default=None)


def _context(request: Request) -> dict[str, Any]:
    root = str(request.scope.get("root_path", "")).rstrip("/")
    return {
        "navigation": NAVIGATION,
        "current_page": current_page(request.url.path.removeprefix(root) or "/"),
        "user": getattr(request.state, "user", None),
        "path": request.url.path,
        "root": str(request.scope.get("root_path", "")).rstrip("/"),
    }


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATES, context_processors=[_context])
    env = templates.env
    env.filters.update(
        quantity=quantity,
        money=money,
        percent=percent,
        words=words,
        day=day,
        local=local,
        duration=duration,
        chart=chart_data,
    )
    env.filters.update(yes_no=yes_no, shown=shown)
    env.globals["roles_allowed"] = roles_allowed
    env.globals["link_to"] = sheet_link
    env.globals["record_link"] = record_link
    env.globals["order_link"] = scheduled_order_link
    env.trim_blocks = True
    env.lstrip_blocks = True
    return templates


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    """The template ``name`` filled with ``context`` (and the user and navigation)."""
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context, status_code=status_code)
