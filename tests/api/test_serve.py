"""``plantops serve`` composes the API and the web app, which know nothing of each other."""

from __future__ import annotations

import importlib.util

import pytest
from fastapi.testclient import TestClient

from plantops.cli.serve import WEB_APP, compose
from tests.api.conftest import Api


def test_the_api_answers_under_api_v1_and_documents_itself(api: Api) -> None:
    client = TestClient(compose(api.ops))

    schema = client.get("/api/v1/openapi.json")
    docs = client.get("/api/docs")

    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert client.get("/api/v1/items", headers=api.headers()).status_code == 200


@pytest.mark.skipif(importlib.util.find_spec(WEB_APP) is None, reason="the web app is not installed")
def test_the_web_app_is_served_at_the_root_beside_the_api(api: Api) -> None:
    client = TestClient(compose(api.ops), follow_redirects=False)

    page = client.get("/")

    assert page.status_code in (200, 303, 307), page.text
    assert "application/problem+json" not in page.headers.get("content-type", "")
    assert client.get("/api/v1/items").status_code == 401  # the API's own rules still hold


@pytest.mark.skipif(importlib.util.find_spec(WEB_APP) is None, reason="the web app is not installed")
def test_an_unknown_api_path_is_a_problem_of_the_api_not_a_web_page(api: Api) -> None:
    client = TestClient(compose(api.ops), follow_redirects=False)

    unknown = client.get("/api/v1/no-such-thing", headers=api.headers())
    wrong_method = client.delete("/api/v1/items", headers=api.headers())

    for response in (unknown, wrong_method):
        assert response.status_code in (404, 405)
        assert response.headers["content-type"].startswith("application/problem+json"), response.text
