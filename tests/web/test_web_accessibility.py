"""The main pages of the demo plant checked by axe-core in Chromium: no critical accessibility violation.

axe-core is the single file ``vendor/axe.min.js`` (see ``vendor/README.md``), added to each page
after it has loaded; ``axe.run()`` checks the whole document against its default rules (WCAG 2.x
A and AA and best practices). A violation of impact "critical" fails the test, listed with its rule
and the elements it found; "serious" ones are printed (``pytest -s`` shows them) and left to fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from plantops.bootstrap import PlantOps
from plantops.services.master_data.records import list_records
from plantops.web.links import sheet_link
from tests.web.conftest import PASSWORD, VIEWPORT

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
#: What axe reports of each violation: its rule, impact, what it asks for and where (CSS selectors).
RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(' ')),
  }));
}"""


def main_pages(plant: PlantOps) -> list[str]:
    """The pages a person of the demo plant works from, one of each kind."""
    sales_order = list_records(plant.uow(), "sales_orders", limit=1).records[0].values["number"]
    bom = list_records(plant.uow(), "boms", limit=1).records[0].values["code"]
    supplier = sheet_link("suppliers", "SUP-ROHR")
    return [
        "/",
        "/items",
        "/items/BIKE-CITY-M",
        "/stock",
        "/forecast",
        "/mrp",
        "/schedule",
        "/records",
        "/records/items",
        supplier,
        f"{supplier}?tab=history",
        "/orders/purchase",
        "/orders/sales",
        sheet_link("sales_orders", sales_order),
        f"{sheet_link('boms', bom)}?tab=edit",
        "/jobs",
    ]


@pytest.fixture
def checked_page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A tab of a context that lets axe-core in: the pages' content security policy forbids the
    script that :meth:`Page.add_script_tag` adds, so this context bypasses it."""
    size = ViewportSize(width=VIEWPORT["width"], height=VIEWPORT["height"])
    context = browser.new_context(viewport=size, base_url=base_url, bypass_csp=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _violations(page: Page, path: str) -> list[dict[str, Any]]:
    answer = page.goto(path)
    assert answer is not None and answer.ok, f"{path} answered {answer.status if answer else 'nothing'}"
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url, f"{path} asked to log in again"
    page.add_script_tag(path=str(AXE))
    return list(page.evaluate(RUN_AXE))


def _described(path: str, violation: dict[str, Any]) -> str:
    targets = ", ".join(violation["targets"])
    return f"{path}: {violation['id']} ({violation['help']}) at {targets}"


@pytest.mark.usefixtures("forecast_version")  # the forecast page shows a published forecast
def test_main_pages_have_no_critical_accessibility_violation(checked_page: Page, plant: PlantOps) -> None:
    page = checked_page
    page.goto("/login")
    page.fill("#username", "planner")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")

    critical, serious = [], []
    for path in main_pages(plant):
        for violation in _violations(page, path):
            if violation["impact"] == "critical":
                critical.append(_described(path, violation))
            elif violation["impact"] == "serious":
                serious.append(_described(path, violation))

    print("\nserious accessibility violations:", *serious or ["none"], sep="\n  ")
    assert not critical, "critical accessibility violations:\n  " + "\n  ".join(critical)
