"""Sourcing: requisitions, purchase proposals and RFQs with their quotations, comparison and award.

* ``/buy/requisitions``: the requisitions (:mod:`..lists`), a new one by hand, the plan's buys as
  requisitions, and an RFQ made of the ticked ones (``purchase``);
* ``/buy/proposals``: open requisitions by supplier, site and week, each confirmed into a draft
  purchase order;
* ``/buy/rfqs``: the RFQs; ``/buy/rfqs/<number>``: its lines, the quotations side by side (a
  column per supplier), a quotation form and a CSV upload, the award (whole or line by line)
  and the cancellation.

Everything goes through :mod:`plantops.services.purchasing`; whatever it refuses is shown beside
the field it names (or above the form, with the row of a CSV file), and nothing is changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import UploadFile
from starlette.responses import Response

from plantops.db.session import UnitOfWork
from plantops.errors import ImportRejectedError, PlantOpsError, ValidationError
from plantops.services.access import Permission
from plantops.services.master_data.values import CODE, DATE, INTEGER, NUMBER
from plantops.services.purchasing import requisitions as reqs
from plantops.services.purchasing import rfqs
from plantops.services.purchasing.rfqs import QuotationIn, QuotedPrice
from plantops.vocabulary import RequisitionStatus, RfqStatus
from plantops.web import forms, lists
from plantops.web.auth import User, plant, require, work_as
from plantops.web.templating import render

router = APIRouter(prefix="/buy")
Buyer = Annotated[User, Depends(require(Permission.PURCHASE))]

#: The new requisition's fields and their labels.
LABELS = {"item": "Item", "site": "Site", "quantity": "Quantity", "due_date": "Due on", "supplier": "Supplier"}
PLAN_LABELS = {"due_by": "Planned buys due by", "plan_site": "Site"}
RFQ_LABELS = {"suppliers": "Suppliers to invite", "respond_by": "Quote by", "requisitions": "Requisitions"}
QUOTE_LABELS = {
    "supplier": "Supplier",
    "valid_until": "Valid until",
    "freight": "Freight",
    "currency": "Currency",
    "line": "Line",
    "min_quantity": "From quantity",
    "unit_price": "Unit price",
    "lead_time_days": "Lead time (days)",
    "prices": "Prices",
}


REQUISITION_STATUSES = tuple((s.value, s.value.replace("_", " ")) for s in RequisitionStatus)


def _requisitions(uow: UnitOfWork, query: lists.Query, offset: int, limit: int) -> lists.Rows:
    status = query.filters.get("status")
    page = reqs.requisitions(
        uow,
        status=RequisitionStatus(status) if status else None,
        item=query.filters.get("item"),
        supplier=query.filters.get("supplier"),
        site=query.filters.get("site"),
        search=query.search or None,
        sort=query.sort,
        offset=offset,
        limit=limit,
    )
    return lists.Rows(page.total, [vars(r) for r in page.requisitions])


REQUISITIONS = lists.ListView(
    name="requisitions",
    title="Requisitions",
    path="/buy/requisitions",
    columns=(
        lists.Column("number", "Requisition"),
        lists.Column("item", "Item", CODE, link="items"),
        lists.Column("site", "Site", CODE, link="sites"),
        lists.Column("quantity", "Quantity", NUMBER),
        lists.Column("due_date", "Due", DATE),
        lists.Column("supplier", "Supplier", CODE, link="suppliers"),
        lists.Column("status", "Status", shown="words"),
        lists.Column("planned_order", "Planned order", link="planned_orders"),
        lists.Column("purchase_order", "Purchase order", link="purchase_orders"),
    ),
    fetch=_requisitions,
    filters=(
        lists.Filter(
            "status", "Status", choices=tuple((s.value, s.value.replace("_", " ")) for s in RequisitionStatus)
        ),
        lists.Filter("item", "Item", lookup="items"),
        lists.Filter("supplier", "Supplier", lookup="suppliers"),
        lists.Filter("site", "Site", lookup="sites"),
    ),
    key=("number",),
    selectable=True,
)


def _rfqs(uow: UnitOfWork, query: lists.Query, offset: int, limit: int) -> lists.Rows:
    status = query.filters.get("status")
    page = rfqs.rfqs(
        uow,
        status=RfqStatus(status) if status else None,
        site=query.filters.get("site"),
        supplier=query.filters.get("supplier"),
        item=query.filters.get("item"),
        search=query.search or None,
        sort=query.sort,
        offset=offset,
        limit=limit,
    )
    return lists.Rows(page.total, [vars(r) for r in page.rfqs])


RFQS = lists.ListView(
    name="rfqs",
    title="Requests for quotation",
    path="/buy/rfqs",
    columns=(
        lists.Column("number", "RFQ", link="rfqs"),
        lists.Column("site", "Site", CODE, link="sites"),
        lists.Column("status", "Status", shown="words"),
        lists.Column("created_on", "Created", DATE),
        lists.Column("respond_by", "Quote by", DATE),
        lists.Column("lines", "Lines", INTEGER),
        lists.Column("suppliers", "Suppliers", INTEGER),
        lists.Column("quotations", "Quotations", INTEGER),
    ),
    fetch=_rfqs,
    filters=(
        lists.Filter("status", "Status", choices=tuple((s.value, s.value) for s in RfqStatus)),
        lists.Filter("supplier", "Supplier", lookup="suppliers"),
        lists.Filter("item", "Item", lookup="items"),
        lists.Filter("site", "Site", lookup="sites"),
    ),
    key=("number",),
)


@router.get("/requisitions")
def requisitions_page(request: Request) -> Response:
    return _requisitions_page(request, {name: "" for name in LABELS}, {})


@router.get("/requisitions/export.{fmt}")
def requisitions_export(request: Request, fmt: str) -> Response:
    return lists.export(request, REQUISITIONS, fmt)


@router.post("/requisitions")
def create_requisition(
    request: Request,
    user: Buyer,
    item: Annotated[str, Form()] = "",
    site: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    due_date: Annotated[str, Form()] = "",
    supplier: Annotated[str, Form()] = "",
) -> Response:
    """A requisition by hand; the page again with the error beside its field."""
    typed = {"item": item.strip(), "site": site.strip(), "quantity": quantity.strip(), "due_date": due_date.strip()}
    typed["supplier"] = supplier.strip()
    try:
        made = reqs.create_requisition(
            work_as(request, user),
            item=typed["item"],
            site=typed["site"],
            quantity=forms.decimal("requisition", "quantity", quantity, user.locale),
            due_date=forms.required_date("requisition", "due_date", due_date),
            supplier=typed["supplier"] or None,
        )
    except PlantOpsError as error:
        return _requisitions_page(request, typed, forms.place(error, typed, LABELS), status=400)
    return _redirect(request, f"/buy/requisitions?done={quote(made.number)}")


@router.post("/requisitions/from-plan")
def from_plan(
    request: Request,
    user: Buyer,
    due_by: Annotated[str, Form()] = "",
    plan_site: Annotated[str, Form()] = "",
) -> Response:
    """Requisition the plan's buys due by a day."""
    typed = {"due_by": due_by.strip(), "plan_site": plan_site.strip()}
    try:
        made = reqs.requisitions_from_plan(
            work_as(request, user),
            due_by=forms.required_date("requisition", "due_by", due_by),
            site=typed["plan_site"] or None,
        )
    except PlantOpsError as error:
        errors = forms.place(error, {**typed, "site": typed["plan_site"]}, {**PLAN_LABELS, "site": "Site"})
        placed = {"plan_site" if name == "site" else name: text for name, text in errors.items()}
        if "form" in placed:
            placed["plan_form"] = placed.pop("form")
        return _requisitions_page(request, {name: "" for name in LABELS}, placed, plan=typed, status=400)
    return _redirect(request, f"/buy/requisitions?from_plan={len(made)}")


