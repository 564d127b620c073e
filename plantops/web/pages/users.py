"""Users and their roles, for those who manage them (``manage_users``): the list of users, adding
one with roles, changing a user's roles, and closing or reopening an account
(:mod:`plantops.services.access.users`). Password hashes are never read here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from plantops.db.session import UnitOfWork
from plantops.errors import PlantOpsError
from plantops.services.access import Permission, UserView, add_user, get_user, list_users, set_active, set_roles
from plantops.services.master_data.values import BOOLEAN, INSTANT
from plantops.vocabulary import Role
from plantops.web import forms, lists
from plantops.web.auth import CurrentUser, Forbidden, User, plant, require, work_as
from plantops.web.templating import render


def user_manager(user: CurrentUser) -> User:
    """The user, if their roles let them manage users."""
    if not user.may(Permission.MANAGE_USERS):
        raise Forbidden(Permission.MANAGE_USERS)
    return user


router = APIRouter(prefix="/admin/users", dependencies=[Depends(user_manager)])

#: The user forms' fields and their labels.
LABELS = {"username": "Username", "password": "Password", "roles": "Roles"}
Manager = Annotated[User, Depends(require(Permission.MANAGE_USERS))]


def _rows(uow: UnitOfWork, query: lists.Query, offset: int, limit: int) -> lists.Rows:
    """The users that the filters keep, sorted, a page of them (a plant has tens of users, read at once)."""
    role, active, search = query.filters.get("role"), query.filters.get("active"), query.search.lower()
    rows: list[lists.Row] = [
        _row(user)
        for user in list_users(uow)
        if (not role or Role(role) in user.roles)
        and (active is None or user.active == (active == "true"))
        and search in user.username.lower()
    ]
    for word in reversed(query.sort):
        name = word.removeprefix("-")
        rows.sort(key=lambda row: (row[name] is None, row[name] or ""), reverse=word.startswith("-"))
    return lists.Rows(len(rows), rows[offset : offset + limit])


def _row(user: UserView) -> dict[str, Any]:
    return {
        "username": user.username,
        "roles": ", ".join(role.value for role in user.roles),
        "active": user.active,
        "has_password": user.has_password,
        "number_locale": user.number_locale or "",
        "created_at": user.created_at,
    }


VIEW = lists.ListView(
    name="users",
    title="Users",
    path="/admin/users",
    columns=(
        lists.Column("username", "Username"),
        lists.Column("roles", "Roles"),
        lists.Column("active", "Active", BOOLEAN),
        lists.Column("has_password", "Signs in with a password", BOOLEAN),
        lists.Column("number_locale", "Numbers as in"),
        lists.Column("created_at", "Added (UTC)", INSTANT),
    ),
    fetch=_rows,
    filters=(
        lists.Filter("role", "Role", choices=tuple((r.value, r.value) for r in Role)),
        lists.Filter("active", "Active", choices=(("true", "yes"), ("false", "no"))),
    ),
    sort=("username",),
    key=("username",),
)


@router.get("")
def users_page(request: Request) -> Response:
    return _list(request, {"username": "", "password": "", "roles": ""}, {})


@router.get("/export.{fmt}")
def users_export(request: Request, fmt: str) -> Response:
    return lists.export(request, VIEW, fmt)


@router.post("")
async def add(request: Request, user: Manager) -> Response:
    """Add a user with the roles ticked; without a password they sign in only with API keys."""
    form = await request.form()
    roles = [str(role) for role in form.getlist("roles")]
    typed = {
        "username": str(form.get("username", "")).strip(),
        "password": str(form.get("password", "")),
        "roles": ",".join(roles),
    }
    try:
        added = add_user(work_as(request, user), typed["username"], roles=roles, password=typed["password"] or None)
    except PlantOpsError as error:
        return _list(request, typed | {"password": ""}, forms.place(error, typed, LABELS), status=400)
    return RedirectResponse(f"{_root(request)}/admin/users/{quote(added.username, safe='')}?added=1", status_code=303)


@router.get("/{username}")
def user_page(request: Request, username: str) -> Response:
    account = get_user(plant(request).uow(), username)
    return _page(request, account, _role_words(account.roles), {})


@router.post("/{username}/roles")
async def change_roles(request: Request, username: str, user: Manager) -> Response:
    """Replace the user's roles by those ticked (at least one)."""
    form = await request.form()
    roles = [str(role) for role in form.getlist("roles")]
    account = get_user(plant(request).uow(), username)
    try:
        changed = set_roles(work_as(request, user), username, roles)
    except PlantOpsError as error:
        return _page(request, account, roles, forms.place(error, {"roles": ",".join(roles)}, LABELS), status=400)
    return _page(request, changed, _role_words(changed.roles), {}, done="Roles saved.")


@router.post("/{username}/active")
def change_active(request: Request, username: str, user: Manager, active: Annotated[str, Form()] = "") -> Response:
    """Close the account (every credential of the user is refused from now on) or open it again."""
    opened = active == "true"
    changed = set_active(work_as(request, user), username, opened)
    done = "The account is open again." if opened else "The account is closed: the user can no longer sign in."
    return _page(request, changed, _role_words(changed.roles), {}, done=done)


def _role_words(roles: Iterable[Role]) -> list[str]:
    return [role.value for role in roles]


def _page(
    request: Request,
    account: UserView,
    ticked: list[str],
    errors: Mapping[str, str],
    *,
    status: int = 200,
    done: str = "",
) -> Response:
    return render(
        request,
        "users/user.html",
        status,
        account=account,
        roles=list(Role),
        ticked=ticked,
        errors=errors,
        labels=LABELS,
        done=done,
    )


def _list(request: Request, typed: Mapping[str, str], errors: Mapping[str, str], *, status: int = 200) -> Response:
    listing = lists.fetch(request, VIEW, lists.read_query(request, VIEW))
    return render(
        request,
        "users/index.html",
        status,
        listing=listing,
        form=typed,
        errors=errors,
        labels=LABELS,
        roles=list(Role),
    )


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")
