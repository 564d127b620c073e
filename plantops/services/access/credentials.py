"""Bearer tokens (they expire) and API keys (for machines, until revoked).

A credential is a random secret of 256 bits (``secrets.token_urlsafe``) shown once when
it is issued; the database keeps only its SHA-256 digest, so a copy of the database
signs no one in. A fast digest is enough for a secret of that entropy (unlike a
password, it cannot be guessed), and lets every request check its credential with one
indexed lookup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from plantops.db.access import Credential, User, UserRole
from plantops.db.session import UnitOfWork
from plantops.errors import NotFoundError, ValidationError
from plantops.services.access.principal import AuthenticationError, Principal
from plantops.vocabulary import CredentialKind

DEFAULT_TOKEN_DAYS = 30
MAX_TOKEN_DAYS = 366
PREFIXES = {CredentialKind.TOKEN: "pot_", CredentialKind.API_KEY: "pok_"}
MAX_NAME_LENGTH = 64


@dataclass(frozen=True)
class IssuedCredential:
    """A credential just issued; ``secret`` is shown this once and never again."""

    secret: str
    username: str
    kind: CredentialKind
    name: str
    expires_at: dt.datetime | None


def issue_token(
    uow: UnitOfWork, username: str, *, days: int = DEFAULT_TOKEN_DAYS, now: dt.datetime | None = None
) -> IssuedCredential:
    """A bearer token for the user, valid for ``days`` days (1 to 366)."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationError("token", "days", f"must be 1 to {MAX_TOKEN_DAYS}, not {days}")
    issued_at = now or dt.datetime.now(dt.UTC)
    return _issue(uow, username, CredentialKind.TOKEN, "", issued_at, issued_at + dt.timedelta(days=days))


def issue_api_key(uow: UnitOfWork, username: str, *, name: str = "") -> IssuedCredential:
    """An API key for a machine acting as the user, valid until it is revoked."""
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError("api key", "name", f"at most {MAX_NAME_LENGTH} characters")
    return _issue(uow, username, CredentialKind.API_KEY, name, dt.datetime.now(dt.UTC), None)


def principal_for_token(uow: UnitOfWork, token: str, *, now: dt.datetime | None = None) -> Principal:
    """The principal a bearer token was issued to; :class:`AuthenticationError` if it proves nothing."""
    return _principal(uow, token, CredentialKind.TOKEN, now or dt.datetime.now(dt.UTC))


def principal_for_api_key(uow: UnitOfWork, key: str) -> Principal:
    """The principal an API key was issued to; :class:`AuthenticationError` if it proves nothing."""
    return _principal(uow, key, CredentialKind.API_KEY, dt.datetime.now(dt.UTC))


def revoke(uow: UnitOfWork, secret: str) -> bool:
    """Revoke a token or API key (signing out); whether there was one to revoke."""
    with uow:
        credential = uow.session.scalar(
            select(Credential).where(Credential.digest == _digest(secret), Credential.revoked_at.is_(None))
        )
        if credential is None:
            return False
        credential.revoked_at = dt.datetime.now(dt.UTC)
        uow.commit()
    return True


def _issue(
    uow: UnitOfWork,
    username: str,
    kind: CredentialKind,
    name: str,
    issued_at: dt.datetime,
    expires_at: dt.datetime | None,
) -> IssuedCredential:
    secret = PREFIXES[kind] + secrets.token_urlsafe(32)
    with uow:
        session = uow.session
        user_id = session.scalar(select(User.id).where(User.username == username))
        if user_id is None:
            raise NotFoundError("user", username)
        session.add(
            Credential(
                user_id=user_id,
                kind=kind,
                name=name,
                digest=_digest(secret),
                created_at=issued_at,
                expires_at=expires_at,
            )
        )
        uow.commit()
    return IssuedCredential(secret, username, kind, name, expires_at)


def _principal(uow: UnitOfWork, secret: str, kind: CredentialKind, now: dt.datetime) -> Principal:
    with uow:
        session = uow.session
        row = session.execute(
            select(User.id, User.username, User.active, Credential.expires_at, Credential.revoked_at)
            .join(Credential, Credential.user_id == User.id)
            .where(Credential.digest == _digest(secret), Credential.kind == kind)
        ).first()
        what = "token" if kind is CredentialKind.TOKEN else "API key"
        if row is None:
            raise AuthenticationError(f"unknown {what}")
        if row.revoked_at is not None:
            raise AuthenticationError(f"{what} revoked")
        if row.expires_at is not None and row.expires_at <= now:
            raise AuthenticationError(f"{what} expired at {row.expires_at.isoformat(timespec='seconds')}")
        if not row.active:
            raise AuthenticationError(f"user {row.username!r} is deactivated")
        roles = frozenset(session.scalars(select(UserRole.role).where(UserRole.user_id == row.id)))
    return Principal(row.username, roles)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
