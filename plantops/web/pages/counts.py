"""Cycle counts: make a count list of what is due (by ABC class and location, as ``plantops stock
count create`` does), record what was found line by line on a phone, post the differences.

* ``/stock/counts``: the count lists, sorted, filtered, paged and exported (:mod:`..lists`), and
  the form that makes a new one (``post_stock`` permission);
* ``/stock/counts/<number>``: the list's lines, one a row with a large number field, saved as
  they are counted and posted at the end (:mod:`plantops.services.inventory.counting`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote

from babel import numbers
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData
from starlette.responses import Response

from plantops.db.session import UnitOfWork
from plantops.errors import PlantOpsError, ValidationError
from plantops.services.access import Permission
from plantops.services.inventory import counting
from plantops.services.inventory.counting import CountList, CountResult
from plantops.services.master_data.values import INSTANT, INTEGER
from plantops.vocabulary import AbcClass, CountStatus
from plantops.web import forms, lists
from plantops.web.auth import User, plant, require, signed_in, work_as
from plantops.web.templating import render

router = APIRouter(prefix="/stock/counts")

#: The form that makes a count list: its fields and their labels.
LABELS = {"abc": "ABC classes", "location": "Location", "limit": "At most this many lines"}


def _fetch(uow: UnitOfWork, query: lists.Query, offset: int, limit: int) -> lists.Rows:
    status = query.filters.get("status")
    total, found = counting.count_lists(
        uow,
        status=CountStatus(status) if status else None,
        search=query.search or None,
        sort=query.sort,
        offset=offset,
        limit=limit,
    )
    return lists.Rows(total, [vars(summary) for summary in found])


VIEW = lists.ListView(
    name="counts",
    title="Cycle counts",
    path="/stock/counts",
    columns=(
        lists.Column("number", "Count list"),
        lists.Column("status", "Status", shown="words"),
        lists.Column("created_at", "Made (UTC)", INSTANT),
        lists.Column("lines", "Lines", INTEGER),
        lists.Column("counted", "Counted", INTEGER),
        lists.Column("posting_id", "Posting", INTEGER, sortable=False),
    ),
    fetch=_fetch,
    filters=(lists.Filter("status", "Status", choices=tuple((s.value, s.value) for s in CountStatus)),),
    sort=("-number",),
    key=("number",),
)


@router.get("")
def counts_page(request: Request) -> Response:
    return _list_page(request, {"abc": "", "location": "", "limit": ""}, {})


@router.get("/export.{fmt}")
def counts_export(request: Request, fmt: str) -> Response:
    return lists.export(request, VIEW, fmt)


@router.post("")
async def create_count(request: Request, user: Annotated[User, Depends(require(Permission.POST_STOCK))]) -> Response:
    """Make a count list of what is due today; the form again with the error beside its field."""
    form = await request.form()
    classes = [str(word) for word in form.getlist("abc")]
    typed = {
        "abc": ",".join(classes),
        "location": str(form.get("location", "")).strip(),
        "limit": str(form.get("limit", "")).strip(),
    }
    try:
        chosen = {_abc_class(word) for word in classes}
        limit = forms.integer("count list", "limit", typed["limit"], 0, user.locale) or None
        made = counting.create_count_list(
            work_as(request, user),
            today=dt.date.today(),
            abc_classes=chosen or None,
            location=typed["location"] or None,
            limit=limit,
            created_by=user.username,
        )
    except PlantOpsError as error:
        return _list_page(request, typed, forms.place(error, typed, LABELS), status=400)
    return RedirectResponse(f"{_root(request)}/stock/counts/{quote(made.number)}?created=1", status_code=303)


@router.get("/{number}")
def count_sheet(request: Request, number: str) -> Response:
    count = counting.read_count_list(plant(request).uow(), number)
    return _sheet(request, count, _shown_counts(count, signed_in(request)), {})


@router.post("/{number}")
async def record_counts(
    request: Request, number: str, user: Annotated[User, Depends(require(Permission.POST_STOCK))]
) -> Response:
    """Save the quantities typed (an empty field is left as it was); with ``action=post``, then post
    the differences. Every number that cannot be read is shown beside its line, and nothing is saved."""
    form = await request.form()
    count = counting.read_count_list(plant(request).uow(), number)
    typed = _typed(count, form)
    try:
        counts = _counts(count, typed, user)
        if counts:
            count = counting.record_counts(work_as(request, user), number, counts)
    except PlantOpsError as error:
        return _sheet(request, count, typed, _line_errors(count, error, typed), status=400)
    if form.get("action") != "post":
        return _sheet(request, count, _shown_counts(count, user), {}, saved=len(counts))
    try:
        result = counting.post_count(
            work_as(request, user), number, posted_by=user.username, now=dt.datetime.now(dt.UTC)
        )
    except PlantOpsError as error:
        errors = {"form": f"Saved, not posted: {error.reason if isinstance(error, ValidationError) else error}"}
        return _sheet(request, count, _shown_counts(count, user), errors, status=400, saved=len(counts))
    posted = counting.read_count_list(plant(request).uow(), number)
    return _sheet(request, posted, _shown_counts(posted, user), {}, result=result)


def _abc_class(word: str) -> AbcClass:
    try:
        return AbcClass(word)
    except ValueError:
        raise ValidationError("count list", "abc", f"no ABC class is called {word!r}") from None


def _field(index: int) -> str:
    return f"counted-{index}"


def _typed(count: CountList, form: FormData) -> dict[str, str]:
    return {_field(i): str(form.get(_field(i), "")).strip() for i in range(len(count.lines))}


def _counts(count: CountList, typed: Mapping[str, str], user: User) -> list[counting.Count]:
    """The quantities typed, each read as the user writes numbers; every unreadable one is reported."""
    found: list[counting.Count] = []
    problems: dict[str, str] = {}
    for index, line in enumerate(count.lines):
        try:
            quantity = forms.number(f"count list {count.number}", _field(index), typed[_field(index)], user.locale)
        except ValidationError as error:
            problems[error.field] = error.reason
            continue
        if quantity is not None:
            found.append((line.item, line.location, line.lot, quantity))
    if problems:
        raise _Unreadable(problems)
    return found


class _Unreadable(ValidationError):
    """Counted quantities that are not numbers, by field."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        field, reason = next(iter(problems.items()))
        super().__init__("count list", field, reason)


