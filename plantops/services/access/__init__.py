"""Access: users, roles, tokens, API keys, permissions and the audit trail.

Users and roles (:mod:`.users`):

- ``add_user(uow, username, *, roles, password=None) -> UserView``: a new user; without a
  password the user signs in only with API keys (a machine).
- ``set_roles(uow, username, roles) -> UserView``: replace a user's roles (at least one).
- ``set_password(uow, username, password)``, ``set_active(uow, username, active) -> UserView``.
- ``get_user(uow, username)``, ``list_users(uow)``; ``parse_roles(words) -> frozenset[Role]``.
- ``authenticate(uow, username, password) -> Principal``: sign in with a password;
  raises :class:`AuthenticationError` (a ``PlantOpsError``) on any failure.

Credentials (:mod:`.credentials`):

- ``issue_token(uow, username, *, days=30) -> IssuedCredential``: a bearer token that
  expires; ``principal_for_token(uow, token) -> Principal``.
- ``issue_api_key(uow, username, *, name="") -> IssuedCredential``: a key for a machine,
  valid until revoked; ``principal_for_api_key(uow, key) -> Principal``.
- ``revoke(uow, secret) -> bool``: sign a token or key out.

Permissions (:mod:`.permissions`):

- :class:`Permission` words (``read``, ``post_stock``, ``plan``, ``release_orders``...),
  :data:`PERMISSIONS` (which role grants which), ``allowed(principal, permission) -> bool``
  and ``roles_allowed(permission)``.

Roles are :class:`plantops.vocabulary.Role`; a :class:`Principal` is a username and its roles.
"""

from __future__ import annotations

from plantops.services.access.credentials import (
    IssuedCredential,
    issue_api_key,
    issue_token,
    principal_for_api_key,
    principal_for_token,
    revoke,
)
from plantops.services.access.permissions import PERMISSIONS, Permission, allowed, roles_allowed
from plantops.services.access.principal import AuthenticationError, Principal, SignInThrottledError
from plantops.services.access.users import (
    UserView,
    add_user,
    authenticate,
    get_user,
    list_users,
    parse_roles,
    set_active,
    set_password,
    set_roles,
)

__all__ = [
    "PERMISSIONS",
    "AuthenticationError",
    "IssuedCredential",
    "Permission",
    "Principal",
    "SignInThrottledError",
    "UserView",
    "add_user",
    "allowed",
    "authenticate",
    "get_user",
    "issue_api_key",
    "issue_token",
    "list_users",
    "parse_roles",
    "principal_for_api_key",
    "principal_for_token",
    "revoke",
    "roles_allowed",
    "set_active",
    "set_password",
    "set_roles",
]
