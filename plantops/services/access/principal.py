"""Who is acting: a signed-in user with their roles, and the error for a failed sign-in."""

from __future__ import annotations

from dataclasses import dataclass

from plantops.errors import PlantOpsError
from plantops.vocabulary import Role


@dataclass(frozen=True)
class Principal:
    """A user (or a machine with an API key) whose credentials were checked, and their roles."""

    username: str
    roles: frozenset[Role]


class AuthenticationError(PlantOpsError):
    """Credentials that prove nothing: unknown user, wrong password, unknown, expired or revoked token.

    The message never says which of user or password was wrong.
    """


class SignInThrottledError(AuthenticationError):
    """Too many refused sign-ins of one name, or from one address, in a short time.

    ``retry_after`` is how many seconds to wait before trying again.
    """

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
