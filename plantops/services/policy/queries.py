"""What planners read of a policy run: its table, and each policy explained and simulated."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Select, and_, func, select
from sqlalchemy.orm import Session

from plantops.db.base import table_of
from plantops.db.catalog import Item, ItemSite, Unit
from plantops.db.inventory_policy import PolicyLine, PolicyRun
from plantops.db.session import UnitOfWork
from plantops.db.sites import Site
from plantops.engines.policy import Demand, Replenishment, SimulationResult, simulate
from plantops.errors import NotFoundError, ValidationError
from plantops.services.policy.apply import POLICY_OF, policy_run
from plantops.services.policy.network import read_working_days
from plantops.vocabulary import (
    AbcClass,
    DemandBasis,
    DemandDistribution,
    LeadTimeBasis,
    PolicyMethod,
    ReplenishmentPolicy,
    ServiceMeasure,
    VariabilityBasis,
)

#: The simulation behind an explanation: weeks simulated per run, runs, and the seed.
SIMULATED_WEEKS = 260
SIMULATED_RUNS = 20
SIMULATION_SEED = 7


@dataclass(frozen=True)
class RunView:
    number: str
    computed_at: dt.datetime
    computed_by: str
    method: PolicyMethod
    measure: ServiceMeasure
    settings: dict[str, Any]


@dataclass(frozen=True)
class LineView:
    """A line of a run: the item, site and unit codes, and the line's columns (``line.safety_stock``...),
    with what the item's planning data at the site holds now (``line.site_policy``, ``line.site_reorder_point``,
    ``line.site_order_quantity``, ``line.site_order_up_to``, ``line.site_review_weeks``, and
    ``line.site_safety_stock``: the site's, else the item's)."""

    item: str
    site: str
    unit: str
    decimals: int
    line: Row[Any]

    @property
    def applied(self) -> bool:
        return self.line.applied_at is not None

    @property
    def mrp_policy(self) -> str:
        """What MRP goes by for the item at the site now, in short: ``(r, Q) r 25, Q 40`` or ``(s, S) s 15, S 45``
        (``, every 2 weeks`` where not reviewed weekly), or ``safety stock 18`` where the site has no policy."""
        line = self.line
        every = "" if (line.site_review_weeks or 1) == 1 else f", every {line.site_review_weeks} weeks"
        match line.site_policy:
            case ReplenishmentPolicy.REORDER_POINT:
                return f"(r, Q) r {_n(line.site_reorder_point)}, Q {_n(line.site_order_quantity)}{every}"
            case ReplenishmentPolicy.MIN_MAX:
                return f"(s, S) s {_n(line.site_reorder_point)}, S {_n(line.site_order_up_to)}{every}"
        return f"safety stock {_n(line.site_safety_stock)}"

    @property
    def in_mrp(self) -> str:
        """What MRP does for the item at the site now: carry out its policy, or net against its safety stock."""
        return ("carries out " if self.line.site_policy else "nets against ") + self.mrp_policy


@dataclass(frozen=True)
class Explanation:
    line: LineView
    paragraphs: list[str]
    simulation: SimulationResult | None


def policy_lines(
    uow: UnitOfWork, *, run: str | None = None, items: tuple[str, ...] = (), limit: int | None = None
) -> tuple[RunView, list[LineView]]:
    """The lines of a run (the newest by default), by item and site."""
    with uow:
        session = uow.session
        chosen = policy_run(session, run)
        for code in items:
            if session.scalar(select(Item.id).where(Item.code == code)) is None:
                raise NotFoundError("item", code)
        return _run_view(chosen), _lines(session, chosen, items, limit)


def count_policy_lines(uow: UnitOfWork, *, run: str | None = None, items: tuple[str, ...] = ()) -> int:
    """How many lines :func:`policy_lines` finds before its limit."""
    with uow:
        session = uow.session
        query = _lines_query(policy_run(session, run), items).order_by(None)
        return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def explain(
    uow: UnitOfWork, item: str, *, site: str | None = None, run: str | None = None, simulated: bool = True
) -> tuple[RunView, list[Explanation]]:
    """Why each policy of ``item`` in a run is what it is, and how it fares on simulated demand."""
    with uow:
        session = uow.session
        chosen = policy_run(session, run)
        if session.scalar(select(Item.id).where(Item.code == item)) is None:
            raise NotFoundError("item", item)
        if site is not None and session.scalar(select(Site.id).where(Site.code == site)) is None:
            raise NotFoundError("site", site)
        lines = [view for view in _lines(session, chosen, (item,), None) if site is None or view.site == site]
        if not lines:
            where = f" at {site}" if site else ""
            raise ValidationError(item, "item", f"has no policy{where} in {chosen.number}")
        working = read_working_days(session)
        site_ids = dict(session.execute(select(Site.code, Site.id)).all())
        header = _run_view(chosen)
        return header, [
            Explanation(
                view,
                _paragraphs(header, view, working[site_ids[view.site]]),
                _simulate(header, view, working[site_ids[view.site]]) if simulated else None,
            )
            for view in lines
        ]


def _run_view(run: PolicyRun) -> RunView:
    return RunView(
        run.number, run.computed_at, run.computed_by, run.method, run.service_measure, json.loads(run.settings)
    )


def _lines(session: Session, run: PolicyRun, items: tuple[str, ...], limit: int | None) -> list[LineView]:
    query = _lines_query(run, items)
    if limit is not None:
        query = query.limit(limit)
    return [LineView(row.item_code, row.site_code, row.unit_code, row.decimals, row) for row in session.execute(query)]


def _lines_query(run: PolicyRun, items: tuple[str, ...]) -> Select[Any]:
    query = (
        select(
            table_of(PolicyLine),
            Item.code.label("item_code"),
            Site.code.label("site_code"),
            Unit.code.label("unit_code"),
            Unit.decimals,
            ItemSite.policy.label("site_policy"),
            ItemSite.reorder_point.label("site_reorder_point"),
            ItemSite.order_quantity.label("site_order_quantity"),
            ItemSite.order_up_to.label("site_order_up_to"),
            ItemSite.review_weeks.label("site_review_weeks"),
            func.coalesce(ItemSite.safety_stock, Item.safety_stock).label("site_safety_stock"),
        )
        .join(Item, Item.id == PolicyLine.item_id)
        .join(Unit, Unit.id == Item.unit_id)
        .join(Site, Site.id == PolicyLine.site_id)
        .outerjoin(ItemSite, and_(ItemSite.item_id == PolicyLine.item_id, ItemSite.site_id == PolicyLine.site_id))
        .where(PolicyLine.run_id == run.id)
        .order_by(Item.code, Site.code)
    )
    if items:
        query = query.where(Item.code.in_(items))
    return query


# --- explanation ------------------------------------------------------------------------------


def _n(value: Decimal | float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    number = float(value)
    text = f"{number:,.0f}" if number == round(number) else f"{number:,.2f}"
    return f"{text} {unit}".rstrip()


def _paragraphs(run: RunView, view: LineView, working_days: int) -> list[str]:
    line, unit = view.line, view.unit
    mean, std, cost = float(line.demand_mean), float(line.demand_std), float(line.unit_cost)
    variation = std / mean if mean else math.inf
    text = [
        f"Class {line.abc_class.value}{line.xyz_class.value}: {_n(mean, unit)} a week at {cost:,.2f} each is worth "
        f"{mean * 52 * cost:,.0f} a year (ABC by annual value); the weekly deviation of {_n(std, unit)} is "
        f"{variation:.2f} of the mean (XYZ: X below 0.5, Y below 1, Z above). Service target: "
        f"{_measure(run.measure)} {float(line.service_target):.1%}"
        + (" (the planner's)." if run.settings.get("target") else f" (class {line.abc_class.value}'s)."),
        _demand_sentence(run, line),
        _lead_time_sentence(line, working_days),
        _policy_sentence(run, view, working_days),
        f"Expected: cycle service level {float(line.expected_cycle_service):.1%}, fill rate "
        f"{float(line.expected_fill_rate):.1%}, at {float(line.expected_cost):,.2f} a year "
        + (
            "(holding the safety stock)."
            if run.method is PolicyMethod.GUARANTEED_SERVICE
            else "(ordering and holding)."
        ),
        _apply_sentence(run, view),
    ]
    return text


def _measure(measure: ServiceMeasure) -> str:
    return "cycle service level" if measure is ServiceMeasure.CYCLE_SERVICE_LEVEL else "fill rate"


def _demand_sentence(run: RunView, line: Row[Any]) -> str:
    weeks = line.history_weeks
    mean = {
        DemandBasis.FORECAST: f"The mean is the forecast of the next {run.settings.get('horizon_weeks')} weeks",
        DemandBasis.HISTORY: f"The mean is the average of {weeks} weeks of sales history",
        DemandBasis.USERS: "It has no sales or forecast of its own: its demand is what the items made from or "
        "supplied by it need, added week by week (so that items used together vary together)",
    }[line.demand_basis]
    deviation = {
        VariabilityBasis.FORECAST_ERRORS: f"the deviation is the root mean square of {weeks} weeks of forecast errors",
        VariabilityBasis.HISTORY: f"the deviation is that of {weeks} weeks of demand (too few forecasts to measure "
        "their errors)",
    }[line.variability_basis]
    return f"{mean}; {deviation}."


def _lead_time_sentence(line: Row[Any], working_days: int) -> str:
    lead, deviation = float(line.lead_time_days), float(line.lead_time_std_days)
    days = f"{lead:,.1f} working days ({lead / working_days:.2f} weeks of {working_days} working days)"
    return {
        LeadTimeBasis.PURCHASE_HISTORY: f"Lead time {days}, deviation {deviation:,.1f} days, measured on receipts "
        "against purchase orders.",
        LeadTimeBasis.SUPPLIER: f"Lead time {days} as the preferred supplier quotes it (too few receipts to "
        "measure it).",
        LeadTimeBasis.ITEM: f"Lead time {days}, the item's at this site (made or transferred), taken as fixed.",
    }[line.lead_time_basis]


def _policy_sentence(run: RunView, view: LineView, working_days: int) -> str:
    line, unit = view.line, view.unit
    safety = _n(line.safety_stock, unit)
    law = line.distribution.value
    chosen = " (as the planner chose)" if run.settings.get("distribution") else _law_reason(line.distribution)
    match run.method:
        case PolicyMethod.REORDER_POINT:
            point, quantity = float(line.reorder_point or 0), float(line.order_quantity or 0)
            over_lead = point - float(line.safety_stock)
            holding = float(line.holding_cost_rate) * float(line.unit_cost)
            rate = float(line.demand_mean) * 52
            eoq = math.sqrt(2 * float(line.ordering_cost) * rate / holding) if holding else math.inf
            return (
                f"Continuous review: order {_n(quantity, unit)} when the inventory position falls to "
                f"{_n(point, unit)}, which is the mean lead-time demand {_n(over_lead, unit)} plus safety stock "
                f"{safety}; lead-time demand follows a {law} law{chosen}. {_n(quantity, unit)} is the order of least "
                f"ordering ({float(line.ordering_cost):,.2f} an order) and holding "
                f"({float(line.holding_cost_rate):.0%} of {float(line.unit_cost):,.2f} a year) cost whose reorder "
                "point meets the target, within the "
                f"order limits and price breaks; the plain economic order quantity would be {_n(eoq, unit)}."
            )
        case PolicyMethod.PERIODIC:
            return (
                f"Weekly review: at or below s = {_n(line.reorder_point, unit)}, order up to S = "
                f"{_n(line.order_up_to, unit)} (Zheng-Federgruen at the backorder cost that just meets the target; "
                f"a {law} law{chosen}); safety stock {safety} is s less the mean demand over the lead time and "
                "a week. Service is counted per week."
            )
        case PolicyMethod.BASE_STOCK:
            return (
                f"Weekly review: order up to S = {_n(line.order_up_to, unit)}, the smallest level meeting the target "
                f"over the lead time and a week (a {law} law{chosen}); safety stock {safety}."
            )
        case PolicyMethod.GUARANTEED_SERVICE:
            daily = float(line.demand_mean) / 7
            covered = (float(line.order_up_to or 0) - float(line.safety_stock)) / daily if daily else 0.0
            return (
                f"Guaranteed service across the supply network (Graves-Willems): it promises {line.service_time_days} "
                f"calendar days to its users and covers a net replenishment time of {covered:,.0f} days with "
                f"safety stock {safety} (base stock {_n(line.order_up_to, unit)}; net weekly demand "
                f"{_n(line.demand_mean, unit)}, deviation {_n(line.demand_std, unit)}, pooled over its users)."
            )


def _law_reason(law: DemandDistribution) -> str:
    match law:
        case DemandDistribution.POISSON:
            return " (a slow mover whose variance is close to its mean)"
        case DemandDistribution.GAMMA:
            return " (coefficient of variation above 0.5: a normal law would expect negative demand)"
        case DemandDistribution.NORMAL:
            return ""


def _apply_sentence(run: RunView, view: LineView) -> str:
    line, unit = view.line, view.unit
    if line.applied_at is not None:
        applied = f"Applied on {line.applied_at:%Y-%m-%d %H:%M} UTC by {line.applied_by}"
        return f"{applied}; at {view.site} MRP now {view.in_mrp}."
    safety = f"safety stock {_n(line.before_safety_stock, unit)} -> {_n(line.new_safety_stock, unit)}"
    if POLICY_OF[run.method] is None:
        return (
            f"Applying writes {safety} at {view.site} (a service time is no replenishment policy); "
            f"MRP there {view.in_mrp}."
        )
    return (
        f"Applying writes {safety} and this policy at {view.site}, which MRP then carries out there; "
        f"now it {view.in_mrp}."
    )


def _simulate(run: RunView, view: LineView, working_days: int) -> SimulationResult | None:
    """The policy run on sampled daily demand (calendar days for guaranteed service)."""
    line = view.line
    mean, std = float(line.demand_mean), float(line.demand_std)
    if mean <= 0:
        return None
    days = 7 if run.method is PolicyMethod.GUARANTEED_SERVICE else working_days
    daily = _daily(line.distribution, mean / days, std / math.sqrt(days))
    holding = float(line.holding_cost_rate) * float(line.unit_cost) / (52 * days)
    lead, lead_std = float(line.lead_time_days), float(line.lead_time_std_days)
    match run.method:
        case PolicyMethod.REORDER_POINT:
            policy = Replenishment.continuous(float(line.reorder_point or 0), float(line.order_quantity or 0))
        case PolicyMethod.PERIODIC:
            policy = Replenishment.periodic(float(line.reorder_point or 0), float(line.order_up_to or 0), days)
        case PolicyMethod.BASE_STOCK:
            level = float(line.order_up_to or 0)
            policy = Replenishment.periodic(level, level, days)
        case PolicyMethod.GUARANTEED_SERVICE:
            level = float(line.order_up_to or 0)
            covered = round((level - float(line.safety_stock)) / (mean / 7))
            if covered < 1:
                return None  # its users are served from upstream stock: nothing to simulate here
            policy, lead, lead_std = Replenishment.periodic(level, level, 1), covered - 1, 0.0
    result = simulate(
        policy,
        daily,
        lead_time=lead,
        lead_time_std=lead_std,
        holding_cost=holding,
        fixed_cost=float(line.ordering_cost) if run.method is not PolicyMethod.GUARANTEED_SERVICE else 0.0,
        periods=SIMULATED_WEEKS * days,
        replications=SIMULATED_RUNS,
        seed=SIMULATION_SEED,
    )
    return result


def _daily(law: DemandDistribution, mean: float, std: float) -> Demand:
    """A day's demand: Poisson stays Poisson; a normal law too spread for a day becomes gamma (no negative days)."""
    if law is DemandDistribution.POISSON:
        return Demand.of(law, mean)
    if law is DemandDistribution.NORMAL and mean > 0 and std / mean > 0.5:
        return Demand.of(DemandDistribution.GAMMA, mean, std)
    return Demand.of(law, mean, std)


