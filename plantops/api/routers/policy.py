"""Inventory policies: a policy run (a background job) computing safety stock, reorder points
and order quantities per item and site; its lines, why each is what it is (with a simulation),
and applying each into its item's planning data at its site, where MRP carries it out."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field

from plantops.api.problems import problem_responses
from plantops.api.routers.jobs import JobOut, submitted
from plantops.api.schemas import Code, ListQuery, Page, Schema, page_of
from plantops.api.security import PolicyMaker, Reader
from plantops.services.policy import apply, queries, runs
from plantops.services.policy.queries import LineView
from plantops.vocabulary import DemandDistribution, PolicyMethod, ReplenishmentPolicy, ServiceMeasure

router = APIRouter(prefix="/policies", tags=["inventory policy"], responses=problem_responses(401, 403, 404, 409, 422))

POLICY_STEPS = ("read", "compute", "write")
Share = Annotated[float, Field(gt=0, lt=1)]


class PolicyRunIn(Schema):
    today: dt.date | None = Field(default=None, description="Default: today.")
    method: PolicyMethod = PolicyMethod.REORDER_POINT
    measure: ServiceMeasure = ServiceMeasure.CYCLE_SERVICE_LEVEL
    target: Share | None = Field(default=None, description="The service target of every item (default: by ABC).")
    class_targets: tuple[Share, Share, Share] = Field(default=(0.98, 0.95, 0.90), description="For A, B, C items.")
    items: list[Code] = Field(default_factory=list, max_length=10_000, description="Only these items (all: empty).")
    history_weeks: int = Field(default=52, ge=8, le=520)
    horizon_weeks: int = Field(default=13, ge=1, le=156)
    distribution: DemandDistribution | None = Field(default=None, description="Default: fitted per item.")
    holding_cost_rate: float = Field(default=0.25, gt=0, le=10, description="Per year, for items without one.")
    ordering_cost: float = Field(default=50.0, ge=0, le=1e9, description="Per order, for items without one.")
    customer_service_days: int = Field(default=0, ge=0, le=3650)


@router.post(
    "/runs",
    response_model=JobOut,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Compute policies in the background; follow the job at its Location",
)
def start_policy_run(body: PolicyRunIn, caller: PolicyMaker, request: Request, response: Response) -> JobOut:
    policy_request = runs.PolicyRequest(
        today=body.today or dt.date.today(),
        method=body.method,
        measure=body.measure,
        target=body.target,
        class_targets=body.class_targets,
        items=tuple(body.items),
        history_weeks=body.history_weeks,
        horizon_weeks=body.horizon_weeks,
        distribution=body.distribution,
        holding_cost_rate=body.holding_cost_rate,
        ordering_cost=body.ordering_cost,
        customer_service_days=body.customer_service_days,
    )
    return submitted(request, response, "policy", policy_request, caller.username)


class PolicyRunOut(BaseModel):
    number: str
    computed_at: dt.datetime
    computed_by: str
    method: PolicyMethod
    measure: ServiceMeasure
    settings: dict[str, Any]


class PolicyLineOut(BaseModel):
    """A policy of an item at a site: the line's columns in ``values`` (safety stock, reorder point...,
    and ``site_*``: the policy and safety stock the item's planning data at the site holds now), and
    ``in_mrp``: what MRP does for the item at the site now, in words."""

    item: str
    site: str
    unit: str
    applied: bool
    in_mrp: str
    values: dict[str, Any]


class PolicyPage(Page[PolicyLineOut]):
    run: PolicyRunOut


class LineQuery(ListQuery):
    run: Code | None = Field(default=None, description="Default: the newest run.")
    item: Code | None = None


#: Ids, and the codes the line view carries beside the line's columns.
HIDDEN = frozenset({"id", "run_id", "item_id", "site_id", "item_code", "site_code", "unit_code", "decimals"})


def _line(view: LineView) -> PolicyLineOut:
    values = {name: value for name, value in view.line._mapping.items() if name not in HIDDEN}
    return PolicyLineOut(
        item=view.item, site=view.site, unit=view.unit, applied=view.applied, in_mrp=view.in_mrp, values=values
    )


@router.get("/lines", response_model=PolicyPage, summary="The policies of a run, by item and site")
def lines(query: Annotated[LineQuery, Query()], caller: Reader) -> PolicyPage:
    run, found = queries.policy_lines(caller.uow(), run=query.run, items=(query.item,) if query.item else ())
    page = page_of([_line(v) for v in found], query, ("item", "site", "unit", "applied"))
    return PolicyPage(
        run=PolicyRunOut(**dataclasses.asdict(run)), **page.model_dump(exclude={"items"}), items=page.items
    )


class EstimateOut(BaseModel):
    mean: float
    standard_error: float


class ExplanationOut(BaseModel):
    line: PolicyLineOut
    paragraphs: list[str]
    simulation: dict[str, EstimateOut] | None


class ExplainQuery(Schema):
    site: Code | None = None
    run: Code | None = None
    simulated: bool = True


@router.get(
    "/explanations/{item:path}",
    response_model=list[ExplanationOut],
    summary="Why an item's policies are what they are, and how they fare on simulated demand",
)
def explain(item: str, query: Annotated[ExplainQuery, Query()], caller: Reader) -> list[ExplanationOut]:
    _, explanations = queries.explain(caller.uow(), item, site=query.site, run=query.run, simulated=query.simulated)
    return [
        ExplanationOut(
            line=_line(e.line),
            paragraphs=e.paragraphs,
            simulation=None
            if e.simulation is None
            else {name: EstimateOut(**dataclasses.asdict(value)) for name, value in vars(e.simulation).items()},
        )
        for e in explanations
    ]


class ApplyIn(Schema):
    run: Code | None = Field(default=None, description="Default: the newest run.")
    items: list[Code] = Field(default_factory=list, max_length=10_000, description="Default: all not applied yet.")
    lot_sizing: bool = Field(default=True, description="False: write the safety stock only, keep each site's policy.")


class ChangeOut(BaseModel):
    """What applying a line changed at its item's site, each value before and after: the safety stock
    (before: the site's, else the item's) and the site's policy (``null``: none, MRP nets against the
    safety stock); ``reorder_point`` is r of (r, Q) or s of (s, S), ``order_quantity`` Q, ``order_up_to`` S.
    ``created``: the item had no record at the site."""

    item: str
    site: str
    created: bool
    safety_stock: tuple[str, str]
    policy: tuple[ReplenishmentPolicy | None, ReplenishmentPolicy | None]
    reorder_point: tuple[str | None, str | None]
    order_quantity: tuple[str | None, str | None]
    order_up_to: tuple[str | None, str | None]
    review_weeks: tuple[int | None, int | None]


class AppliedOut(BaseModel):
    run: str
    changes: list[ChangeOut]


def _text(value: Any) -> str | None:
    return None if value is None else format(value.normalize(), "f")


@router.post(
    "/apply",
    response_model=AppliedOut,
    summary="Write a run's policies into each item's planning data at its site, for MRP to carry out",
)
def apply_policies(body: ApplyIn, caller: PolicyMaker) -> AppliedOut:
    number, changes = apply.apply_policies(
        caller.uow(), items=tuple(body.items), run=body.run, lot_sizing=body.lot_sizing, applied_by=caller.username
    )
    return AppliedOut(
        run=number,
        changes=[
            ChangeOut(
                item=c.item,
                site=c.site,
                created=c.created,
                safety_stock=(_text(c.safety_stock[0]) or "0", _text(c.safety_stock[1]) or "0"),
                policy=c.policy,
                reorder_point=(_text(c.reorder_point[0]), _text(c.reorder_point[1])),
                order_quantity=(_text(c.order_quantity[0]), _text(c.order_quantity[1])),
                order_up_to=(_text(c.order_up_to[0]), _text(c.order_up_to[1])),
                review_weeks=c.review_weeks,
            )
            for c in changes
        ],
    )
