"""Users, roles, passwords, tokens, API keys and the permission table, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from plantops.bootstrap import PlantOps
from plantops.db.access import Credential, User
from plantops.errors import NotFoundError, ValidationError
from plantops.services import access
from plantops.services.access import AuthenticationError, Permission, Principal
from plantops.vocabulary import Role

PASSWORD = "correct horse battery"


@pytest.fixture
def alice(ops: PlantOps) -> PlantOps:
    access.add_user(ops.uow(), "alice", roles=[Role.PLANNER], password=PASSWORD)
    return ops


def test_a_user_signs_in_with_the_password_and_gets_the_roles(alice: PlantOps) -> None:
    principal = access.authenticate(alice.uow(), "alice", PASSWORD)

    assert principal == Principal("alice", frozenset({Role.PLANNER}))


def test_the_password_is_stored_as_an_argon2id_hash(alice: PlantOps) -> None:
    with alice.uow() as uow:
        stored = uow.session.scalar(select(User.password_hash).where(User.username == "alice"))

    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


@pytest.mark.parametrize(("username", "password"), [("alice", "wrong password"), ("bob", PASSWORD)])
def test_a_wrong_password_and_an_unknown_user_are_refused_alike(alice: PlantOps, username: str, password: str) -> None:
    with pytest.raises(AuthenticationError, match="unknown user or wrong password"):
        access.authenticate(alice.uow(), username, password)


def test_a_deactivated_user_cannot_sign_in_nor_use_a_token(alice: PlantOps) -> None:
    token = access.issue_token(alice.uow(), "alice").secret
    access.set_active(alice.uow(), "alice", False)

    with pytest.raises(AuthenticationError):
        access.authenticate(alice.uow(), "alice", PASSWORD)
    with pytest.raises(AuthenticationError, match="deactivated"):
        access.principal_for_token(alice.uow(), token)


def test_a_machine_user_without_password_cannot_sign_in_with_one(ops: PlantOps) -> None:
    access.add_user(ops.uow(), "scanner-7", roles=["operator"])

    with pytest.raises(AuthenticationError):
        access.authenticate(ops.uow(), "scanner-7", "")


def test_set_roles_replaces_the_roles(alice: PlantOps) -> None:
    view = access.set_roles(alice.uow(), "alice", [Role.BUYER, Role.VIEWER])

    assert view.roles == (Role.BUYER, Role.VIEWER)
    assert access.authenticate(alice.uow(), "alice", PASSWORD).roles == {Role.BUYER, Role.VIEWER}


@pytest.mark.parametrize(
    ("username", "roles", "password", "field"),
    [
        ("alice", ["viewer"], PASSWORD, "username"),  # exists already
        ("bad name", ["viewer"], PASSWORD, "username"),
        ("bob", [], PASSWORD, "roles"),
        ("bob", ["superuser"], PASSWORD, "roles"),
        ("bob", ["viewer"], "short", "password"),
    ],
)
def test_add_user_refuses_bad_input_naming_the_field_and_adds_nothing(
    alice: PlantOps, username: str, roles: list[str], password: str, field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        access.add_user(alice.uow(), username, roles=roles, password=password)

    assert raised.value.field == field
    assert [user.username for user in access.list_users(alice.uow())] == ["alice"]


def test_unknown_user_is_not_found(ops: PlantOps) -> None:
    with pytest.raises(NotFoundError):
        access.set_roles(ops.uow(), "nobody", ["viewer"])
    with pytest.raises(NotFoundError):
        access.issue_token(ops.uow(), "nobody")


def test_a_token_names_its_user_until_it_expires(alice: PlantOps) -> None:
    issued_at = dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC)
    token = access.issue_token(alice.uow(), "alice", days=7, now=issued_at)

    during = access.principal_for_token(alice.uow(), token.secret, now=issued_at + dt.timedelta(days=6))
    assert during.username == "alice"
    assert token.expires_at == issued_at + dt.timedelta(days=7)
    with pytest.raises(AuthenticationError, match="expired"):
        access.principal_for_token(alice.uow(), token.secret, now=issued_at + dt.timedelta(days=7))


def test_only_the_digest_of_a_token_is_stored(alice: PlantOps) -> None:
    token = access.issue_token(alice.uow(), "alice")

    with alice.uow() as uow:
        digests = list(uow.session.scalars(select(Credential.digest)))

    assert len(digests) == 1
    assert token.secret not in digests[0]
    assert len(digests[0]) == 64


def test_an_api_key_does_not_expire_and_is_refused_once_revoked(ops: PlantOps) -> None:
    access.add_user(ops.uow(), "scanner-7", roles=["operator"])
    key = access.issue_api_key(ops.uow(), "scanner-7", name="goods-in scanner")

    assert key.expires_at is None
    assert access.principal_for_api_key(ops.uow(), key.secret).roles == {Role.OPERATOR}
    assert access.revoke(ops.uow(), key.secret) is True
    with pytest.raises(AuthenticationError, match="revoked"):
        access.principal_for_api_key(ops.uow(), key.secret)
    assert access.revoke(ops.uow(), key.secret) is False


def test_a_token_is_not_an_api_key_and_nonsense_is_neither(alice: PlantOps) -> None:
    token = access.issue_token(alice.uow(), "alice").secret

    with pytest.raises(AuthenticationError):
        access.principal_for_api_key(alice.uow(), token)
    with pytest.raises(AuthenticationError, match="unknown token"):
        access.principal_for_token(alice.uow(), "pot_nonsense")


@pytest.mark.parametrize("days", [0, -1, 367])
def test_token_lifetime_out_of_bounds_is_refused(alice: PlantOps, days: int) -> None:
    with pytest.raises(ValidationError, match="days"):
        access.issue_token(alice.uow(), "alice", days=days)


def test_admin_is_allowed_everything_and_a_viewer_only_to_read() -> None:
    admin = Principal("root", frozenset({Role.ADMIN}))
    viewer = Principal("guest", frozenset({Role.VIEWER}))

    assert all(access.allowed(admin, permission) for permission in Permission)
    assert [p for p in Permission if access.allowed(viewer, p)] == [Permission.READ]


def test_roles_add_up() -> None:
    clerk = Principal("clerk", frozenset({Role.OPERATOR, Role.BUYER}))

    assert access.allowed(clerk, Permission.POST_STOCK)
    assert access.allowed(clerk, Permission.RELEASE_ORDERS)
    assert not access.allowed(clerk, Permission.PLAN)
    assert not access.allowed(Principal("nobody", frozenset()), Permission.READ)


def test_every_role_may_read_and_only_admins_manage_users() -> None:
    assert access.roles_allowed(Permission.READ) == frozenset(Role)
    assert access.roles_allowed(Permission.MANAGE_USERS) == {Role.ADMIN}
