"""The signed session cookie: who is logged in, until when, and their form token.

The cookie holds a small JSON document and its HMAC-SHA256 signature (RFC 2104) under
the server's secret, both base64url-encoded; a cookie whose signature does not match,
or whose expiry has passed, is no session at all. Nothing secret is stored in it: it
proves who the user is, it does not hide it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

COOKIE_NAME = "plantops_session"
#: A session lasts a working day and a bit, then the user logs in again.
SESSION_SECONDS = 10 * 3600


@dataclass(frozen=True)
class Session:
    """A logged-in user: name, roles, the token that forms must carry, and expiry (epoch seconds)."""

    username: str
    roles: tuple[str, ...]
    csrf_token: str
    expires_at: float


class SessionSigner:
    """Writes and reads session cookies signed with ``secret``."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 32:
            raise ValueError("the session secret needs at least 32 bytes")
        self._secret = secret

    def open(self, username: str, roles: tuple[str, ...], *, now: float | None = None) -> Session:
        """A new session for the user, with a fresh form token."""
        started = time.time() if now is None else now
        return Session(username, roles, secrets.token_urlsafe(24), started + SESSION_SECONDS)

    def dump(self, session: Session) -> str:
        payload = json.dumps(
            {"u": session.username, "r": list(session.roles), "c": session.csrf_token, "e": session.expires_at},
            separators=(",", ":"),
        ).encode()
        return f"{_encode(payload)}.{_encode(self._sign(payload))}"

    def load(self, cookie: str | None, *, now: float | None = None) -> Session | None:
        """The session the cookie proves, or None when it is missing, forged, malformed or expired."""
        if not cookie or cookie.count(".") != 1:
            return None
        body, signature = cookie.split(".")
        try:
            payload, given = _decode(body), _decode(signature)
        except (binascii.Error, ValueError):
            return None
        if not hmac.compare_digest(given, self._sign(payload)):
            return None
        data = json.loads(payload)
        session = Session(data["u"], tuple(data["r"]), data["c"], float(data["e"]))
        if session.expires_at <= (time.time() if now is None else now):
            return None
        return session

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
