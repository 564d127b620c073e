"""The web app a planner opens every morning: pages by domain on the same services as the API.

:func:`create_web_app` builds it for a :class:`~plantops.bootstrap.PlantOps`; ``plantops
serve`` mounts it at ``/`` beside the API. Pages are rendered on the server (Jinja2);
HTMX swaps parts of them (a posted move, a plan's progress, a filtered table); charts
are drawn in the browser with Apache ECharts. Every script and style is served from the
package's own static files: no CDN.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import Response

from plantops.bootstrap import PlantOps
from plantops.errors import NotFoundError, PlantOpsError
from plantops.jobs.queue import JobQueue
from plantops.services.access.permissions import PermissionDeniedError
from plantops.web import auth, forms
from plantops.web.pages import (
    audit,
    counts,
    dashboard,
    forecast,
    items,
    jobs,
    mrp,
    orders,
    policies,
    purchasing,
    records,
    schedule,
    settings,
    sourcing,
    stock,
    stock_actions,
    transfers,
    users,
    valuation,
)
from plantops.web.session import SessionSigner
from plantops.web.templating import STATIC, make_templates, render

#: Scripts and styles only from the app itself (charts set inline styles), never framed by another site.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def create_web_app(ops: PlantOps, *, secret: bytes | None = None, job_queue: JobQueue | None = None) -> FastAPI:
    """The web app on ``ops``; sessions are signed with ``secret`` (by default a new one per start,
    so that a restart logs everyone out). Jobs go to ``jobs``, the queue of the app it is mounted
    in (``job_queue``); without one, to a queue of its own that it stops when it shuts down."""
    queue = job_queue or JobQueue(ops)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if job_queue is None:
            queue.stop()

    app = FastAPI(title="PlantOps", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.ops = ops
    app.state.templates = make_templates()
    app.state.jobs = queue
    app.state.signer = SessionSigner(secret or secrets.token_bytes(32))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(auth.router)
    for pages in (
        dashboard,
        items,
        stock_actions,
        counts,
        valuation,
        stock,
        forecast,
        mrp,
        schedule,
        settings,
        records,
        orders,
        transfers,
        sourcing,
        purchasing,
        policies,
        audit,
        jobs,
        users,
    ):
        app.include_router(pages.router, dependencies=[Depends(auth.current_user)])
    _handle_errors(app)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    return app


#: What a page's query string may be refused for, as a person reads it (pydantic's error types).
QUERY_REASONS = {
    "int_parsing": "{input!r} is not a whole number",
    "int_from_float": "{input!r} is not a whole number",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le:,}",
    "missing": "is required",
}


def _handle_errors(app: FastAPI) -> None:
    """Errors as their page or fragment, in the app's layout, never JSON: a login, a refusal,
    an address with no page, a message naming the field by its label and the reason."""

    @app.exception_handler(HTTPException)
    async def no_such_page(request: Request, error: Exception) -> Response:
        status = error.status_code if isinstance(error, HTTPException) else 500
        _signed_in_user(request)
        if status == 404:
            message = f"There is no page at {request.url.path}."
        elif status == 405:
            message = f"The page {request.url.path} does not take a {request.method} request."
        else:
            message = str(getattr(error, "detail", error))
        return _problem(request, status, message)

    @app.exception_handler(RequestValidationError)
    async def bad_query(request: Request, error: Exception) -> Response:
        problems = error.errors() if isinstance(error, RequestValidationError) else []
        labels = _labels(request)
        said = [
            f"{labels.get(str(problem['loc'][-1]), str(problem['loc'][-1]))}: {_reason(problem)}"
            for problem in problems
        ]
        return _problem(request, 400, "; ".join(said) or "this address cannot be read")

    @app.exception_handler(auth.LoginRequired)
    async def login_required(request: Request, _error: Exception) -> Response:
        return auth.login_redirect(request)

    @app.exception_handler(auth.Forbidden)
    async def forbidden(request: Request, error: Exception) -> Response:
        return _problem(request, 403, str(error))

    @app.exception_handler(auth.BadFormToken)
    async def bad_form_token(request: Request, _error: Exception) -> Response:
        return _problem(request, 403, "this form is out of date: reload the page and try again")

    @app.exception_handler(PlantOpsError)
    async def plantops_error(request: Request, error: Exception) -> Response:
        status = 404 if isinstance(error, NotFoundError) else 403 if isinstance(error, PermissionDeniedError) else 400
        message = forms.explain(error, _labels(request)) if isinstance(error, PlantOpsError) else str(error)
        return _problem(request, status, message)


def _signed_in_user(request: Request) -> None:
    """Read who is signed in, if anyone, for a page no route answered (the layout shows them)."""
    with contextlib.suppress(auth.LoginRequired):
        auth.current_user(request)


def _labels(request: Request) -> dict[str, str]:
    """The labels of the query and path parameters of the page asked for (each parameter's title,
    and the labels a list gave its own)."""
    given: dict[str, str] = getattr(request.state, "labels", {})  # a list's parameters (plantops.web.lists)
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return given
    parameters = (*route.dependant.query_params, *route.dependant.path_params)
    return {**given, **{p.alias: p.field_info.title for p in parameters if p.field_info.title}}


def _reason(problem: Mapping[str, Any]) -> str:
    """Why a query parameter was refused, in words (pydantic's own message where none is written here)."""
    found = QUERY_REASONS.get(str(problem.get("type")))
    if found is None:
        message = str(problem.get("msg", "is not accepted"))
        return message[:1].lower() + message[1:]
    return found.format(input=problem.get("input"), **problem.get("ctx", {}))


def _problem(request: Request, status: int, message: str) -> Response:
    """A message in place of the fragment HTMX asked for, or an error page."""
    if request.headers.get("HX-Request"):
        response = render(request, "message.html", status, kind="error", message=message)
        response.headers["HX-Retarget"] = "#messages"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "error.html", status, status=status, message=message)
