"""Reading form fields into the values services take, and placing a service's error on its field.

A value that cannot be read (``12,x`` as a quantity) is a :class:`ValidationError`
naming the form's field, exactly as the service would name it, so that the page shows
both kinds of error the same way: beside the field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any

from babel import Locale, numbers
from fastapi import Query, Request
from starlette.responses import Response

from plantops.errors import NotFoundError, PlantOpsError, ValidationError
from plantops.web.templating import render

#: The spaces a person may type between groups of digits, where their locale groups with a space.
_SPACES = re.compile(r"[ \u00a0\u202f]+")
#: A form's fields by name, and the label the page shows each under.
Labels = Mapping[str, str]
#: The last page of a list that may be asked for (a million pages of any list is more than a plant holds).
LAST_PAGE = 1_000_000
#: The page of a list a query string asks for.
PageNumber = Annotated[int, Query(title="Page", ge=1, le=LAST_PAGE)]


def text(value: str | None) -> str | None:
    """A stripped text field; empty means not given."""
    value = (value or "").strip()
    return value or None


def decimal(record: str, field: str, value: str | None, locale: Locale) -> Decimal:
    """A required number, as a person in ``locale`` writes it (see :func:`number`)."""
    found = number(record, field, value, locale)
    if found is None:
        raise ValidationError(record, field, "is required")
    return found


def optional_decimal(record: str, field: str, value: str | None, locale: Locale) -> Decimal | None:
    """A number, or None where nothing was typed (see :func:`number`)."""
    return number(record, field, value, locale)


def number(record: str, field: str, value: str | None, locale: Locale) -> Decimal | None:
    """The number a person typed, read as written in ``locale``; None where nothing was typed.

    Every number field of every web form is read here. Babel's strict parser reads the
    locale's decimal and grouping separators (CLDR's symbols), so that ``1,5`` is one and
    a half in German and refused in English, where the comma groups thousands and ``1,5``
    groups them wrongly; a value is never read with a separator ignored (``1,5`` as 15).
    Where the locale groups thousands with a space (French, Swedish: a no-break space),
    a typed space is read as that space.
    """
    given = text(value)
    if given is None:
        return None
    decimal_sign, group_sign = numbers.get_decimal_symbol(locale), numbers.get_group_symbol(locale)
    typed = _SPACES.sub(group_sign, given) if _SPACES.fullmatch(group_sign) else given
    try:
        found = numbers.parse_decimal(typed, locale=locale, strict=True)
    except numbers.NumberFormatError:
        shown = "a space" if _SPACES.fullmatch(group_sign) else repr(group_sign)
        raise ValidationError(
            record,
            field,
            f"{given!r} is not a number as written in {locale.display_name}"
            f" (decimal separator {decimal_sign!r}, thousands separated by {shown})",
        ) from None
    if not found.is_finite():
        raise ValidationError(record, field, f"{given!r} is not a number")
    return found


def date(record: str, field: str, value: str | None) -> dt.date | None:
    given = text(value)
    if given is None:
        return None
    try:
        return dt.date.fromisoformat(given)
    except ValueError:
        raise ValidationError(record, field, f"{given!r} is not a date (2026-11-30)") from None


def required_date(record: str, field: str, value: str | None) -> dt.date:
    found = date(record, field, value)
    if found is None:
        raise ValidationError(record, field, "is required")
    return found


def moment(record: str, field: str, value: str | None) -> dt.datetime:
    """A required date and time; without a zone it is left to the service to place it (a site's zone)."""
    given = text(value)
    if given is None:
        raise ValidationError(record, field, "is required")
    try:
        return dt.datetime.fromisoformat(given)
    except ValueError:
        raise ValidationError(record, field, f"{given!r} is not a date and time (2026-11-30T14:00)") from None


def integer(record: str, field: str, value: str | None, default: int, locale: Locale) -> int:
    """A whole number (see :func:`number`); ``default`` where nothing was typed."""
    found = number(record, field, value, locale)
    if found is None:
        return default
    if found != found.to_integral_value():
        raise ValidationError(record, field, f"{text(value)!r} is not a whole number")
    return int(found)


def explain(error: PlantOpsError, labels: Labels) -> str:
    """An error as a page says it: a field the form shows is named by its label, not its name."""
    if isinstance(error, ValidationError) and error.field in labels:
        return f"{labels[error.field]}: {error.reason}"
    return str(error)


def place(error: PlantOpsError, typed: Mapping[str, str], labels: Labels) -> dict[str, str]:
    """Where a form shows ``error`` (the form's ``typed`` fields, shown under ``labels``): its reason
    beside the field it is about, or above the form (``"form"``) naming any field by its label."""
    field = field_of(error, typed)
    if field is None:
        return {"form": explain(error, labels)}
    return {field: error.reason if isinstance(error, ValidationError) else str(error)}


def refused(
    request: Request,
    template: str,
    target: str,
    form: Mapping[str, str],
    errors: Mapping[str, str],
    labels: Labels,
    **context: Any,
) -> Response:
    """The form ``template`` again, as typed and with its errors, in place of the form ``target``
    (the element an HTMX post came from, whatever the post would have filled had it worked)."""
    response = render(request, template, 200, form=form, errors=errors, labels=labels, hidden=False, **context)
    response.headers["HX-Retarget"] = target
    response.headers["HX-Reswap"] = "outerHTML"
    return response


def field_of(error: PlantOpsError, fields: Mapping[str, str]) -> str | None:
    """The form field an error is about, given the form's ``fields`` (name -> value typed), or None.

    A validation error names its field; an unknown code names what it is (item,
    location, lot), found in the field where it was typed.
    """
    if isinstance(error, ValidationError):
        return error.field if error.field in fields else None
    if isinstance(error, NotFoundError):
        typed_here = [name for name, value in fields.items() if value == error.code]
        if error.kind in typed_here:
            return error.kind
        return typed_here[0] if typed_here else (error.kind if error.kind in fields else None)
    return None
