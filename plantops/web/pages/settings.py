"""Settings: what a user chooses for themself, such as the locale their numbers are written in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from plantops.errors import PlantOpsError, ValidationError
from plantops.services.access import Permission
from plantops.services.access.users import set_number_locale
from plantops.web import preferences
from plantops.web.auth import CurrentUser, User, plant, require
from plantops.web.templating import render

router = APIRouter(prefix="/settings")

#: The settings form's fields and their labels.
LABELS = {"number_locale": "Numbers are written as in"}


@router.get("")
def settings_page(request: Request, user: CurrentUser) -> Response:
    return _page(request, user.chosen_locale)


@router.post("/number-locale")
def choose_number_locale(
    request: Request,
    user: Annotated[User, Depends(require(Permission.READ))],
    number_locale: Annotated[str, Form()] = "",
) -> Response:
    """Keep the locale the user's numbers are read in; empty: follow the browser's languages."""
    try:
        view = set_number_locale(plant(request).uow(), user.username, number_locale.strip() or None)
    except PlantOpsError as error:
        reason = error.reason if isinstance(error, ValidationError) else str(error)
        return _page(request, user.chosen_locale, errors={"number_locale": reason}, status=400)
    return _page(request, view.number_locale, saved=True)


def _page(
    request: Request,
    chosen: str | None,
    *,
    saved: bool = False,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The settings page for a user who chose ``chosen`` (None: their browser's locale)."""
    browser = preferences.number_locale(None, request.headers.get("Accept-Language"))
    current = preferences.number_locale(chosen, request.headers.get("Accept-Language"))
    return render(
        request,
        "settings.html",
        status,
        chosen=chosen or "",
        browser=browser,
        browser_sample=preferences.sample(browser),
        current=current,
        current_sample=preferences.sample(current),
        choices=preferences.choices(),
        labels=LABELS,
        errors=errors or {},
        saved=saved,
    )