@router.post("/requisitions/{number}/cancel")
def cancel_requisition(request: Request, number: str, user: Buyer) -> Response:
    try:
        reqs.cancel_requisition(work_as(request, user), number)
    except PlantOpsError as error:
        return _requisitions_page(request, {name: "" for name in LABELS}, {"list_form": str(error)}, status=400)
    return _redirect(request, f"/buy/requisitions?cancelled={quote(number)}")


@router.post("/rfqs")
async def create_rfq(request: Request, user: Buyer) -> Response:
    """An RFQ of the ticked requisitions, inviting the suppliers typed (comma- or space-separated)."""
    form = await request.form()
    chosen = [str(value) for value in form.getlist("selected")]
    suppliers_text, respond_by = str(form.get("suppliers", "")).strip(), str(form.get("respond_by", "")).strip()
    typed = {"suppliers": suppliers_text, "respond_by": respond_by, "requisitions": ", ".join(chosen)}
    try:
        made = rfqs.create_rfq(
            work_as(request, user),
            suppliers=[code for code in suppliers_text.replace(",", " ").split() if code],
            requisitions=chosen,
            respond_by=forms.date("rfq", "respond_by", respond_by),
            today=dt.date.today(),
        )
    except PlantOpsError as error:
        placed = {f"rfq_{name}": text for name, text in forms.place(error, typed, RFQ_LABELS).items()}
        return _requisitions_page(request, {name: "" for name in LABELS}, placed, rfq=typed, status=400)
    return _redirect(request, f"/buy/rfqs/{quote(made.number)}?created=1")


