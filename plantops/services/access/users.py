"""Users, their roles and passwords, and signing in with a password.

Passwords are kept as argon2id hashes (argon2-cffi's ``PasswordHasher``, parameters of
RFC 9106's second recommended option); a hash made with weaker parameters than today's
is replaced at the next successful sign-in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from babel import Locale, UnknownLocaleError
from sqlalchemy import select
from sqlalchemy.orm import Session

from plantops.db.access import User, UserRole
from plantops.db.session import UnitOfWork
from plantops.errors import NotFoundError, ValidationError
from plantops.services.access import throttle
from plantops.services.access.principal import AuthenticationError, Principal
from plantops.vocabulary import Role

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
SIGN_IN_REFUSED = "unknown user or wrong password"


@dataclass(frozen=True)
class UserView:
    username: str
    roles: tuple[Role, ...]
    active: bool
    has_password: bool
    created_at: dt.datetime
    number_locale: str | None = None


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _unknown_user_hash() -> str:
    """A hash to verify against when the user does not exist, so that both refusals take as long."""
    return _hasher().hash("no such user")


def parse_roles(words: Iterable[str]) -> frozenset[Role]:
    """Role words (``admin``, ``planner``...) as roles; an unknown word is a ValidationError."""
    roles = set()
    for word in words:
        try:
            roles.add(Role(word.strip().lower()))
        except ValueError:
            known = ", ".join(role.value for role in Role)
            raise ValidationError("user", "roles", f"unknown role {word!r} (known: {known})") from None
    return frozenset(roles)


def add_user(uow: UnitOfWork, username: str, *, roles: Iterable[Role | str], password: str | None = None) -> UserView:
    """Add a user with ``roles``; without a password the user signs in only with API keys."""
    _check_username(username)
    granted = _check_roles(roles)
    hashed = _hash(password) if password is not None else None
    with uow:
        session = uow.session
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise ValidationError(f"user {username}", "username", "already exists")
        user = User(username=username, password_hash=hashed, active=True, created_at=dt.datetime.now(dt.UTC))
        session.add(user)
        session.flush()
        session.add_all(UserRole(user_id=user.id, role=role) for role in sorted(granted))
        session.flush()
        view = _view(session, user)
        uow.commit()
    return view


def set_roles(uow: UnitOfWork, username: str, roles: Iterable[Role | str]) -> UserView:
    """Replace the user's roles by ``roles`` (at least one)."""
    granted = _check_roles(roles)
    with uow:
        session = uow.session
        user = _user(session, username)
        held = set(session.scalars(select(UserRole.role).where(UserRole.user_id == user.id)))
        for role in held - granted:
            session.delete(session.get_one(UserRole, (user.id, role)))
        session.add_all(UserRole(user_id=user.id, role=role) for role in sorted(granted - held))
        session.flush()
        view = _view(session, user)
        uow.commit()
    return view


def set_password(uow: UnitOfWork, username: str, password: str) -> None:
    """Give the user a new password."""
    hashed = _hash(password)
    with uow:
        _user(uow.session, username).password_hash = hashed
        uow.commit()


def set_active(uow: UnitOfWork, username: str, active: bool) -> UserView:
    """Let the user sign in again, or refuse every one of their credentials from now on."""
    with uow:
        user = _user(uow.session, username)
        user.active = active
        uow.session.flush()
        view = _view(uow.session, user)
        uow.commit()
    return view


def set_number_locale(uow: UnitOfWork, username: str, locale: str | None) -> UserView:
    """Read ``username``'s numbers as written in ``locale`` (a CLDR locale such as ``de_DE``), or,
    with None, in the locale their browser asks for."""
    if locale is not None:
        try:
            locale = str(Locale.parse(locale))
        except (UnknownLocaleError, ValueError, TypeError):
            raise ValidationError("user", "number_locale", f"no locale is called {locale!r}") from None
    with uow:
        user = _user(uow.session, username)
        user.number_locale = locale
        view = _view(uow.session, user)
        uow.commit()
        return view


def get_user(uow: UnitOfWork, username: str) -> UserView:
    with uow:
        return _view(uow.session, _user(uow.session, username))


def list_users(uow: UnitOfWork) -> list[UserView]:
    """Every user, by name."""
    with uow:
        session = uow.session
        return [_view(session, user) for user in session.scalars(select(User).order_by(User.username))]


def authenticate(uow: UnitOfWork, username: str, password: str, *, address: str = "") -> Principal:
    """The principal whose ``password`` this is; :class:`AuthenticationError` otherwise.

    An unknown user, a wrong password, a user without a password and an inactive user
    are refused with the same message, after the same amount of work, and recorded;
    after too many of them for the name or from the client's ``address``, every try is
    refused for a while (:class:`SignInThrottledError`, see :mod:`.throttle`).
    """
    now = dt.datetime.now(dt.UTC)
    with uow:
        session = uow.session
        throttle.check_not_throttled(session, username, address, now=now)
        user = session.scalar(select(User).where(User.username == username))
        stored = user.password_hash if user is not None and user.password_hash else None
        try:
            _hasher().verify(stored or _unknown_user_hash(), password)
            refused = user is None or stored is None or not user.active
        except (VerificationError, InvalidHashError):
            refused = True
        if refused or user is None or stored is None:
            throttle.record_failure(session, username, address, now=now)
            uow.commit()
            raise AuthenticationError(SIGN_IN_REFUSED)
        principal = Principal(user.username, _roles(session, user.id))
        throttle.clear_failures(session, username)
        if _hasher().check_needs_rehash(stored):
            user.password_hash = _hasher().hash(password)
        uow.commit()
    return principal


def _check_username(username: str) -> None:
    if not USERNAME_PATTERN.fullmatch(username):
        raise ValidationError(
            f"user {username!r}",
            "username",
            "1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit",
        )


def _check_roles(roles: Iterable[Role | str]) -> frozenset[Role]:
    granted = parse_roles(str(role) for role in roles)
    if not granted:
        raise ValidationError("user", "roles", "give at least one role")
    return granted


def _hash(password: str) -> str:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise ValidationError(
            "user", "password", f"must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters long"
        )
    return _hasher().hash(password)


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError("user", username)
    return user


def _roles(session: Session, user_id: int) -> frozenset[Role]:
    return frozenset(session.scalars(select(UserRole.role).where(UserRole.user_id == user_id)))


def _view(session: Session, user: User) -> UserView:
    return UserView(
        username=user.username,
        roles=tuple(sorted(_roles(session, user.id))),
        active=user.active,
        has_password=user.password_hash is not None,
        created_at=user.created_at,
        number_locale=user.number_locale,
    )
