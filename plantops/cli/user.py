"""``plantops user``: users, their roles, bearer tokens and API keys for the HTTP API."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from plantops.cli.common import Column, Format, FormatOption, Listing, console, plantops, print_listing, reports_errors
from plantops.services import access
from plantops.services.access.credentials import DEFAULT_TOKEN_DAYS

app = typer.Typer(no_args_is_help=True)

ROLE_WORDS = "admin, planner, buyer, production, quality, maintenance, operator, viewer"


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@app.command()
@reports_errors
def add(
    name: Annotated[str, typer.Argument(help="The username.")],
    role: Annotated[list[str], typer.Option("--role", "-r", help=f"A role ({ROLE_WORDS}); repeat for more.")],
    password_stdin: Annotated[bool, typer.Option(help="Read the password from the first line of stdin.")] = False,
    machine: Annotated[bool, typer.Option(help="No password: a machine that signs in with API keys.")] = False,
) -> None:
    """Add a user with roles; the password is asked for (twice) unless --password-stdin or --machine."""
    roles = access.parse_roles(word for words in role for word in words.split(","))
    password = None if machine else _password(password_stdin)
    with plantops() as ops:
        view = access.add_user(ops.uow(), name, roles=roles, password=password)
    console.print(f"User {view.username} added with roles {', '.join(view.roles)}.")


@app.command(name="role")
@reports_errors
def set_roles(
    name: Annotated[str, typer.Argument(help="The username.")],
    roles: Annotated[str, typer.Argument(help=f"The user's roles from now on, comma-separated ({ROLE_WORDS}).")],
) -> None:
    """Replace a user's roles."""
    with plantops() as ops:
        view = access.set_roles(ops.uow(), name, access.parse_roles(roles.split(",")))
    console.print(f"User {view.username} now has roles {', '.join(view.roles)}.")


@app.command()
@reports_errors
def token(
    name: Annotated[str, typer.Argument(help="The username.")],
    days: Annotated[int, typer.Option(help="Days until the token expires (1 to 366).")] = DEFAULT_TOKEN_DAYS,
) -> None:
    """Issue a bearer token for the user and print it (only this once)."""
    with plantops() as ops:
        issued = access.issue_token(ops.uow(), name, days=days)
    assert issued.expires_at is not None
    console.print(f"Token for {issued.username}, valid until {issued.expires_at:%Y-%m-%d %H:%M} UTC:", highlight=False)
    typer.echo(issued.secret)


@app.command()
@reports_errors
def apikey(
    name: Annotated[str, typer.Argument(help="The username the machine acts as.")],
    label: Annotated[str, typer.Option("--name", help="What the key is for, e.g. 'goods-in scanner 7'.")] = "",
) -> None:
    """Issue an API key (valid until revoked) and print it (only this once)."""
    with plantops() as ops:
        issued = access.issue_api_key(ops.uow(), name, name=label)
    console.print(f"API key for {issued.username}" + (f" ({label})" if label else "") + ":", highlight=False)
    typer.echo(issued.secret)


@app.command(name="password")
@reports_errors
def set_password(
    name: Annotated[str, typer.Argument(help="The username.")],
    password_stdin: Annotated[bool, typer.Option(help="Read the password from the first line of stdin.")] = False,
) -> None:
    """Give a user a new password."""
    password = _password(password_stdin)
    with plantops() as ops:
        access.set_password(ops.uow(), name, password)
    console.print(f"Password of {name} changed.")


@app.command(name="list")
@reports_errors
def list_users(output: FormatOption = Format.TABLE) -> None:
    """Every user with their roles."""
    with plantops() as ops:
        users = access.list_users(ops.uow())
    active = Column("active", lambda value: "yes" if value else "no")
    password = Column("password", lambda value: "yes" if value else "no (API keys)")
    listing = Listing("Users", ["user", "roles", active, password, "since"])
    for user in users:
        listing.add(user.username, ", ".join(user.roles), user.active, user.has_password, user.created_at.date())
    print_listing(listing, output)
