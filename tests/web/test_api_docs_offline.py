"""The API's documentation pages work on a machine without internet: every script and
style they load comes from PlantOps itself."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from plantops.bootstrap import PlantOps
from plantops.cli.serve import compose
from tests.web.conftest import serving


@pytest.fixture(scope="module")
def served(plant: PlantOps) -> Iterator[str]:
    """The API and the web app together, as ``plantops serve`` composes them."""
    with serving(compose(plant)) as url:
        yield url


@pytest.fixture
def offline(browser: Browser, served: str) -> Iterator[tuple[Page, list[str]]]:
    """A tab whose every request to another host is refused, as on a machine without internet;
    also the addresses it tried to reach."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=served)
    context.set_default_timeout(15_000)
    refused: list[str] = []

    def only_this_host(route: Route) -> None:
        address = urlsplit(route.request.url)
        if address.scheme in ("blob", "data") or address.hostname == "127.0.0.1":
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", only_this_host)
    yield context.new_page(), refused
    context.close()


def test_swagger_ui_shows_the_operations_without_internet(offline: tuple[Page, list[str]]) -> None:
    page, refused = offline

    page.goto("/api/docs")

    expect(page.locator(".opblock-summary-path", has_text="/api/v1/items").first).to_be_visible(timeout=120_000)
    assert page.locator(".opblock").count() > 20
    assert refused == []


def test_redoc_shows_the_operations_without_internet(offline: tuple[Page, list[str]]) -> None:
    page, refused = offline

    page.goto("/api/redoc")

    # ReDoc lays out all 216 operations before it shows one: on a busy two-core machine that took over 30 s
    expect(page.locator("[data-section-id^='operation/']").first).to_be_attached(timeout=120_000)
    expect(page.get_by_role("heading", name="PlantOps API")).to_be_visible()
    assert refused == []
