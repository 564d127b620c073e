"""Property-based fuzzing of every endpoint from the OpenAPI schema (schemathesis).

Each operation gets generated requests, valid and invalid, sent as an admin on the
minimal plant; none may answer 5xx, and every answer must be one the schema documents, in
its documented media type and shape. A failing request is shrunk to the smallest that
still fails.

Per commit, each operation gets the same few examples (``derandomize``), so the whole
schema is covered in a few minutes and a failure repeats. CI sets
``PLANTOPS_FUZZ_EXAMPLES`` (``.ci/run``): that many fresh examples per operation each run,
a failure printing the seed that repeats it. No health check is suppressed: none fires,
with either budget. There is no per-example deadline: request times on a shared machine
vary too much for one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from plantops.api.app import create_app
from plantops.bootstrap import PlantOps, build
from plantops.config import Settings
from plantops.services import access, master_data
from plantops.vocabulary import Role
from tests.services.minimal_plant import write_plant

pytestmark = pytest.mark.slow
FUZZER = "fuzz-admin-7f3a"  # a name the fuzzer will not guess, so it cannot take the admin's roles away
EXPLORING = "PLANTOPS_FUZZ_EXAMPLES" in os.environ
EXAMPLES_PER_OPERATION = int(os.environ.get("PLANTOPS_FUZZ_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class Target:
    """The app the requests go to: the one on the fuzzed plant, once the fixture has built it.

    The fixture starts and stops that app once; the client opened for each request sees a
    start-up and shut-down of its own, answered here without reaching the app.
    """

    app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await self.app(scope, receive, send)


TARGET = Target()
#: The schema, read from an app without a database while the tests are collected (it is the same).
schema = schemathesis.openapi.from_dict(create_app(build(Settings(database_url="sqlite://"))).openapi())
schema.app = TARGET


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlantOps]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    # The jobs the fuzzer queues stay queued: run one after another they would hold SQLite's write lock
    # while the fuzzer's next requests wait for it (running jobs is tests/jobs' concern).
    ops = build(Settings(database_url=f"sqlite:///{folder / 'fuzz.db'}", server_runs_jobs=False))
    ops.migrate()
    master_data.import_path(ops.uow(), write_plant(folder / "plant"), posted_by="setup")
    access.add_user(ops.uow(), FUZZER, roles=[Role.ADMIN])
    app = create_app(ops)
    with TestClient(app):  # runs the app's start-up and shut-down
        TARGET.app = app
        yield ops
    ops.close()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=not EXPLORING,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)
def test_no_endpoint_fails_or_answers_outside_its_schema(case: Any, fuzzed: PlantOps) -> None:
    token = access.issue_token(fuzzed.uow(), FUZZER).secret  # a fresh one: the fuzzer may sign out
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
