"""Inventory policies: the policy of every item at every site as a run computed it, each explained
as ``plantops policy explain`` explains it; computing a run and applying it, each line into its
item's planning data at its site, where MRP carries it out.

* ``/policies``: the lines of the newest run (or of the run chosen), sorted, filtered, paged and
  exported (:mod:`..lists`), each with what MRP goes by at its site now, with the forms that compute a
  run and apply one (``policy`` permission);
* ``/policies/<item>/<site>``: why the policy of the item at the site is what it is, and how it
  fares on simulated demand (:func:`plantops.services.policy.queries.explain`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from plantops.db.session import UnitOfWork
from plantops.errors import PlantOpsError, ValidationError
from plantops.services.access import Permission
from plantops.services.master_data.values import BOOLEAN, NUMBER
from plantops.services.policy import apply, queries, runs
from plantops.services.policy.queries import LineView, RunView
from plantops.vocabulary import AbcClass, PolicyMethod, ServiceMeasure
from plantops.web import forms, lists
from plantops.web.auth import User, plant, require, work_as
from plantops.web.templating import render

router = APIRouter(prefix="/policies")

#: The run form's fields (the CLI's options) and their labels.
RUN_LABELS = {
    "method": "Method",
    "service_level": "Service level (0 to 1)",
    "fill_rate": "Fill rate (0 to 1)",
    "items": "Items (codes, comma-separated)",
    "history_weeks": "Weeks of sales history",
    "horizon_weeks": "Weeks of forecast",
}
#: The apply form's fields and their labels.
APPLY_LABELS = {
    "items": "Items (codes, comma-separated)",
    "lot_sizing": "Also write the policy, not only the safety stock",
}
COLUMNS = (
    lists.Column("item", "Item", link="items"),
    lists.Column("site", "Site", link="sites"),
    lists.Column("abc_class", "ABC"),
    lists.Column("service_target", "Target", NUMBER, shown="percent"),
    lists.Column("demand_mean", "Demand/wk", NUMBER),
    lists.Column("safety_stock", "Safety stock", NUMBER),
    lists.Column("reorder_point", "Reorder pt", NUMBER),
    lists.Column("order_quantity", "Order qty", NUMBER),
    lists.Column("order_up_to", "Up to", NUMBER),
    lists.Column("expected_cost", "Cost/yr", NUMBER, shown="money"),
    lists.Column("expected_cycle_service", "CSL", NUMBER, shown="percent"),
    lists.Column("expected_fill_rate", "Fill", NUMBER, shown="percent"),
    lists.Column("applied", "Applied", BOOLEAN),
    lists.Column("mrp_policy", "In MRP now", sortable=False),
)


def list_view(run_numbers: list[str]) -> lists.ListView:
    """The lines of a run: by site, ABC class and applied or not, of the run chosen (the newest by default)."""
    return lists.ListView(
        name="policies",
        title="Inventory policies",
        path="/policies",
        columns=COLUMNS,
        fetch=_fetch,
        filters=(
            lists.Filter("run", "Run", choices=tuple((n, n) for n in run_numbers)),
            lists.Filter("site", "Site", lookup="sites"),
            lists.Filter("abc_class", "ABC class", choices=tuple((c.value, c.value) for c in AbcClass)),
            lists.Filter("applied", "Applied", choices=(("true", "yes"), ("false", "no"))),
        ),
        sort=("item", "site"),
        key=("item", "site"),
    )


def _fetch(uow: UnitOfWork, query: lists.Query, offset: int, limit: int) -> lists.Rows:
    chosen = query.filters
    applied = chosen.get("applied")
    page = queries.policy_page(
        uow,
        run=chosen.get("run"),
        site=chosen.get("site"),
        abc_class=AbcClass(chosen["abc_class"]) if "abc_class" in chosen else None,
        applied=None if applied is None else applied == "true",
        search=query.search or None,
        sort=query.sort,
        offset=offset,
        limit=limit,
    )
    return lists.Rows(page.total, [_row(page.run, view) for view in page.lines])


def _row(run: RunView, view: LineView) -> dict[str, Any]:
    """A line as the list shows it: quantities to the decimals of the item's unit, demand to one."""
    line = view.line
    return {
        "run": run.number,
        "item": view.item,
        "site": view.site,
        "abc_class": line.abc_class,
        "xyz_class": line.xyz_class,
        "distribution": line.distribution,
        "service_target": line.service_target,
        "demand_mean": _rounded(line.demand_mean, 1),
        "safety_stock": _rounded(line.safety_stock, view.decimals),
        "reorder_point": _rounded(line.reorder_point, view.decimals),
        "order_quantity": _rounded(line.order_quantity, view.decimals),
        "order_up_to": _rounded(line.order_up_to, view.decimals),
        "expected_cost": line.expected_cost,
        "expected_cycle_service": line.expected_cycle_service,
        "expected_fill_rate": line.expected_fill_rate,
        "applied": view.applied,
        "mrp_policy": view.mrp_policy,
    }


