"""The HTTP API application: ``create_app(ops)``.

Routers per domain under ``/api/v1``; the OpenAPI 3 schema at ``/api/v1/openapi.json``
and interactive documentation at ``/api/docs`` (Swagger UI) and ``/api/redoc``, whose
scripts and styles are served from the ``fastapi-offline`` package under
:data:`DOCS_ASSETS` (no CDN: the pages work without internet). Each endpoint's
description names the permission it needs (also as ``x-permission``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi_offline import FastAPIOffline
from starlette.responses import Response

from plantops.api import problems
from plantops.api.routers import (
    audit,
    forecasting,
    jobs,
    master_data,
    orders,
    planning,
    policy,
    purchasing,
    scheduling,
    sourcing,
    stock,
    transfers,
    users,
)
from plantops.api.security import Requires, authenticated
from plantops.bootstrap import PlantOps
from plantops.jobs.queue import JobQueue
from plantops.services.access import Permission, roles_allowed

PREFIX = "/api/v1"
#: Endpoints anyone may call: signing in.
PUBLIC = frozenset({("POST", f"{PREFIX}/auth/token")})
#: Marks endpoints that any signed-in caller may use, whatever their roles.
SIGNED_IN = "signed_in"
#: What any endpoint may answer: a body that cannot be parsed, a database too busy to answer in time.
ANY_ENDPOINT = (400, 503)
#: Where Swagger UI's and ReDoc's scripts and styles are served from.
DOCS_ASSETS = "/api/docs-assets"
DOCS_PAGES = frozenset({"/api/docs", "/api/redoc"})
#: The documentation pages load nothing from another host (ReDoc's bundle would fetch its
#: maker's logo from a CDN); their own start-up scripts are inline, ReDoc's worker a blob.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'"
)
ROUTERS = (
    users.auth,
    users.router,
    master_data.router,
    orders.router,
    stock.router,
    purchasing.router,
    transfers.router,
    *sourcing.ROUTERS,
    forecasting.router,
    planning.router,
    scheduling.router,
    policy.router,
    jobs.router,
    audit.router,
)


def create_app(ops: PlantOps) -> FastAPI:
    """The API on ``ops``; long runs are queued as jobs (:class:`~plantops.jobs.queue.JobQueue`),
    which this process runs too where the settings say it runs jobs."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.jobs.start()  # jobs queued while no server ran are taken up now
        yield
        app.state.jobs.stop()

    app = FastAPIOffline(
        title="PlantOps API",
        version="1",
        summary="Production and operations management over HTTP: master data, orders, stock, plans, jobs, audit.",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url="/api/docs",
        redoc_url="/api/redoc",
        swagger_ui_oauth2_redirect_url="/api/docs/oauth2-redirect",
        static_url=DOCS_ASSETS,
        lifespan=lifespan,
    )
    app.state.ops = ops
    app.state.jobs = JobQueue(ops)

    @app.middleware("http")
    async def docs_stay_local(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        if request.url.path in DOCS_PAGES:
            response.headers["Content-Security-Policy"] = DOCS_POLICY
        return response

    for router in ROUTERS:
        _describe_permissions(router)
        app.include_router(router, prefix=PREFIX, responses=problems.problem_responses(*ANY_ENDPOINT))
    problems.install(app)
    return app


def permission_of(route: APIRoute) -> str | None:
    """The permission an endpoint needs, :data:`SIGNED_IN`, or None (a public endpoint)."""
    found: list[str] = []

    def visit(dependant: Dependant) -> None:
        call = dependant.call
        if isinstance(call, Requires):
            found.append(call.permission.value)
        elif call is authenticated:
            found.append(SIGNED_IN)
        for sub in dependant.dependencies:
            visit(sub)

    visit(route.dependant)
    named = [p for p in found if p != SIGNED_IN]
    return named[0] if named else (SIGNED_IN if found else None)


def endpoints(app: FastAPI) -> list[tuple[str, str, APIRoute]]:
    """Every endpoint of the app as (method, full path, route), routers included."""
    found: list[tuple[str, str, APIRoute]] = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path is not None:
            found.extend((method, context.path, route) for method in sorted(context.methods or route.methods or ()))
    return found


def _describe_permissions(router: APIRouter) -> None:
    """Name each endpoint's permission in its description and as ``x-permission`` (once: routers
    are shared by every app built)."""
    for route in router.routes:
        if not isinstance(route, APIRoute) or "x-permission" in (route.openapi_extra or {}):
            continue
        permission = permission_of(route)
        if permission is None:
            continue
        extra: dict[str, Any] = dict(route.openapi_extra or {})
        extra["x-permission"] = permission
        route.openapi_extra = extra
        if permission == SIGNED_IN:
            note = "Any signed-in user."
        else:
            roles = ", ".join(sorted(roles_allowed(Permission(permission))))
            note = f"Needs permission `{permission}` (roles: {roles})."
        route.description = f"{route.description}\n\n{note}".strip()