# --- the list of a run's lines ----------------------------------------------------------------

#: What a page of policy lines may be sorted by: a column name and what it sorts on.
LINE_ORDER: dict[str, Any] = {
    "item": Item.code,
    "site": Site.code,
    "abc_class": PolicyLine.abc_class,
    "xyz_class": PolicyLine.xyz_class,
    "distribution": PolicyLine.distribution,
    "service_target": PolicyLine.service_target,
    "demand_mean": PolicyLine.demand_mean,
    "safety_stock": PolicyLine.safety_stock,
    "reorder_point": PolicyLine.reorder_point,
    "order_quantity": PolicyLine.order_quantity,
    "order_up_to": PolicyLine.order_up_to,
    "expected_cost": PolicyLine.expected_cost,
    "expected_cycle_service": PolicyLine.expected_cycle_service,
    "expected_fill_rate": PolicyLine.expected_fill_rate,
    "applied": PolicyLine.applied_at,
}


@dataclass(frozen=True)
class LinePage:
    """A page of a run's lines and how many lines match in all."""

    run: RunView
    total: int
    lines: list[LineView]


def policy_runs(uow: UnitOfWork, *, limit: int = 50) -> list[RunView]:
    """The newest policy runs, newest first."""
    with uow:
        runs = uow.session.scalars(select(PolicyRun).order_by(PolicyRun.id.desc()).limit(limit))
        return [_run_view(run) for run in runs]