def _rounded(value: Decimal | None, places: int) -> Decimal | None:
    return None if value is None else value.quantize(Decimal(1).scaleb(-places))


@router.get("")
def policies_page(request: Request) -> Response:
    return _page(request, _run_form(), {})


@router.get("/export.{fmt}")
def policies_export(request: Request, fmt: str) -> Response:
    return lists.export(request, list_view([r.number for r in queries.policy_runs(plant(request).uow())]), fmt)


@router.post("/run")
def compute_run(
    request: Request,
    user: Annotated[User, Depends(require(Permission.POLICY))],
    method: Annotated[str, Form()] = PolicyMethod.REORDER_POINT.value,
    service_level: Annotated[str, Form()] = "",
    fill_rate: Annotated[str, Form()] = "",
    items: Annotated[str, Form()] = "",
    history_weeks: Annotated[str, Form()] = "",
    horizon_weeks: Annotated[str, Form()] = "",
) -> Response:
    """Compute the policies the form asks for as a new run; the form again with its errors beside them."""
    typed = {
        "method": method.strip(),
        "service_level": service_level.strip(),
        "fill_rate": fill_rate.strip(),
        "items": items.strip(),
        "history_weeks": history_weeks.strip(),
        "horizon_weeks": horizon_weeks.strip(),
    }
    try:
        summary = runs.compute_policies(work_as(request, user), _policy_request(typed, user), computed_by=user.username)
    except PlantOpsError as error:
        return _page(request, typed, forms.place(error, typed, RUN_LABELS), status=400)
    done = {"computed": summary.number, "lines": summary.lines, "skipped": len(summary.skipped)}
    return RedirectResponse(f"{_root(request)}/policies?{urlencode(done)}", status_code=303)


@router.post("/apply")
def apply_run(
    request: Request,
    user: Annotated[User, Depends(require(Permission.POLICY))],
    run: Annotated[str, Form()] = "",
    items: Annotated[str, Form()] = "",
    lot_sizing: Annotated[str, Form()] = "",
) -> Response:
    """Write a run's policies, each into its item's planning data at its site, all or nothing."""
    typed = {"run": run.strip(), "items": items.strip(), "lot_sizing": lot_sizing}
    try:
        number, changes = apply.apply_policies(
            work_as(request, user),
            items=_codes(typed["items"]),
            run=typed["run"] or None,
            lot_sizing=bool(lot_sizing),
            applied_by=user.username,
        )
    except PlantOpsError as error:
        return _page(request, _run_form(), {}, apply_form=typed, apply_errors=_apply_errors(error, typed), status=400)
    done = {"applied_items": len({c.item for c in changes}), "applied_sites": len(changes), "applied_from": number}
    return RedirectResponse(f"{_root(request)}/policies?{urlencode(done)}", status_code=303)


