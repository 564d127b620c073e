"""Logging in and out, and who may see and do what.

A user logs in with the password of their PlantOps user (:mod:`plantops.services.access`);
the server answers with a signed session cookie (:mod:`plantops.web.session`). Every
page needs a logged-in user whose account is still active, read again on each request
so that a role taken away or an account closed takes effect at once. Every change also
needs the session's form token (sent by forms as ``csrf_token`` and by HTMX as the
``X-CSRF-Token`` header) and the permission the access service's table grants.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from babel import Locale
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from plantops.bootstrap import PlantOps
from plantops.db.session import UnitOfWork
from plantops.errors import NotFoundError, PlantOpsError
from plantops.services.access import (
    Permission,
    Principal,
    SignInThrottledError,
    allowed,
    authenticate,
    get_user,
)
from plantops.web.preferences import number_locale
from plantops.web.session import COOKIE_NAME, SESSION_SECONDS, Session, SessionSigner
from plantops.web.templating import render

router = APIRouter()


class LoginRequired(Exception):
    """No valid session: the user is sent to the login page."""


class Forbidden(Exception):
    """The user's roles do not grant the permission an action needs."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission
        super().__init__(f"your roles do not allow this ({permission.value.replace('_', ' ')})")


class BadFormToken(Exception):
    """A change without the session's form token: a stale page or a forged request."""


@dataclass(frozen=True)
class User:
    """The logged-in user as pages see them."""

    username: str
    roles: tuple[str, ...]
    csrf_token: str
    principal: Principal
    #: The locale the user's numbers are read in (:func:`plantops.web.preferences.number_locale`).
    locale: Locale
    #: The locale the user chose, or None where it follows their browser.
    chosen_locale: str | None = None

    def may(self, permission: str) -> bool:
        return allowed(self.principal, Permission(permission))


def plant(request: Request) -> PlantOps:
    ops: PlantOps = request.app.state.ops
    return ops


def work_as(request: Request, user: User) -> UnitOfWork:
    """A unit of work whose changes the audit trail records as the user's."""
    return plant(request).uow().acting_as(user.username)


def current_user(request: Request) -> User:
    """The logged-in user, or :class:`LoginRequired`."""
    signer: SessionSigner = request.app.state.signer
    session = signer.load(request.cookies.get(COOKIE_NAME))
    if session is None:
        raise LoginRequired()
    try:
        account = get_user(plant(request).uow(), session.username)
    except NotFoundError:
        raise LoginRequired() from None
    if not account.active:
        raise LoginRequired()
    principal = Principal(account.username, frozenset(account.roles))
    locale = number_locale(account.number_locale, request.headers.get("Accept-Language"))
    roles = tuple(sorted(r.value for r in account.roles))
    user = User(account.username, roles, session.csrf_token, principal, locale, account.number_locale)
    request.state.user = user
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def signed_in(request: Request) -> User:
    """The user :func:`current_user` found for this request (every page's router depends on it)."""
    user: User = request.state.user
    return user


def require(permission: Permission) -> Callable[..., Coroutine[Any, Any, User]]:
    """A dependency for a change: a user whose roles grant ``permission``, with the form token."""

    async def check(request: Request, user: CurrentUser) -> User:
        given = request.headers.get("X-CSRF-Token")
        if given is None:
            form = await request.form()
            field = form.get("csrf_token")
            given = field if isinstance(field, str) else None
        if not given or not hmac.compare_digest(given, user.csrf_token):
            raise BadFormToken()
        if not allowed(user.principal, permission):
            raise Forbidden(permission)
        return user

    return check


def _safe_next(target: str | None) -> str:
    """Only a path on this site may follow a login (never another host)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", next=_safe_next(next), error="", username="")


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        address = request.client.host if request.client else ""
        principal = authenticate(plant(request).uow(), username.strip(), password, address=address)
    except PlantOpsError as error:
        status = 429 if isinstance(error, SignInThrottledError) else 401
        return render(request, "login.html", status, next=_safe_next(next), error=str(error), username=username)
    signer: SessionSigner = request.app.state.signer
    session = signer.open(principal.username, tuple(sorted(r.value for r in principal.roles)))
    response = RedirectResponse(_root(request) + _safe_next(next), status_code=303)
    _set_cookie(request, response, signer, session)
    return response


@router.post("/logout")
def logout(request: Request, user: Annotated[User, Depends(require(Permission.READ))]) -> Response:
    response = RedirectResponse(_root(request) + "/login", status_code=303)
    response.delete_cookie(COOKIE_NAME, path=_root(request) or "/")
    return response


def _set_cookie(request: Request, response: Response, signer: SessionSigner, session: Session) -> None:
    response.set_cookie(
        COOKIE_NAME,
        signer.dump(session),
        max_age=SESSION_SECONDS,
        path=_root(request) or "/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def login_redirect(request: Request) -> Response:
    """To the login page, then back here (with the query string); HTMX requests are told to load
    the login page whole."""
    here = request.url.path[len(_root(request)) :] or "/"
    if request.url.query:
        here += "?" + request.url.query  # a bookmarked list comes back with its filters
    target = _root(request) + "/login?next=" + quote(here, safe="/")
    if request.headers.get("HX-Request"):
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
