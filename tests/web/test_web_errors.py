"""What the web app answers to an address it has no page for or a query string it cannot
read: an error page in the app's layout naming the parameter by its label, never JSON."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import sign_in


def _is_page_in_layout(answer_text: str) -> bool:
    return '<nav class="nav"' in answer_text and "<main>" in answer_text


def test_an_unknown_page_is_a_not_found_page_in_the_layout(web: TestClient) -> None:
    sign_in(web, "viewer")

    answer = web.get("/no-such-page")

    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert _is_page_in_layout(answer.text)
    assert "There is no page at /no-such-page" in answer.text
    assert '"detail"' not in answer.text
    assert ">viewer</a>" in answer.text and "Log out" in answer.text  # the layout knows who is signed in


def test_an_unknown_page_is_not_found_before_signing_in_too(web: TestClient) -> None:
    answer = web.get("/nowhere")

    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
    assert "There is no page at /nowhere" in answer.text


def test_a_method_a_page_does_not_take_is_an_error_page(web: TestClient) -> None:
    sign_in(web, "viewer")

    answer = web.delete("/items")

    assert answer.status_code == 405 and answer.headers["content-type"].startswith("text/html")
    assert _is_page_in_layout(answer.text)


@pytest.mark.parametrize(
    ("address", "label", "reason"),
    [
        ("/items?page=abc", "Page", "'abc' is not a whole number"),
        ("/items?page=0", "Page", "must be at least 1"),
        ("/items?page=99999999999999999999999", "Page", "must be at most"),
        ("/stock/postings?since=yesterday", "From", "'yesterday' is not a date"),
        ("/stock/moves?page=2.5", "Page", "'2.5' is not a whole number"),
        ("/stock/moves?move_type=gift", "Kind", "no kind of move is called 'gift'"),
        ("/mrp/items/BIKE-CITY-M?weeks=many", "Weeks shown", "'many' is not a whole number"),
    ],
)
def test_a_bad_query_string_is_a_400_page_naming_the_parameter_by_its_label(
    web: TestClient, address: str, label: str, reason: str
) -> None:
    sign_in(web, "viewer")

    answer = web.get(address)

    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assert _is_page_in_layout(answer.text)
    message = answer.text.split('role="alert">', 1)[1].split("</div>", 1)[0]
    assert message.startswith(f"{label}: ") and reason in message.replace("&#39;", "'"), message


def test_a_bad_query_string_asked_by_htmx_is_a_message_not_a_page(web: TestClient) -> None:
    sign_in(web, "viewer")

    answer = web.get("/stock/postings?page=x", headers={"HX-Request": "true"})

    assert answer.status_code == 400
    assert answer.headers["HX-Retarget"] == "#messages"
    assert not _is_page_in_layout(answer.text) and "Page: " in answer.text
