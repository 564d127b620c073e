"""Whatever a person types into a web form or a page's address, the app answers without a server error.

The API's fuzz test does this for the API from its schema; here Hypothesis types into
the stock form and the pages' filters of the demo plant (a copy of it, since valid
postings change it), and every answer must be a page, never a 500 or a traceback, and
the ledger must stay sound.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from plantops.bootstrap import PlantOps
from plantops.services.inventory import balances
from plantops.web.app import create_web_app
from tests.web.conftest import PASSWORD

#: What people type into a number field, beyond random text: locale forms, overflows, words.
NUMBERS = st.sampled_from(
    ["1e13", "9000000000000", "1000000000", "1000000000.000001", "NaN", "inf", "-5", "1,5", "1 000", "1.000,5",
     "0", "0.0000001", "1" * 40, "", " ", "٣", "½", "1e-400", "0x10"]
)  # fmt: skip
CODES = st.sampled_from(["BELL", "BIKE-CITY-M", "MILK-RAW", "BIKE-RAW", "DAIRY-RCV", "BIKE-FG", "", "X" * 300])
TEXT = st.text(max_size=300)
ACTIONS = st.sampled_from(["receive", "issue", "scrap", "adjust_up", "adjust_down", "move", "return"])
#: Mostly an item where it is stocked, so that the number fields reach the ledger.
PLACES = st.sampled_from([("BELL", "BIKE-RAW"), ("MILK-RAW", "DAIRY-RCV"), ("BIKE-CITY-M", "BIKE-FG")])


def _sometimes(likely: st.SearchStrategy[str], other: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``likely`` three times in four, else ``other``."""
    return st.one_of(likely, likely, likely, other)


@st.composite
def moves(draw: st.DrawFn) -> dict[str, str]:
    """What a person might submit on the stock form: a real item and place most of the time."""
    item, location = draw(st.one_of(PLACES, PLACES, PLACES, st.tuples(CODES | TEXT, CODES | TEXT)))
    return {
        "action": draw(_sometimes(ACTIONS, TEXT)),
        "item": item,
        "location": location,
        "to_location": draw(CODES | TEXT),
        "quantity": draw(_sometimes(NUMBERS, TEXT)),
        "lot": draw(st.just("") | TEXT),
        "unit_cost": draw(_sometimes(NUMBERS, TEXT)),
        "expiry": draw(_sometimes(st.sampled_from(["", "2020-01-01", "9999-12-31", "0001-01-01", "2026-13-45"]), TEXT)),
        "document": draw(st.just("") | TEXT),
        "reason": draw(st.just("") | TEXT),
    }


PAGES = ["/stock", "/stock/balances", "/stock/postings", "/stock/moves", "/items", "/mrp", "/schedule", "/forecast"]
QUERIES = st.dictionaries(
    st.sampled_from(["item", "location", "site", "lot", "move_type", "since", "until", "page", "offset", "limit",
                     "search", "kind", "sort", "resource", "week"]),
    NUMBERS | CODES | TEXT,
    max_size=4,
)  # fmt: skip
FUZZ = settings(
    max_examples=150,
    deadline=None,
    # One web app and one copy of the plant serve every example: the fixture is set up once on purpose.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def operator(own_plant: PlantOps) -> tuple[TestClient, str]:
    """The web app signed in as an operator, and the session's form token."""
    client = TestClient(create_web_app(own_plant, secret=b"f" * 32), follow_redirects=False)
    assert client.post("/login", data={"username": "operator", "password": PASSWORD, "next": "/"}).status_code == 303
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/stock").text)
    assert token is not None
    return client, token.group(1)


def _no_server_error(answer: object) -> None:
    status, text = answer.status_code, answer.text  # type: ignore[attr-defined]
    assert status < 500, text[:2000]
    assert "Traceback" not in text and "Internal Server Error" not in text, text[:2000]


@FUZZ
@given(form=moves())
@example(form={"action": "receive", "item": "BELL", "location": "BIKE-RAW", "quantity": "1e13"})
def test_the_stock_form_answers_any_input_without_a_server_error(
    operator: tuple[TestClient, str], own_plant: PlantOps, form: dict[str, str]
) -> None:
    client, token = operator
    _no_server_error(client.post("/stock/moves", data=form | {"csrf_token": token}))
    check = balances.verify(own_plant.uow())
    assert check.sound, check.problems


@FUZZ
@given(page=st.sampled_from(PAGES), query=QUERIES)
def test_every_page_answers_any_query_string_without_a_server_error(
    operator: tuple[TestClient, str], page: str, query: dict[str, str]
) -> None:
    client, _ = operator
    _no_server_error(client.get(page, params=query))
