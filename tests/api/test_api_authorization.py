"""The authorization matrix: every endpoint against every role, from the permission table.

Each endpoint of the app names the permission it needs; a role the permission table
grants it to gets through (whatever the request's other faults), any other role gets 403,
and a request without credentials 401. An endpoint that names no permission and is not
one of the public ones fails the test, so that none is added without a rule. The critical
cases (who may post stock, change master data, run plans and manage users) are also
checked against a table written out here, so that a change to the permission table
itself cannot widen them unnoticed.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from plantops.api.app import PREFIX, PUBLIC, SIGNED_IN, create_app, endpoints, permission_of
from plantops.bootstrap import build
from plantops.config import Settings
from plantops.services import access
from plantops.services.access import PERMISSIONS, Permission
from plantops.vocabulary import Role
from tests.api.conftest import Api, _api

ROUTES = [
    (method, path, route)
    for method, path, route in endpoints(create_app(build(Settings(database_url="sqlite://"))))
    if path.startswith(PREFIX)
]


def _url(path: str) -> str:
    """The path with every parameter filled in by a code that names nothing."""
    return re.sub(r"\{[^}]+\}", "NO-SUCH-CODE", path)


def _id(entry: tuple[str, str, APIRoute]) -> str:
    return f"{entry[0]} {entry[1]}"


def test_every_endpoint_names_its_permission_or_is_public() -> None:
    unruled = [_id(e) for e in ROUTES if permission_of(e[2]) is None and (e[0], e[1]) not in PUBLIC]

    assert unruled == []
    assert len(ROUTES) > 80


def test_every_permission_is_needed_by_some_endpoint() -> None:
    needed = {permission_of(route) for _, _, route in ROUTES}

    assert {p.value for p in Permission} <= needed


@pytest.fixture(scope="module")
def matrix_api(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path) -> Iterator[Api]:
    """One app and database for the whole matrix: building them for each endpoint took most of its time.

    The jobs the matrix queues (plan, forecast, schedule and policy runs on an empty plant) stay
    queued: run in the background they would hold SQLite's write lock while later endpoints are
    asked, and nothing here looks at them (running jobs is tests/jobs' concern).
    """
    database = tmp_path_factory.mktemp("authorization") / "api.db"
    shutil.copyfile(migrated_sqlite, database)
    yield from _api(build(Settings(database_url=f"sqlite:///{database}", server_runs_jobs=False)))


@pytest.fixture
def signed_in(matrix_api: Api) -> Api:
    """The matrix's API with a fresh token for every role: the sign-out endpoint revokes the one it is sent."""
    tokens = {role: access.issue_token(matrix_api.ops.uow(), role.value).secret for role in Role}
    return Api(matrix_api.client, matrix_api.ops, tokens)


@pytest.mark.parametrize("entry", ROUTES, ids=_id)
def test_each_role_is_allowed_or_refused_as_the_permission_table_says(
    signed_in: Api, entry: tuple[str, str, APIRoute]
) -> None:
    method, path, route = entry
    permission = permission_of(route)
    if permission is None:
        assert (method, path) in PUBLIC
        return
    url = _url(path)
    for role in Role:  # each role's own token, used once here: a sign-out revokes only the token it was sent
        response = signed_in.client.request(method, url, headers=signed_in.headers(role), json={})
        allowed = permission == SIGNED_IN or Permission(permission) in PERMISSIONS[role]
        if allowed:
            assert response.status_code not in (401, 403), f"{role} refused: {response.text}"
            assert response.status_code < 500, f"{role} let through to a server error: {response.text}"
        else:
            assert response.status_code == 403, f"{role} not refused: {response.status_code} {response.text}"
    anonymous = signed_in.client.request(method, url, json={})
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"


#: Who may do what, written out rather than read from the permission table.
CRITICAL = [
    ("POST", "/api/v1/stock/receipts", {Role.ADMIN, Role.PRODUCTION, Role.QUALITY, Role.OPERATOR}),
    ("POST", "/api/v1/stock/postings/1/reversal", {Role.ADMIN, Role.PRODUCTION, Role.QUALITY, Role.OPERATOR}),
    ("PATCH", "/api/v1/items/BIKE", {Role.ADMIN, Role.PLANNER}),
    ("POST", "/api/v1/imports", {Role.ADMIN, Role.PLANNER}),
    ("POST", "/api/v1/plan/runs", {Role.ADMIN, Role.PLANNER}),
    ("POST", "/api/v1/users", {Role.ADMIN}),
    ("PUT", "/api/v1/users/viewer/roles", {Role.ADMIN}),
    ("POST", "/api/v1/users/viewer/tokens", {Role.ADMIN}),
]


@pytest.mark.parametrize(("method", "url", "allowed"), CRITICAL, ids=[f"{m} {u}" for m, u, _ in CRITICAL])
def test_only_the_roles_named_here_may_post_stock_change_master_data_plan_or_manage_users(
    api: Api, method: str, url: str, allowed: set[Role]
) -> None:
    for role in Role:
        response = api.client.request(method, url, headers=api.headers(role), json={})
        if role in allowed:
            assert response.status_code not in (401, 403), f"{role} refused: {response.text}"
            assert response.status_code < 500, f"{role} let through to a server error: {response.text}"
        else:
            assert response.status_code == 403, f"{role} not refused: {response.status_code} {response.text}"
