"""The web app served by uvicorn on a free port, over the demo plant, driven by Chromium.

The browser is Debian's Chromium at :data:`CHROMIUM` (``apt-get install chromium``),
launched headless by Playwright; where it is absent the browser tests skip, saying so.
Each test process seeds its own demo database (SQLite), plans it, adds a user per role
and serves the app once; each test gets a fresh browser context (no cookies). Every main
page is saved as a screenshot in :data:`ARTIFACTS`.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy.engine import make_url
from starlette.types import ASGIApp

from plantops.bootstrap import PlantOps, build
from plantops.config import Settings
from plantops.services.access import add_user
from plantops.services.demo import seed_demo_plant
from plantops.services.forecasting.runs import ForecastRequest, run_forecast
from plantops.services.planning.problem import PlanRequest
from plantops.services.planning.runs import run_plan
from plantops.web.app import create_web_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
PASSWORD = "demo-password-1"
#: One user per role the tests act as.
USERS = {"planner": "planner", "operator": "operator", "viewer": "viewer", "buyer": "buyer"}
VIEWPORT = {"width": 1366, "height": 900}

Login = Callable[..., None]


@pytest.fixture(scope="session")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlantOps]:
    """The demo plant, planned, with a user per role."""
    ops = build(Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('web') / 'plantops.db'}"))
    ops.migrate()
    today = dt.date.today()
    seed_demo_plant(ops.uow(), as_of=today, seed=42)
    run_plan(ops.uow(), PlanRequest(start=today, weeks=26), run_by="tester")
    for username, role in USERS.items():
        add_user(ops.uow(), username, roles=[role], password=PASSWORD)
    yield ops
    ops.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(app: ASGIApp) -> Iterator[str]:
    """``app`` served by uvicorn on a free port in a thread of this test process; its base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the app did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(plant: PlantOps) -> Iterator[str]:
    """The web app served by uvicorn in a thread of this test process."""
    with serving(create_web_app(plant)) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh browser tab (no session) that fails the test on any script error or anything the
    page's content security policy refused."""
    context = browser.new_context(viewport=VIEWPORT, base_url=base_url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on(
        "console", lambda message: errors.append(message.text) if "Content Security Policy" in message.text else None
    )
    yield tab
    context.close()
    assert not errors, f"errors in the page: {errors}"


@pytest.fixture
def login(page: Page) -> Login:
    """Log in as ``username`` through the login form; lands on the page asked for."""

    def log_in(username: str, path: str = "/") -> None:
        page.goto(path)
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")

    return log_in


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as ``artifacts/<name>.png`` once its charts are drawn."""
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # ECharts animates its first frame
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session")
def forecast_version(plant: PlantOps) -> str:
    """A published forecast of the demo plant (with quick models only), made once per test process."""
    request = ForecastRequest(horizon=26, models=("SeasonalNaive", "DynamicOptimizedTheta", "CrostonSBA", "TSB"))
    return run_forecast(plant.uow(), request, run_by="tester").number


@pytest.fixture
def own_plant(plant: PlantOps, tmp_path: Path) -> Iterator[PlantOps]:
    """A copy of the demo plant that a test may change."""
    source = make_url(plant.settings.database_url).database
    assert source is not None
    with sqlite3.connect(source) as original, sqlite3.connect(tmp_path / "copy.db") as copy:
        original.backup(copy)  # with what the write-ahead log still holds
    ops = build(Settings(database_url=f"sqlite:///{tmp_path / 'copy.db'}"))
    yield ops
    ops.close()


@pytest.fixture
def web(plant: PlantOps) -> TestClient:
    """The web app without a browser (no session yet)."""
    return TestClient(create_web_app(plant, secret=b"w" * 32), follow_redirects=False)


def sign_in(client: TestClient, username: str) -> str:
    """Log ``client`` in as ``username``; the session's form token, as the pages carry it."""
    answer = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/"})
    assert answer.status_code == 303, answer.text
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/items").text)
    assert token is not None
    return token.group(1)
