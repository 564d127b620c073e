"""The API on a database of the test's own, with a signed-in user for every role.

``api`` runs on SQLite (the endpoints' behaviour does not depend on the database);
``postgres_api`` on PostgreSQL, for concurrent requests. ``headers(role)`` are the
credentials of a user holding just that role; ``plant`` imports the minimal plant.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from plantops.api.app import create_app
from plantops.bootstrap import PlantOps, build
from plantops.config import Settings
from plantops.services import access
from plantops.vocabulary import Role
from tests.services.minimal_plant import write_plant


@dataclass
class Api:
    client: TestClient
    ops: PlantOps
    tokens: dict[Role, str]

    def headers(self, role: Role = Role.ADMIN, **more: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}", **more}

    def get(self, url: str, role: Role = Role.ADMIN, **kwargs: Any) -> Any:
        return self.client.get(url, headers=self.headers(role, **kwargs.pop("headers", {})), **kwargs)

    def post(self, url: str, role: Role = Role.ADMIN, **kwargs: Any) -> Any:
        return self.client.post(url, headers=self.headers(role, **kwargs.pop("headers", {})), **kwargs)

    def patch(self, url: str, role: Role = Role.ADMIN, **kwargs: Any) -> Any:
        return self.client.patch(url, headers=self.headers(role, **kwargs.pop("headers", {})), **kwargs)

    def delete(self, url: str, role: Role = Role.ADMIN, **kwargs: Any) -> Any:
        return self.client.delete(url, headers=self.headers(role, **kwargs.pop("headers", {})), **kwargs)

    def put(self, url: str, role: Role = Role.ADMIN, **kwargs: Any) -> Any:
        return self.client.put(url, headers=self.headers(role, **kwargs.pop("headers", {})), **kwargs)

    def wait_for_job(self, location: str, *, seconds: float = 60) -> dict[str, Any]:
        """The job at ``location`` once it has finished."""
        deadline = time.monotonic() + seconds
        while True:
            job: dict[str, Any] = self.get(location).json()
            if job["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
                return job
            time.sleep(0.05)


def _api(ops: PlantOps) -> Iterator[Api]:
    ops.migrate()
    tokens = {}
    for role in Role:  # without passwords: hashing one takes a good part of a second
        access.add_user(ops.uow(), role.value, roles=[role])
        tokens[role] = access.issue_token(ops.uow(), role.value).secret
    with TestClient(create_app(ops), raise_server_exceptions=False) as client:
        yield Api(client, ops, tokens)
    ops.close()


@pytest.fixture
def api(tmp_path: Path, migrated_sqlite: Path) -> Iterator[Api]:
    shutil.copyfile(migrated_sqlite, tmp_path / "api.db")
    yield from _api(build(Settings(database_url=f"sqlite:///{tmp_path / 'api.db'}")))


@pytest.fixture
def postgres_api(empty_postgres_url: str) -> Iterator[Api]:
    yield from _api(build(Settings(database_url=empty_postgres_url)))


def import_plant(api: Api, folder: Path, changes: dict[str, str] | None = None) -> dict[str, Any]:
    """Upload the minimal plant's CSV files; the import report."""
    plant = write_plant(folder, changes)
    files = [("files", (path.name, path.read_bytes(), "text/csv")) for path in sorted(plant.glob("*.csv"))]
    response = api.post("/api/v1/imports/files", files=files)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


@pytest.fixture
def plant(api: Api, tmp_path: Path) -> Api:
    """The API on the minimal plant: 20 bikes due 2026-12-10, 7 on hand, frames made from tube (bought)."""
    import_plant(api, tmp_path / "plant")
    return api


Problem = Callable[[Any], dict[str, Any]]


def problem(response: Any) -> dict[str, Any]:
    """The problem details of an error response, checked to be RFC 9457 problem+json."""
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code
    assert {"type", "title", "detail"} <= set(body)
    assert "Traceback" not in response.text
    return body
