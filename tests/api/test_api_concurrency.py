"""Concurrent requests on PostgreSQL: optimistic updates, idempotent postings, creations racing."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Api, import_plant

pytestmark = pytest.mark.postgres
CLIENTS = 8


def _at_once(work: Callable[[int], Any]) -> list[Any]:
    """``work(i)`` for every client, released together."""
    barrier = threading.Barrier(CLIENTS)
    results: list[Any] = [None] * CLIENTS

    def run(i: int) -> None:
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def plant(postgres_api: Api, tmp_path: Path) -> Api:
    import_plant(postgres_api, tmp_path / "plant")
    return postgres_api


def test_of_updates_made_from_the_same_version_exactly_one_wins(plant: Api) -> None:
    etag = plant.get("/api/v1/items/BIKE").headers["etag"]

    responses = _at_once(
        lambda i: plant.patch("/api/v1/items/BIKE", json={"safety_stock": str(10 + i)}, headers={"If-Match": etag})
    )

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 409: CLIENTS - 1}, [r.text for r in responses]
    [winner] = [r.json() for r in responses if r.status_code == 200]
    now = plant.get("/api/v1/items/BIKE")
    assert now.json()["safety_stock"] == winner["safety_stock"]
    assert now.headers["etag"] == f'"{winner["version"]}"'


def test_a_posting_sent_at_once_under_one_key_is_posted_once(plant: Api) -> None:
    body = {"item": "BIKE", "location": "P1/FG", "quantity": "3", "document": "RMA-7"}

    responses = _at_once(
        lambda i: plant.post("/api/v1/stock/returns", json=body, headers={"Idempotency-Key": "rma-7-line-1"})
    )

    assert {r.status_code for r in responses} <= {200, 201}, [r.text for r in responses]
    assert len({r.json()["posting_id"] for r in responses}) == 1
    assert sorted(r.json()["replayed"] for r in responses) == [False] + [True] * (CLIENTS - 1)
    [balance] = plant.get("/api/v1/stock/balances?item=BIKE").json()["items"]
    assert balance["on_hand"] == "10"  # 7 + 3, once


def test_of_records_created_at_once_under_one_code_one_is_created(plant: Api) -> None:
    responses = _at_once(lambda i: plant.post("/api/v1/customers", json={"code": "C9", "name": f"Shop {i}"}))

    assert Counter(r.status_code for r in responses) == {201: 1, 409: CLIENTS - 1}, [r.text for r in responses]
    assert plant.get("/api/v1/customers?code=C9").json()["total"] == 1
