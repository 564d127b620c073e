"""``plantops user``: add users, grant roles, issue tokens and API keys that the API accepts."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from plantops.bootstrap import build
from plantops.cli import app
from plantops.services import access
from plantops.vocabulary import Role
from tests.cli.conftest import Invoke


def _last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


def test_user_add_with_a_password_from_stdin_then_sign_in(run: Invoke) -> None:
    assert run("init").exit_code == 0
    added = CliRunner().invoke(
        app, ["user", "add", "alice", "--role", "planner", "--role", "buyer", "--password-stdin"], input="s3cret-pass\n"
    )
    assert added.exit_code == 0, added.output
    assert "alice added with roles buyer, planner" in added.output

    ops = build()
    try:
        principal = access.authenticate(ops.uow(), "alice", "s3cret-pass")
    finally:
        ops.close()
    assert principal.roles == {Role.PLANNER, Role.BUYER}


def test_user_add_prompts_for_the_password_twice(run: Invoke) -> None:
    assert run("init").exit_code == 0
    added = CliRunner().invoke(app, ["user", "add", "bob", "--role", "viewer"], input="long-enough\nlong-enough\n")

    assert added.exit_code == 0, added.output
    assert "bob added with roles viewer" in added.output


def test_user_role_replaces_the_roles_and_refuses_unknown_ones(run: Invoke) -> None:
    assert run("init").exit_code == 0
    assert run("user", "add", "scanner-7", "--role", "operator", "--machine").exit_code == 0

    changed = run("user", "role", "scanner-7", "operator,quality")
    refused = run("user", "role", "scanner-7", "operator,wizard")
    listed = run("user", "list")

    assert changed.exit_code == 0 and "operator, quality" in changed.output
    assert refused.exit_code == 2 and "unknown role 'wizard'" in refused.output
    assert "scanner-7" in listed.output and "no (API keys)" in listed.output


def test_user_token_and_apikey_print_credentials_the_services_accept(run: Invoke) -> None:
    assert run("init").exit_code == 0
    assert run("user", "add", "carol", "--role", "production", "--machine").exit_code == 0

    token = run("user", "token", "carol", "--days", "2")
    key = run("user", "apikey", "carol", "--name", "line 3 terminal")

    assert token.exit_code == 0 and key.exit_code == 0, token.output + key.output
    ops = build()
    try:
        assert access.principal_for_token(ops.uow(), _last_line(token.output)).username == "carol"
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
        with pytest.raises(access.AuthenticationError, match="expired"):
            access.principal_for_token(ops.uow(), _last_line(token.output), now=later)
        assert access.principal_for_api_key(ops.uow(), _last_line(key.output)).roles == {Role.PRODUCTION}
    finally:
        ops.close()


def test_user_commands_name_an_unknown_user(run: Invoke) -> None:
    assert run("init").exit_code == 0

    missing = run("user", "token", "nobody")

    assert missing.exit_code == 2
    assert "unknown user 'nobody'" in missing.output