@router.get("/{item}/{site}")
def policy_explained(request: Request, item: str, site: str, run: str = "") -> Response:
    """Why the policy of ``item`` at ``site`` is what it is, and how it fares on simulated demand."""
    header, explanations = queries.explain(plant(request).uow(), item, site=site, run=run.strip() or None)
    explanation = explanations[0]
    return render(
        request,
        "policies/policy.html",
        run=header,
        explanation=explanation,
        row=_row(header, explanation.line),
        columns=COLUMNS,
        simulated=(queries.SIMULATED_RUNS, queries.SIMULATED_WEEKS),
    )


def _policy_request(typed: Mapping[str, str], user: User) -> runs.PolicyRequest:
    """The run the form asks for, every value read as the CLI reads its options."""
    try:
        method = PolicyMethod(typed["method"])
    except ValueError:
        known = ", ".join(m.value for m in PolicyMethod)
        raise ValidationError("policy", "method", f"{typed['method']!r} is not one of {known}") from None
    service_level = forms.number("policy", "service_level", typed["service_level"], user.locale)
    fill_rate = forms.number("policy", "fill_rate", typed["fill_rate"], user.locale)
    if service_level is not None and fill_rate is not None:
        raise ValidationError("policy", "fill_rate", "give either a service level or a fill rate, not both")
    target = fill_rate if fill_rate is not None else service_level
    return runs.PolicyRequest(
        today=dt.date.today(),
        method=method,
        measure=ServiceMeasure.FILL_RATE if fill_rate is not None else ServiceMeasure.CYCLE_SERVICE_LEVEL,
        target=None if target is None else float(target),
        items=_codes(typed["items"]),
        history_weeks=forms.integer("policy", "history_weeks", typed["history_weeks"], 52, user.locale),
        horizon_weeks=forms.integer("policy", "horizon_weeks", typed["horizon_weeks"], 13, user.locale),
    )


def _apply_errors(error: PlantOpsError, typed: Mapping[str, str]) -> dict[str, str]:
    """An item the run has no policy of, or that exists nowhere, beside the items field."""
    placed = forms.place(error, typed, APPLY_LABELS)
    if "form" in placed and typed["items"] and not isinstance(error, apply.NoPolicyRunError):
        return {"items": str(error)}
    return placed


def _codes(text: str) -> tuple[str, ...]:
    return tuple(code.strip() for code in text.split(",") if code.strip())


def _run_form() -> dict[str, str]:
    return {
        "method": PolicyMethod.REORDER_POINT.value,
        "service_level": "",
        "fill_rate": "",
        "items": "",
        "history_weeks": "52",
        "horizon_weeks": "13",
    }


def _page(
    request: Request,
    form: Mapping[str, str],
    errors: Mapping[str, str],
    *,
    apply_form: Mapping[str, str] | None = None,
    apply_errors: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The list of the run chosen with the run and apply forms; without a run yet, the forms alone."""
    run_list = queries.policy_runs(plant(request).uow())
    listing = None
    shown = None
    if run_list:
        view = list_view([r.number for r in run_list])
        listing = lists.fetch(request, view, lists.read_query(request, view))
        wanted = listing.query.filters.get("run")
        shown = next((r for r in run_list if r.number == wanted), run_list[0])
    return render(
        request,
        "policies/index.html",
        status,
        listing=listing,
        run=shown,
        methods=list(PolicyMethod),
        form=form,
        errors=errors,
        labels=RUN_LABELS,
        apply_form=apply_form or {"run": "", "items": "", "lot_sizing": "yes"},
        apply_errors=apply_errors or {},
        apply_labels=APPLY_LABELS,
        explain_url=lambda row: (
            f"/policies/{quote(row['item'], safe='')}/{quote(row['site'], safe='')}?run={quote(row['run'])}"
        ),
    )


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")
