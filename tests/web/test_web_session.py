"""Sessions and form tokens: what a forged, stale or foreign request gets (no browser needed)."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from plantops.bootstrap import PlantOps
from plantops.services.access import add_user, set_active
from plantops.services.inventory.balances import on_hand
from plantops.web.app import create_web_app
from plantops.web.session import COOKIE_NAME, SESSION_SECONDS, SessionSigner
from tests.web.conftest import PASSWORD

SECRET = b"s" * 32


def test_a_session_cookie_reads_back_until_it_expires() -> None:
    signer = SessionSigner(SECRET)
    session = signer.open("ana", ("planner",), now=1000.0)

    cookie = signer.dump(session)

    assert signer.load(cookie, now=1000.0 + SESSION_SECONDS - 1) == session
    assert signer.load(cookie, now=1000.0 + SESSION_SECONDS) is None


@pytest.mark.parametrize(
    "forge",
    [
        lambda cookie: cookie.replace(cookie[2], "A" if cookie[2] != "A" else "B", 1),  # body changed
        lambda cookie: cookie[:-3] + ("AAA" if not cookie.endswith("AAA") else "BBB"),  # signature changed
        lambda cookie: SessionSigner(b"t" * 32).dump(SessionSigner(b"t" * 32).open("ana", ("admin",))),  # other key
        lambda cookie: "not-a-cookie",
        lambda cookie: "%%%.%%%",
    ],
)
def test_a_forged_or_malformed_cookie_is_no_session(forge: Callable[[str], str]) -> None:
    signer = SessionSigner(SECRET)
    cookie = signer.dump(signer.open("ana", ("viewer",)))

    assert signer.load(forge(cookie)) is None


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        SessionSigner(b"short")


@pytest.fixture
def client(plant: PlantOps) -> TestClient:
    return TestClient(create_web_app(plant, secret=SECRET), follow_redirects=False)


def _log_in(client: TestClient, username: str) -> str:
    """Log in; the session's form token, as the page carries it."""
    answer = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/"})
    assert answer.status_code == 303
    page = client.get("/stock")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert token is not None
    return token.group(1)


def _bells(plant: PlantOps) -> Decimal:
    return sum((b.on_hand for b in on_hand(plant.uow(), item="BELL", location="BIKE-RAW")), Decimal(0))


def test_a_post_without_the_form_token_changes_nothing(client: TestClient, plant: PlantOps) -> None:
    token = _log_in(client, "operator")
    before = _bells(plant)
    move = {"action": "receive", "item": "BELL", "location": "BIKE-RAW", "quantity": "3"}

    missing = client.post("/stock/moves", data=move)
    wrong = client.post("/stock/moves", data=move, headers={"X-CSRF-Token": token + "x"})

    assert missing.status_code == 403 and wrong.status_code == 403
    assert "reload the page" in missing.text
    assert _bells(plant) == before
    assert client.post("/stock/moves", data=move | {"csrf_token": token}).status_code == 200
    assert _bells(plant) == before + 3


def test_login_goes_back_only_to_a_page_of_this_site(client: TestClient) -> None:
    for target, lands in (("/mrp", "/mrp"), ("https://elsewhere.example/", "/"), ("//elsewhere.example", "/")):
        answer = client.post("/login", data={"username": "viewer", "password": PASSWORD, "next": target})
        assert answer.headers["location"] == lands


def test_a_bookmarked_list_comes_back_with_its_filters_after_the_login(client: TestClient) -> None:
    bookmark = "/orders/purchase?supplier=SUP-ROHR&sort=-due_date"
    asked = client.get(bookmark).headers["location"]
    assert asked == "/login?next=/orders/purchase%3Fsupplier%3DSUP-ROHR%26sort%3D-due_date"
    next_page = client.get(asked).text
    assert f'value="{bookmark.replace("&", "&amp;")}"' in next_page
    answer = client.post("/login", data={"username": "viewer", "password": PASSWORD, "next": bookmark})
    assert answer.headers["location"] == bookmark


def test_a_closed_account_is_logged_out_at_its_next_request(client: TestClient, plant: PlantOps) -> None:
    add_user(plant.uow(), "leaver", roles=["viewer"], password=PASSWORD)
    _log_in(client, "leaver")
    assert client.get("/").status_code == 200

    set_active(plant.uow(), "leaver", False)

    answer = client.get("/", headers={"HX-Request": "true"})
    assert answer.status_code == 401 and answer.headers["HX-Redirect"] == "/login?next=/"
    assert client.get("/stock").headers["location"] == "/login?next=/stock"
    assert COOKIE_NAME in client.cookies
