"""Errors as RFC 9457 problem details (``application/problem+json``), never a stack trace.

Every PlantOps error becomes a problem whose status says whose fault it is (401 no
valid credentials, 403 not allowed, 404 unknown code, 409 conflicts with the data as it
is now, 422 a value that is not acceptable) and whose ``errors`` name the field and the
reason. Request bodies and parameters that do not match the schema are 422 with one
error per field. The database refusing a value (out of its range) is 422, a row that
another request wrote first 409, a database too busy to answer in time (SQLite while a
long run holds its write lock) or out of reach 503. Anything else is logged on the
server and answered 500 with no detail.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException

from plantops.errors import (
    BomCycleError,
    DatabaseNotEmptyError,
    ImportRejectedError,
    NotFoundError,
    PlantOpsError,
    ValidationError,
)
from plantops.services.access import AuthenticationError, SignInThrottledError
from plantops.services.access.permissions import PermissionDeniedError
from plantops.services.forecasting.queries import NoForecastError
from plantops.services.inventory.counting import CountListPostedError
from plantops.services.inventory.ledger import InsufficientStockError
from plantops.services.master_data.records import ConflictError
from plantops.services.planning.queries import NoPlanError
from plantops.services.policy.apply import NoPolicyRunError
from plantops.services.scheduling.runs import NoScheduleError

PROBLEM_JSON = "application/problem+json"
_log = logging.getLogger(__name__)


class FieldError(BaseModel):
    """One field of the request (or of a row of an import) and why it is not acceptable."""

    field: str
    reason: str
    record: str | None = None
    row: int | None = None


class Problem(BaseModel):
    """An RFC 9457 problem: what went wrong, and the fields at fault."""

    type: str = Field(description="A URI naming the kind of problem.")
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] = Field(default_factory=list)


class NotAllowedError(PlantOpsError):
    """The caller's roles do not grant the permission an endpoint needs."""


class PreconditionRequiredError(PlantOpsError):
    """An update without the version it was made from (``If-Match``)."""


_STATUS: Sequence[tuple[type[Exception], int, str]] = (
    (SignInThrottledError, 429, "too-many-sign-ins"),
    (AuthenticationError, 401, "unauthenticated"),
    (NotAllowedError, 403, "forbidden"),
    (PermissionDeniedError, 403, "forbidden"),
    (NotFoundError, 404, "not-found"),
    (NoPlanError, 404, "no-plan"),
    (NoForecastError, 404, "no-forecast"),
    (NoScheduleError, 404, "no-schedule"),
    (NoPolicyRunError, 404, "no-policy"),
    (ConflictError, 409, "conflict"),
    (InsufficientStockError, 409, "insufficient-stock"),
    (CountListPostedError, 409, "conflict"),
    (DatabaseNotEmptyError, 409, "conflict"),
    (PreconditionRequiredError, 428, "precondition-required"),
    (ImportRejectedError, 422, "import-rejected"),
    (BomCycleError, 422, "bom-cycle"),
    (ValidationError, 422, "validation"),
    (PlantOpsError, 422, "rejected"),
)
TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    415: "Unsupported media type",
    422: "Not acceptable",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal error",
    503: "Unavailable",
}


def problem_type(slug: str) -> str:
    return f"urn:plantops:problem:{slug}"


def problem_response(
    request: Request,
    status: int,
    slug: str,
    detail: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        type=problem_type(slug),
        title=TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors or [],
    )
    return JSONResponse(body.model_dump(), status_code=status, media_type=PROBLEM_JSON, headers=headers)


def status_of(error: Exception) -> tuple[int, str]:
    for kind, status, slug in _STATUS:
        if isinstance(error, kind):
            return status, slug
    return 422, "rejected"


def _field_errors(error: Exception) -> list[FieldError]:
    if isinstance(error, ValidationError):
        return [FieldError(field=error.field, reason=error.reason, record=error.record)]
    if isinstance(error, ImportRejectedError):
        return [FieldError(field=p.field, reason=p.reason, record=p.source, row=p.row) for p in error.problems]
    return []


def _location(parts: Sequence[Any]) -> str:
    """``("body", "lines", 0, "quantity")`` as ``lines[0].quantity``; where the value was is the first part."""
    text = ""
    for part in parts[1:]:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return (text or str(parts[0])) if parts else ""


def install(app: FastAPI) -> None:
    """Answer every error as a problem."""

    @app.exception_handler(PlantOpsError)
    async def plantops_error(request: Request, error: Exception) -> JSONResponse:
        status, slug = status_of(error)
        headers = {"WWW-Authenticate": 'Bearer realm="plantops"'} if status == 401 else None
        if isinstance(error, SignInThrottledError):
            headers = {"Retry-After": str(error.retry_after)}
        return problem_response(request, status, slug, str(error), _field_errors(error), headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        errors = [
            FieldError(field=_location(e.get("loc", ())), reason=str(e.get("msg", "invalid")), record=_where(e))
            for e in error.errors()
        ]
        detail = "; ".join(f"{e.field}: {e.reason}" for e in errors) or "the request does not match its schema"
        return problem_response(request, 422, "validation", detail, errors)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, HTTPException)
        return problem_response(
            request, error.status_code, "http", str(error.detail), headers=getattr(error, "headers", None)
        )

    @app.exception_handler(DataError)
    async def value_out_of_range(request: Request, error: Exception) -> JSONResponse:
        _log.warning("database refused a value for %s %s: %s", request.method, request.url.path, error)
        return problem_response(request, 422, "out-of-range", "a value is out of the range the database stores")

    @app.exception_handler(IntegrityError)
    async def written_meanwhile(request: Request, error: Exception) -> JSONResponse:
        _log.warning("integrity error for %s %s: %s", request.method, request.url.path, error)
        return problem_response(request, 409, "conflict", "another change to the same data came first; try again")

    @app.exception_handler(OperationalError)
    async def database_unavailable(request: Request, error: Exception) -> JSONResponse:
        _log.warning("database unavailable for %s %s: %s", request.method, request.url.path, error)
        return problem_response(
            request,
            503,
            "unavailable",
            "the database is busy (a long run is writing) or out of reach; try again shortly",
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        _log.exception("unexpected error answering %s %s", request.method, request.url.path, exc_info=error)
        return problem_response(request, 500, "internal", "an unexpected error occurred; it has been logged")


def _where(error: Any) -> str | None:
    location = error.get("loc", ())
    return str(location[0]) if location else None


#: The problems an endpoint may answer, for its OpenAPI description.
def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {
            "model": Problem,
            "description": TITLES.get(status, "Error"),
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
