"""The dashboard on Supabase: who is signed in, with a live access token for each browser session.

Two kinds of access, never mixed:
- a page acts as the signed-in user — PostgREST and Storage with the anon key and his JWT, so
  row-level security applies to everything he reads or writes;
- system paths (ingest of a finished recording, the OpenVidu webhook, the worker) use the
  service-role key, held by the process and never put in a page's session.

Access tokens live in this process, per browser session; the refresh token is also sealed in
the web session (see SessionSecrets), so a reload or a restart signs nobody out.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from visio_core.adapters.supabase.auth import SupabaseAuth, SupabaseSession
from visio_core.domain.errors import AuthenticationFailed
from visio_core.services.ports import OpenedSession, SessionSecrets

log = logging.getLogger("visio")

REFRESH_MARGIN_SECONDS = 60  # refresh this long before the access token expires
ABANDONED_AFTER_SECONDS = 3600  # forget in-memory sessions expired this long ago


@dataclass
class _Entry:
    token: str = field(repr=False)  # the browser's cookie value, to reseal rotated refresh tokens
    session: SupabaseSession | None = None
    refresh_token: str | None = field(default=None, repr=False)  # from the sealed secret, before first use


class SupabaseSessions:
    """Live Supabase sessions per web session key, refreshed shortly before they expire.

    Refresh tokens are single use (Supabase rotates them), so refreshing is serialised per key.
    """

    def __init__(
        self, auth: SupabaseAuth, web_sessions: SessionSecrets, clock: Callable[[], float] = time.time
    ) -> None:
        self._auth = auth
        self._web_sessions = web_sessions
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def start(self, opened: OpenedSession, session: SupabaseSession) -> None:
        self._forget_abandoned()
        with self._lock(opened.key):
            self._entries[opened.key] = _Entry(opened.token, session)

    def _forget_abandoned(self) -> None:
        """Tabs closed without signing out leave entries; drop those expired long ago (the cookie can resume)."""
        horizon = self._clock() - ABANDONED_AFTER_SECONDS
        with self._guard:
            stale = [k for k, e in self._entries.items() if e.session is not None and e.session.expires_at < horizon]
            for key in stale:
                self._entries.pop(key, None)
                self._locks.pop(key, None)

    def current(self, key: str, token: str | None = None) -> SupabaseSession | None:
        """The user's session with a valid access token; None once it cannot be renewed.

        `token` (the cookie's value) lets a session this process has not seen yet resume from its
        sealed refresh token: after a page reload on another worker thread, or a restart.
        """
        with self._lock(key):
            entry = self._entries.get(key)
            if entry is None and token is not None:
                refresh_token = self._web_sessions.secret(token)
                entry = _Entry(token, refresh_token=refresh_token) if refresh_token else None
            if entry is None:
                return None
            if entry.session is not None and entry.session.expires_at - REFRESH_MARGIN_SECONDS > self._clock():
                return entry.session
            try:
                # An entry without a session was made above from a non-empty sealed refresh token.
                renewed = self._auth.refresh(
                    entry.session.refresh_token if entry.session else cast(str, entry.refresh_token)
                )
            except AuthenticationFailed:  # revoked, expired or used elsewhere: signed out
                self._entries.pop(key, None)
                return None
            self._entries[key] = _Entry(entry.token, renewed)
            self._web_sessions.set_secret(entry.token, renewed.refresh_token)
            return renewed

    def end(self, key: str | None) -> None:
        """Forget the session here and revoke it at Supabase (best effort: the user is leaving)."""
        if not key:
            return
        with self._lock(key):
            entry = self._entries.pop(key, None)
        if entry is not None and entry.session is not None:
            try:
                self._auth.sign_out(entry.session.access_token)
            except Exception:  # noqa: BLE001 - an unreachable Supabase must not keep anyone signed in here
                log.warning("Supabase sign-out failed; the local session is closed anyway")

    def _lock(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())
