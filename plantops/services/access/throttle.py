"""Throttling of sign-ins: refused sign-ins are recorded and, past a few, further tries wait.

The rule follows OWASP's Authentication Cheat Sheet ("account lockout" and "login
throttling"): after :data:`MAX_FAILURES_PER_USER` refused sign-ins of one name, or
:data:`MAX_FAILURES_PER_ADDRESS` from one address, within :data:`WINDOW`, every
sign-in of that name or from that address is refused, right password or not, until
the oldest of those failures leaves the window. The failures are rows of the database,
so every server process sees them; each is also logged as a warning. A successful
sign-in clears its name's failures.

A library such as ``slowapi`` limits requests per address and route in one process's
memory or in Redis; it neither counts per user name nor shares the count through the
database PlantOps already has, so the rule is written here.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from plantops.db.access import SignInFailure
from plantops.services.access.principal import SignInThrottledError

#: How many refused sign-ins of one name, and from one address, the window allows.
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
WINDOW = dt.timedelta(minutes=15)
#: How the failures are told apart in the log.
log = logging.getLogger("plantops.sign_in")

_COLUMN_LENGTH = 64


def check_not_throttled(session: Session, username: str, address: str, *, now: dt.datetime) -> None:
    """Raise :class:`SignInThrottledError` if ``username`` or ``address`` has failed too often lately."""
    since = now - WINDOW
    for column, value, limit, what in (
        (SignInFailure.username, username[:_COLUMN_LENGTH], MAX_FAILURES_PER_USER, "for this user"),
        (SignInFailure.address, address[:_COLUMN_LENGTH], MAX_FAILURES_PER_ADDRESS, "from this address"),
    ):
        count, oldest = session.execute(
            select(func.count(), func.min(SignInFailure.failed_at)).where(
                column == value, SignInFailure.failed_at > since
            )
        ).one()
        if count >= limit:
            wait = max(1, int((oldest + WINDOW - now).total_seconds()) + 1)
            raise SignInThrottledError(
                f"too many refused sign-ins {what}: try again in {_duration(wait)}", retry_after=wait
            )


def record_failure(session: Session, username: str, address: str, *, now: dt.datetime) -> None:
    """Keep a refused sign-in (the caller commits) and log it."""
    session.execute(
        insert(SignInFailure).values(
            username=username[:_COLUMN_LENGTH], address=address[:_COLUMN_LENGTH], failed_at=now
        )
    )
    session.execute(delete(SignInFailure).where(SignInFailure.failed_at < now - 4 * WINDOW))
    log.warning("refused sign-in of %r from %s", username[:_COLUMN_LENGTH], address or "an unknown address")


def clear_failures(session: Session, username: str) -> None:
    """Forget the refused sign-ins of a name that has just signed in (the caller commits)."""
    session.execute(delete(SignInFailure).where(SignInFailure.username == username))


def _duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"
