"""Numbers typed by a person are read as written in their locale, or refused: never scaled by ten."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from babel import Locale
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from plantops.bootstrap import PlantOps
from plantops.errors import ValidationError
from plantops.services.access import add_user
from plantops.services.inventory.balances import on_hand
from plantops.web.forms import integer, number
from plantops.web.preferences import number_locale, requested_locales
from tests.web.conftest import PASSWORD, screenshot, sign_in

_names = itertools.count()


@pytest.mark.parametrize(
    ("locale", "typed", "read"),
    [
        ("de", "1,5", Decimal("1.5")),
        ("de", "1.000", Decimal(1000)),
        ("de", "1.234,5", Decimal("1234.5")),
        ("en", "1.5", Decimal("1.5")),
        ("en", "1,000", Decimal(1000)),
        ("en", "1,234.5", Decimal("1234.5")),
        ("fr", "1 000", Decimal(1000)),  # a typed space for French's narrow no-break space
        ("fr", "1\u202f000,5", Decimal("1000.5")),
        ("sv", "1 000", Decimal(1000)),
        ("de_CH", "1'000.5", Decimal("1000.5")),
        ("en", " 7 ", Decimal(7)),
        ("en", "-5", Decimal(-5)),
    ],
)
def test_a_number_is_read_as_written_in_the_locale(locale: str, typed: str, read: Decimal) -> None:
    assert number("move", "quantity", typed, Locale.parse(locale)) == read


@pytest.mark.parametrize(
    ("locale", "typed"),
    [
        ("en", "1,5"),  # not 15: the comma groups thousands in English, and 1,5 groups them wrongly
        ("en", "1 000"),  # English does not group with spaces
        ("de", "1.5"),  # not 15 either
        ("de", "1 000"),
        ("en", "12,x"),
        ("en", "NaN"),
        ("en", "Infinity"),
    ],
)
def test_a_number_whose_separators_do_not_fit_the_locale_is_refused_naming_the_field(locale: str, typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        number("move", "quantity", typed, Locale.parse(locale))

    assert refused.value.field == "quantity" and repr(typed) in refused.value.reason


def test_a_whole_number_field_refuses_a_fraction_and_reads_grouping() -> None:
    assert integer("plan", "weeks", "1.000", 52, Locale.parse("de")) == 1000
    assert integer("plan", "weeks", "", 52, Locale.parse("de")) == 52
    with pytest.raises(ValidationError, match="not a whole number"):
        integer("plan", "weeks", "2,5", 52, Locale.parse("de"))


def test_the_browsers_languages_choose_the_locale_until_the_user_chooses_one() -> None:
    assert requested_locales("en;q=0.5, de-CH, fr;q=0, de;q=0.9") == ["de-CH", "de", "en"]
    assert str(number_locale(None, "de-AT,de;q=0.9")) == "de_AT"
    assert str(number_locale(None, "tlh, fr-FR;q=0.5")) == "fr_FR"  # the first one that is known
    assert str(number_locale(None, None)) == "en"
    assert str(number_locale("de_DE", "en-US")) == "de_DE"


def _operator(plant: PlantOps) -> str:
    name = f"numbers-{next(_names)}"
    add_user(plant.uow(), name, roles=["operator"], password=PASSWORD)
    return name


def _tubes(plant: PlantOps) -> Decimal:
    return sum((b.on_hand for b in on_hand(plant.uow(), item="TUBE-STEEL-28", location="BIKE-RAW")), Decimal(0))


def _receive(client: TestClient, token: str, quantity: str) -> str:
    move = {
        "action": "receive",
        "item": "TUBE-STEEL-28",
        "location": "BIKE-RAW",
        "quantity": quantity,
        "csrf_token": token,
    }
    answer = client.post("/stock/moves", data=move)
    assert answer.status_code == 200, answer.text
    return answer.text


def test_a_receipt_of_1_comma_5_is_one_and_a_half_in_german_and_refused_in_english(
    web: TestClient, plant: PlantOps
) -> None:
    token = sign_in(web, _operator(plant))
    before = _tubes(plant)

    web.headers["Accept-Language"] = "en-US,en;q=0.9"
    refused = _receive(web, token, "1,5")
    assert _tubes(plant) == before
    assert 'id="e-f-quantity"' in refused and "is not a number as written in English" in refused
    assert "move: quantity" not in refused  # beside its field, the reason alone

    web.headers["Accept-Language"] = "de-DE,de;q=0.9,en;q=0.8"
    _receive(web, token, "1,5")
    assert _tubes(plant) == before + Decimal("1.5")


def test_the_user_chooses_the_locale_their_numbers_are_read_in(web: TestClient, plant: PlantOps) -> None:
    token = sign_in(web, _operator(plant))
    web.headers["Accept-Language"] = "en-US"
    before = _tubes(plant)

    chosen = web.post("/settings/number-locale", data={"number_locale": "de_DE", "csrf_token": token})
    assert chosen.status_code == 200 and "Deutsch (Deutschland)" in chosen.text
    _receive(web, token, "1.000,5")
    assert _tubes(plant) == before + Decimal("1000.5")

    web.post("/settings/number-locale", data={"number_locale": "", "csrf_token": token})  # back to the browser's
    assert "as written in English" in _receive(web, token, "1.000,5")
    assert _tubes(plant) == before + Decimal("1000.5")


def test_an_unknown_locale_is_refused_and_changes_nothing(web: TestClient, plant: PlantOps) -> None:
    token = sign_in(web, _operator(plant))

    answer = web.post("/settings/number-locale", data={"number_locale": "xx_QQ", "csrf_token": token})

    assert answer.status_code == 400
    assert "no locale is called &#39;xx_QQ&#39;" in answer.text and 'id="e-s-number_locale"' in answer.text
    assert 'value="" selected' in answer.text


def test_in_a_german_browser_the_stock_form_reads_1_comma_5(browser: Browser, base_url: str, plant: PlantOps) -> None:
    name = _operator(plant)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=base_url, locale="de-DE")
    page = context.new_page()
    before = _tubes(plant)
    page.goto("/login?next=/stock")
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")

    page.fill("#f-item", "TUBE-STEEL-28")
    page.fill("#f-location", "BIKE-RAW")
    page.fill("#f-quantity", "1,5")
    page.get_by_role("button", name="Post").click()

    expect(page.locator("#move-form .message.ok")).to_contain_text("receipt 1.5 TUBE-STEEL-28 at BIKE-RAW")
    assert _tubes(plant) == before + Decimal("1.5")
    page.goto("/settings")
    expect(page.locator("#current-locale")).to_have_text("Deutsch (Deutschland)")
    expect(page.locator("#current-sample")).to_have_text("1.234.567,5")
    screenshot(page, "settings")
    context.close()
