"""Who calls, and whether they may: bearer tokens, API keys and one permission per endpoint.

A caller presents ``Authorization: Bearer <token>`` (a user's token, from
``POST /api/v1/auth/token`` or ``plantops user token``) or ``X-API-Key: <key>`` (a
machine's key, from ``plantops user apikey``). Every endpoint declares the permission it
needs with :class:`Requires`; the permission table of :mod:`plantops.services.access`
says which roles grant it. No credentials, or credentials that prove nothing: 401.
Credentials whose roles do not grant the permission: 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from plantops.api.problems import NotAllowedError
from plantops.bootstrap import PlantOps
from plantops.db.session import UnitOfWork
from plantops.services import access
from plantops.services.access import AuthenticationError, Permission, Principal

bearer = HTTPBearer(auto_error=False, description="A user's token: POST /api/v1/auth/token or `plantops user token`.")
api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="A machine's key: `plantops user apikey`.")


def plantops(request: Request) -> PlantOps:
    """The PlantOps the app was built on."""
    ops: PlantOps = request.app.state.ops
    return ops


@dataclass(frozen=True)
class Caller:
    """The principal behind a request, and units of work that record changes as theirs."""

    principal: Principal
    ops: PlantOps

    @property
    def username(self) -> str:
        return self.principal.username

    def uow(self) -> UnitOfWork:
        return self.ops.uow().acting_as(self.principal.username)


def authenticated(
    ops: Annotated[PlantOps, Depends(plantops)],
    token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    key: Annotated[str | None, Depends(api_key)],
) -> Caller:
    """The caller whose token or API key this is; AuthenticationError (401) otherwise."""
    if token is not None and token.scheme.lower() == "bearer":
        return Caller(access.principal_for_token(ops.uow(), token.credentials), ops)
    if key:
        return Caller(access.principal_for_api_key(ops.uow(), key), ops)
    raise AuthenticationError("sign in: send 'Authorization: Bearer <token>' or 'X-API-Key: <key>'")


class Requires:
    """The dependency of an endpoint that needs ``permission``: the caller, if their roles grant it."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __call__(self, caller: Annotated[Caller, Depends(authenticated)]) -> Caller:
        if not access.allowed(caller.principal, self.permission):
            roles = ", ".join(sorted(caller.principal.roles)) or "none"
            raise NotAllowedError(
                f"{caller.username} (roles: {roles}) may not {self.permission.value}: "
                f"it needs one of the roles {', '.join(sorted(access.roles_allowed(self.permission)))}"
            )
        return caller


Reader = Annotated[Caller, Depends(Requires(Permission.READ))]
StockPoster = Annotated[Caller, Depends(Requires(Permission.POST_STOCK))]
OrderTaker = Annotated[Caller, Depends(Requires(Permission.TAKE_ORDERS))]
Planner = Annotated[Caller, Depends(Requires(Permission.PLAN))]
Releaser = Annotated[Caller, Depends(Requires(Permission.RELEASE_ORDERS))]
Scheduler = Annotated[Caller, Depends(Requires(Permission.SCHEDULE))]
DisruptionReporter = Annotated[Caller, Depends(Requires(Permission.REPORT_DISRUPTION))]
Forecaster = Annotated[Caller, Depends(Requires(Permission.FORECAST))]
PolicyMaker = Annotated[Caller, Depends(Requires(Permission.POLICY))]
Buyer = Annotated[Caller, Depends(Requires(Permission.PURCHASE))]
MasterDataManager = Annotated[Caller, Depends(Requires(Permission.MANAGE_MASTER_DATA))]
UserManager = Annotated[Caller, Depends(Requires(Permission.MANAGE_USERS))]
AuditReader = Annotated[Caller, Depends(Requires(Permission.READ_AUDIT))]
Authenticated = Annotated[Caller, Depends(authenticated)]