def _line_errors(count: CountList, error: PlantOpsError, typed: Mapping[str, str]) -> dict[str, str]:
    """Each error beside the line it names (the service names a line by its item, location and lot)."""
    if isinstance(error, _Unreadable):
        return error.problems
    if isinstance(error, ValidationError):
        named = [
            index
            for index, line in enumerate(count.lines)
            if error.reason.startswith(
                f"item {line.item} at {line.location}" + (f" lot {line.lot}" if line.lot else "")
            )
        ]
        if named:
            return {_field(max(named, key=lambda i: len(count.lines[i].lot or ""))): error.reason}
    return {"form": forms.explain(error, {})}


def _shown_counts(count: CountList, user: User) -> dict[str, str]:
    """The quantities already counted, as the user writes numbers."""
    return {
        _field(index): "" if line.counted is None else _written(line.counted, user)
        for index, line in enumerate(count.lines)
    }


def _written(quantity: Decimal, user: User) -> str:
    """A quantity as the user types numbers, without grouping (so that it reads back as it was)."""
    exact = Decimal(format(quantity.normalize(), "f"))
    return numbers.format_decimal(exact, locale=user.locale, group_separator=False, decimal_quantization=False)


def _sheet(
    request: Request,
    count: CountList,
    typed: Mapping[str, str],
    errors: Mapping[str, str],
    *,
    status: int = 200,
    saved: int | None = None,
    result: CountResult | None = None,
) -> Response:
    return render(
        request,
        "counts/count.html",
        status,
        count=count,
        form=typed,
        errors=errors,
        field_of=_field,
        saved=saved,
        result=result,
        counted=sum(1 for line in count.lines if line.counted is not None),
    )


def _list_page(request: Request, typed: Mapping[str, Any], errors: Mapping[str, str], *, status: int = 200) -> Response:
    listing = lists.fetch(request, VIEW, lists.read_query(request, VIEW))
    return render(
        request,
        "counts/index.html",
        status,
        listing=listing,
        form=typed,
        errors=errors,
        labels=LABELS,
        classes=list(AbcClass),
        frequency={c.value: counting.frequency_days(c) for c in AbcClass},
    )


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")
