"""Sign-ins that survive a page reload, through an HttpOnly cookie set by the app's own route.

Streamlit keeps its session state per browser tab connection, so a reload would sign the
user out. After a sign-in the page hands the browser a one-time claim code (valid a minute);
the browser exchanges it at /api/session/claim for an HttpOnly cookie holding a random
session token. Only hashes of both are stored. Idle sessions expire like the tab's own.

A session can carry a backend secret (Supabase's refresh token), sealed with AES-GCM under a
key derived from the cookie's token: whoever reads the database without the cookie gets nothing.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from visio_core.adapters.sqlite.database import Database, from_db_time, to_db_time
from visio_core.domain.model import utcnow
from visio_core.services.ports import OpenedSession

COOKIE = "visio_session"
CLAIM_SECONDS = 60


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _seal(token: str, secret: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(_secret_key(token)).encrypt(nonce, secret.encode(), _hash(token).encode())


def _unseal(token: str, sealed: bytes) -> str | None:
    try:
        return AESGCM(_secret_key(token)).decrypt(sealed[:12], sealed[12:], _hash(token).encode()).decode()
    except (InvalidTag, ValueError):
        return None


def _secret_key(token: str) -> bytes:
    # The token is 32 random bytes: one hash with a domain label is a sound key derivation.
    return hashlib.sha256(b"visio-web-session-secret\0" + token.encode()).digest()


@dataclass
class WebSessions:
    db: Database
    idle_timeout: timedelta
    clock: Callable[[], datetime] = utcnow

    def open_session(self, user_id: uuid.UUID, secret: str | None = None) -> OpenedSession:
        """Start a session for a user who just signed in (with his backend's refresh token, if any)."""
        token, claim = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        now = self.clock()
        self.db.connection().execute(
            "INSERT INTO web_sessions (token_hash, user_id, created_at, last_seen_at, claim_hash, claim_expires_at, "
            "pending_token, backend_secret) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                _hash(token),
                str(user_id),
                to_db_time(now),
                to_db_time(now),
                _hash(claim),
                to_db_time(now + timedelta(seconds=CLAIM_SECONDS)),
                token,
                _seal(token, secret) if secret else None,
            ),
        )
        return OpenedSession(claim, _hash(token), token)

    def secret(self, token: str) -> str | None:
        """The backend secret a session carries (None if none, or the token does not open it)."""
        row = (
            self.db.connection()
            .execute("SELECT backend_secret FROM web_sessions WHERE token_hash = ?", (_hash(token),))
            .fetchone()
        )
        return _unseal(token, row["backend_secret"]) if row and row["backend_secret"] else None

    def set_secret(self, token: str, secret: str) -> bool:
        """Replace the secret (Supabase rotates refresh tokens); False once the session was closed."""
        cur = self.db.connection().execute(
            "UPDATE web_sessions SET backend_secret = ? WHERE token_hash = ?", (_seal(token, secret), _hash(token))
        )
        return cur.rowcount == 1

    def claim(self, code: str) -> str | None:
        """The session token for a claim code, once; None if unknown, used or expired."""
        if not isinstance(code, str) or not code or len(code) > 100:
            return None
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT token_hash, pending_token, claim_expires_at FROM web_sessions WHERE claim_hash = ?",
                (_hash(code),),
            ).fetchone()
            if row is None:
                return None
            conn.execute(
                "UPDATE web_sessions SET claim_hash = NULL, claim_expires_at = NULL, pending_token = NULL "
                "WHERE token_hash = ?",
                (row["token_hash"],),
            )
        if row["pending_token"] is None or from_db_time(row["claim_expires_at"]) < self.clock():
            return None
        return cast(str, row["pending_token"])

    def touch(self, key: str) -> bool:
        """Keep a session alive while its tab is in use; False once it was closed."""
        cur = self.db.connection().execute(
            "UPDATE web_sessions SET last_seen_at = ? WHERE token_hash = ?", (to_db_time(self.clock()), key)
        )
        return cur.rowcount == 1

    def is_open(self, key: str) -> bool:
        """Whether the session behind this key still exists (not signed out, not expired)."""
        row = self.db.connection().execute("SELECT 1 FROM web_sessions WHERE token_hash = ?", (key,)).fetchone()
        return row is not None

    @staticmethod
    def key_of(token: str) -> str:
        return _hash(token)

    def resolve(self, token: str | None) -> uuid.UUID | None:
        """The user behind a cookie's token, refreshing its idle timer; None if unknown or idle too long."""
        if not isinstance(token, str) or not token or len(token) > 100:
            return None
        now = self.clock()
        conn = self.db.connection()
        row = conn.execute(
            "SELECT user_id, last_seen_at FROM web_sessions WHERE token_hash = ? AND pending_token IS NULL",
            (_hash(token),),
        ).fetchone()
        if row is None:
            return None
        if now - from_db_time(row["last_seen_at"]) > self.idle_timeout:
            self.close(token)
            return None
        conn.execute("UPDATE web_sessions SET last_seen_at = ? WHERE token_hash = ?", (to_db_time(now), _hash(token)))
        return uuid.UUID(row["user_id"])

    def close(self, token: str | None) -> None:
        if token:
            self.close_key(_hash(token))

    def close_key(self, key: str | None) -> None:
        if key:
            self.db.connection().execute("DELETE FROM web_sessions WHERE token_hash = ?", (key,))
