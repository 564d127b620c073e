"""A form the user's roles cannot use is not shown: the page says who may use it instead."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import sign_in


def test_a_planner_is_not_shown_the_stock_form_and_is_told_who_posts_stock(web: TestClient) -> None:
    sign_in(web, "planner")

    page = web.get("/stock")

    assert page.status_code == 200
    assert 'id="move-form"' not in page.text
    assert "Admin, operator, production and quality post stock" in page.text
    assert "your roles (planner) let you read it" in page.text


def test_an_operator_is_shown_the_stock_form(web: TestClient) -> None:
    sign_in(web, "operator")

    page = web.get("/stock")

    assert 'id="move-form"' in page.text
    assert "post stock;" not in page.text
