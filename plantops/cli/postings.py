"""What every command that posts stock shares: its options (lot, reason, idempotency key, time),
reading a quantity and a time from the command line, and printing the posting."""

from __future__ import annotations

import datetime as dt
import getpass
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer

from plantops.cli.common import console
from plantops.errors import ValidationError
from plantops.services.inventory.stock import PostingSummary, Who

Lot = Annotated[str | None, typer.Option(help="Lot or serial number (tracked items).")]
Reason = Annotated[
    str, typer.Option(help="Why: required for adjustments, scrap, reversals and an expiry past or beyond shelf life.")
]
Key = Annotated[str | None, typer.Option("--key", help="Idempotency key: the same key posts only once.")]
At = Annotated[str | None, typer.Option("--at", help="When it happened, ISO with zone (default: now).")]


def quantity_of(text: str, field: str = "quantity") -> Decimal:
    """A number typed on the command line, refused naming ``field`` when it is not one."""
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValidationError("command", field, f"{text!r} is not a number") from None


def instant(text: str | None) -> dt.datetime | None:
    """A time with its zone typed on the command line (``--at``), or None for now."""
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError("command", "at", f"{text!r} is not a date and time (2026-11-20T14:00+01:00)") from None
    if value.tzinfo is None:
        raise ValidationError("command", "at", f"{text!r} has no time zone; add one, e.g. +00:00")
    return value


def who(document: str = "", reason: str = "", key: str | None = None, at: str | None = None) -> Who:
    """The posting's author (the shell's user), document, reason, key and time."""
    return Who(getpass.getuser(), document, reason, instant(at), key)


def print_posting(summary: PostingSummary) -> None:
    """The posting's number and its moves, or that the key had posted it already."""
    verb = "Already posted as" if summary.replayed else "Posted"
    console.print(f"{verb} posting {summary.posting_id}:")
    for move in summary.moves:
        lot = f" lot {move.lot}" if move.lot else ""
        console.print(
            f"  {move.move_type.value:<24} {move.item} {move.quantity.normalize():+f} at {move.location}{lot}"
        )
