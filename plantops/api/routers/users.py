"""Signing in (a token for a password), and users, roles, tokens and API keys (admins)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response, status
from pydantic import BaseModel, Field

from plantops.api.problems import problem_responses
from plantops.api.schemas import ListQuery, Page, Schema, page_of
from plantops.api.security import Authenticated, UserManager, bearer, plantops
from plantops.services import access
from plantops.services.access import Permission, UserView
from plantops.services.access.credentials import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS
from plantops.services.access.users import MAX_PASSWORD_LENGTH
from plantops.vocabulary import Role

auth = APIRouter(prefix="/auth", tags=["sign in"], responses=problem_responses(401, 422))
router = APIRouter(prefix="/users", tags=["users"], responses=problem_responses(401, 403, 404, 422))

Username = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")]
Password = Annotated[str, Field(max_length=MAX_PASSWORD_LENGTH)]
Days = Annotated[int, Field(ge=1, le=MAX_TOKEN_DAYS)]


class TokenOut(BaseModel):
    """A credential, shown this once: keep it, it cannot be read again."""

    access_token: str
    token_type: str = "bearer"
    username: str
    expires_at: dt.datetime | None


class PrincipalOut(BaseModel):
    username: str
    roles: list[Role]
    permissions: list[Permission]


@auth.post(
    "/token",
    response_model=TokenOut,
    summary="Sign in: a bearer token for a username and password",
    responses=problem_responses(429),
)
def sign_in(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)],
    days: Annotated[int, Form(ge=1, le=MAX_TOKEN_DAYS)] = DEFAULT_TOKEN_DAYS,
) -> TokenOut:
    ops = plantops(request)
    address = request.client.host if request.client else ""
    principal = access.authenticate(ops.uow(), username, password, address=address)
    issued = access.issue_token(ops.uow().acting_as(principal.username), principal.username, days=days)
    return TokenOut(access_token=issued.secret, username=issued.username, expires_at=issued.expires_at)


@auth.delete("/token", status_code=status.HTTP_204_NO_CONTENT, summary="Sign out: revoke the token sent")
async def sign_out(request: Request, caller: Authenticated) -> Response:
    credentials = await bearer(request)
    if credentials is not None:
        access.revoke(caller.uow(), credentials.credentials)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@auth.get("/me", response_model=PrincipalOut, summary="Who the credentials sent belong to, and what they may do")
def me(caller: Authenticated) -> PrincipalOut:
    principal = caller.principal
    return PrincipalOut(
        username=principal.username,
        roles=sorted(principal.roles),
        permissions=[p for p in Permission if access.allowed(principal, p)],
    )


class UserOut(BaseModel):
    username: str
    roles: list[Role]
    active: bool
    has_password: bool
    created_at: dt.datetime


class UserIn(Schema):
    username: Username
    roles: list[Role] = Field(min_length=1)
    password: Password | None = Field(default=None, description="None for a machine that signs in with API keys.")


class RolesIn(Schema):
    roles: list[Role] = Field(min_length=1)


class ActiveIn(Schema):
    active: bool


class PasswordIn(Schema):
    password: Password


class TokenIn(Schema):
    days: Days = DEFAULT_TOKEN_DAYS


class ApiKeyIn(Schema):
    name: str = Field(default="", max_length=64, pattern=r"^[^\x00]*$")


USER_FIELDS = ("username", "active", "has_password", "created_at")


def _user(view: UserView) -> UserOut:
    return UserOut(**view.__dict__)


@router.get("", response_model=Page[UserOut], summary="Users")
def list_users(query: Annotated[ListQuery, Query()], caller: UserManager) -> Page[UserOut]:
    return page_of([_user(v) for v in access.list_users(caller.uow())], query, USER_FIELDS)


@router.post("", response_model=UserOut, status_code=status.HTTP_201_CREATED, summary="Add a user")
def add_user(body: UserIn, caller: UserManager, response: Response) -> UserOut:
    view = access.add_user(caller.uow(), body.username, roles=body.roles, password=body.password)
    response.headers["Location"] = f"/api/v1/users/{view.username}"
    return _user(view)


@router.get("/{username}", response_model=UserOut, summary="A user")
def read_user(username: str, caller: UserManager) -> UserOut:
    return _user(access.get_user(caller.uow(), username))


@router.put("/{username}/roles", response_model=UserOut, summary="Replace a user's roles")
def set_roles(username: str, body: RolesIn, caller: UserManager) -> UserOut:
    return _user(access.set_roles(caller.uow(), username, body.roles))


@router.put("/{username}/active", response_model=UserOut, summary="Let a user sign in, or refuse their credentials")
def set_active(username: str, body: ActiveIn, caller: UserManager) -> UserOut:
    return _user(access.set_active(caller.uow(), username, body.active))


@router.put("/{username}/password", status_code=status.HTTP_204_NO_CONTENT, summary="Give a user a new password")
def set_password(username: str, body: PasswordIn, caller: UserManager) -> Response:
    access.set_password(caller.uow(), username, body.password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{username}/tokens",
    response_model=TokenOut,
    status_code=status.HTTP_201_CREATED,
    summary="A bearer token for a user",
)
def issue_token(username: str, body: TokenIn, caller: UserManager) -> TokenOut:
    issued = access.issue_token(caller.uow(), username, days=body.days)
    return TokenOut(access_token=issued.secret, username=issued.username, expires_at=issued.expires_at)


@router.post(
    "/{username}/api-keys",
    response_model=TokenOut,
    status_code=status.HTTP_201_CREATED,
    summary="An API key for a machine acting as the user",
)
def issue_api_key(username: str, body: ApiKeyIn, caller: UserManager) -> TokenOut:
    issued = access.issue_api_key(caller.uow(), username, name=body.name)
    return TokenOut(access_token=issued.secret, token_type="api_key", username=issued.username, expires_at=None)