def _requisitions_page(
    request: Request,
    typed: Mapping[str, str],
    errors: Mapping[str, str],
    *,
    plan: Mapping[str, str] | None = None,
    rfq: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    listing = lists.fetch(request, REQUISITIONS, lists.read_query(request, REQUISITIONS))
    return render(
        request,
        "sourcing/requisitions.html",
        status,
        listing=listing,
        form=typed,
        errors=errors,
        labels=LABELS,
        plan=plan or {"due_by": "", "plan_site": ""},
        plan_labels=PLAN_LABELS,
        rfq=rfq or {"suppliers": "", "respond_by": ""},
        rfq_labels=RFQ_LABELS,
    )


@router.get("/proposals")
def proposals_page(request: Request) -> Response:
    return _proposals_page(request, None)


def _proposals_page(request: Request, error: tuple[str, str] | None, *, status: int = 200) -> Response:
    found = reqs.proposals(plant(request).uow())
    return render(request, "sourcing/proposals.html", status, proposals=found, failed=error)


@router.post("/proposals/confirm")
def confirm_proposal(
    request: Request,
    user: Buyer,
    supplier: Annotated[str, Form()] = "",
    site: Annotated[str, Form()] = "",
    week: Annotated[str, Form()] = "",
) -> Response:
    """Confirm a proposal into a draft purchase order; the proposals again with the reason if refused."""
    try:
        done = reqs.confirm_proposal(
            work_as(request, user), supplier=supplier, site=site, week=week, today=dt.date.today()
        )
    except PlantOpsError as error:
        return _proposals_page(request, (f"{supplier}-{site}-{week}", str(error)), status=400)
    return _redirect(request, f"/buy/proposals?ordered={quote(done.purchase_order)}&count={len(done.requisitions)}")


@router.get("/rfqs")
def rfqs_page(request: Request) -> Response:
    intro = (
        "Requests for quotation: requisitions asked of several suppliers, their quotations compared side by side "
        "and awarded into draft purchase orders. Make one from the requisitions page."
    )
    return lists.show(request, RFQS, intro=intro)


@router.get("/rfqs/export.{fmt}")
def rfqs_export(request: Request, fmt: str) -> Response:
    return lists.export(request, RFQS, fmt)


@router.get("/rfqs/{number}")
def rfq_page(request: Request, number: str) -> Response:
    return _rfq_page(request, number, {}, {})


@router.post("/rfqs/{number}/quotations")
async def enter_quotation(request: Request, number: str, user: Buyer) -> Response:
    """A quotation from the form: per line, a price from a quantity with its lead time (a line left
    without a price is not quoted)."""
    form = await request.form()
    typed = {str(key): str(value).strip() for key, value in form.items() if isinstance(value, str)}
    view = rfqs.rfq(plant(request).uow(), number)
    try:
        prices = []
        for line in view.lines:
            price = typed.get(f"unit_price_{line.line}", "")
            if not price:
                continue
            where = f"line {line.line}"
            prices.append(
                QuotedPrice(
                    line.line,
                    forms.optional_decimal(where, "min_quantity", typed.get(f"min_quantity_{line.line}"), user.locale)
                    or Decimal(0),
                    forms.decimal(where, "unit_price", price, user.locale),
                    forms.decimal(where, "lead_time_days", typed.get(f"lead_time_days_{line.line}", ""), user.locale),
                )
            )
        quotation = QuotationIn(
            typed.get("supplier", ""),
            forms.required_date("quotation", "valid_until", typed.get("valid_until")),
            prices,
            freight=forms.optional_decimal("quotation", "freight", typed.get("freight"), user.locale) or Decimal(0),
            currency=typed.get("currency") or None,
        )
        rfqs.enter_quotation(work_as(request, user), number, quotation, today=dt.date.today())
    except PlantOpsError as error:
        return _rfq_page(request, number, typed, {"quote_form": forms.explain(error, QUOTE_LABELS)}, status=400)
    return _redirect(request, f"/buy/rfqs/{quote(number)}?quoted={quote(quotation.supplier)}")


@router.post("/rfqs/{number}/quotations/csv")
async def import_quotations(request: Request, number: str, user: Buyer) -> Response:
    """Quotations from a CSV file, all or nothing: every bad row listed with its field."""
    form = await request.form()
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationError("quotations", "file", "choose a CSV file")
        text = rfqs.csv_text(await upload.read(rfqs.MAX_CSV_BYTES + 1))
        rfqs.import_quotations(work_as(request, user), number, text, today=dt.date.today(), source=upload.filename)
    except ImportRejectedError as error:
        return _rfq_page(request, number, {}, {}, problems=[str(p) for p in error.problems], status=400)
    except PlantOpsError as error:
        return _rfq_page(request, number, {}, {}, problems=[str(error)], status=400)
    return _redirect(request, f"/buy/rfqs/{quote(number)}?imported=1")


@router.post("/rfqs/{number}/award")
async def award(request: Request, number: str, user: Buyer) -> Response:
    """Award the whole RFQ (``supplier``) or each line to the supplier chosen for it (``line_<n>``)."""
    form = await request.form()
    supplier = str(form.get("supplier", "")).strip() or None
    chosen = {
        int(key.removeprefix("line_")): str(value)
        for key, value in form.items()
        if key.startswith("line_") and key.removeprefix("line_").isdigit() and str(value)
    }
    try:
        done = rfqs.award(
            work_as(request, user),
            number,
            supplier=supplier,
            lines=None if supplier else chosen,
            today=dt.date.today(),
        )
    except PlantOpsError as error:
        return _rfq_page(request, number, {}, {"award_form": str(error)}, status=400)
    return _redirect(request, f"/buy/rfqs/{quote(number)}?awarded={quote(','.join(done.purchase_orders))}")


@router.post("/rfqs/{number}/cancel")
def cancel_rfq(request: Request, number: str, user: Buyer) -> Response:
    try:
        rfqs.cancel_rfq(work_as(request, user), number)
    except PlantOpsError as error:
        return _rfq_page(request, number, {}, {"award_form": str(error)}, status=400)
    return _redirect(request, f"/buy/rfqs/{quote(number)}?cancelled=1")


def _rfq_page(
    request: Request,
    number: str,
    typed: Mapping[str, str],
    errors: Mapping[str, str],
    *,
    problems: list[str] | None = None,
    status: int = 200,
) -> Response:
    found = rfqs.comparison(plant(request).uow(), number, today=dt.date.today())
    form: dict[str, Any] = {"supplier": "", "valid_until": "", "freight": "", "currency": "", **typed}
    return render(
        request,
        "sourcing/rfq.html",
        status,
        comparison=found,
        rfq=found.rfq,
        form=form,
        errors=errors,
        labels=QUOTE_LABELS,
        problems=problems or [],
        columns=rfqs.CSV_COLUMNS,
    )


def _redirect(request: Request, path: str) -> Response:
    root = str(request.scope.get("root_path", "")).rstrip("/")
    return RedirectResponse(f"{root}{path}", status_code=303)