def policy_page(
    uow: UnitOfWork,
    *,
    run: str | None = None,
    site: str | None = None,
    abc_class: AbcClass | None = None,
    applied: bool | None = None,
    search: str | None = None,
    sort: tuple[str, ...] = (),
    offset: int = 0,
    limit: int = 50,
) -> LinePage:
    """A page of the lines of a run (the newest by default) at ``site``, of ``abc_class``, applied or
    not, whose item's code or name holds ``search`` (any case); sorted by ``sort`` (names of
    :data:`LINE_ORDER`, ``-`` before one for descending), then by item and site."""
    order = []
    for word in sort:
        column = LINE_ORDER.get(word.removeprefix("-"))
        if column is None:
            raise ValidationError("policies", "sort", f"no column {word!r} to sort by (known: {', '.join(LINE_ORDER)})")
        order.append(column.desc() if word.startswith("-") else column.asc())
    with uow:
        session = uow.session
        chosen = policy_run(session, run)
        query = _lines_query(chosen, ())
        if site is not None:
            query = query.where(Site.code == site)
        if abc_class is not None:
            query = query.where(PolicyLine.abc_class == abc_class)
        if applied is not None:
            query = query.where(PolicyLine.applied_at.is_not(None) if applied else PolicyLine.applied_at.is_(None))
        if search:
            wanted = f"%{search.lower()}%"
            query = query.where(func.lower(Item.code).like(wanted) | func.lower(Item.name).like(wanted))
        total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        rows = session.execute(query.order_by(None).order_by(*order, Item.code, Site.code).offset(offset).limit(limit))
        lines = [LineView(row.item_code, row.site_code, row.unit_code, row.decimals, row) for row in rows]
        return LinePage(_run_view(chosen), total, lines)
