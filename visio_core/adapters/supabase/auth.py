"""Sign-in with Supabase Auth (GoTrue) through supabase-py's auth client.

The user's password goes to Supabase only; what comes back is his session (access token
for PostgREST and Storage, refresh token) and his profile row, read with his own token so
row-level security applies. Failed sign-ins all get the same message as the embedded
accounts (no user enumeration); an unreachable or misconfigured Supabase says so.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar, overload

import httpx
from supabase_auth import AuthResponse, SyncGoTrueClient
from supabase_auth.errors import AuthApiError, AuthError

from visio_core.adapters.supabase.meetings import user_client
from visio_core.adapters.supabase.profiles import SupabaseProfiles
from visio_core.domain.errors import AuthenticationFailed, BackendUnavailable
from visio_core.domain.i18n import t
from visio_core.domain.model import Identity

T = TypeVar("T")


@dataclass(frozen=True)
class SupabaseSession:
    identity: Identity
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: int  # unix time; refresh a little before


class SupabaseAuth:
    def __init__(self, supabase_url: str, anon_key: str, http: httpx.Client | None = None) -> None:
        self._url = supabase_url.rstrip("/")
        self._anon_key = anon_key
        self._http = http or httpx.Client(timeout=httpx.Timeout(15.0))
        # One stateless client for every user: sessions live in our web sessions, not in it.
        self._auth = SyncGoTrueClient(
            url=f"{self._url}/auth/v1",
            headers={"apikey": anon_key},
            http_client=self._http,
            auto_refresh_token=False,
            persist_session=False,
        )

    def sign_in(self, email: str, password: str) -> SupabaseSession:
        # 400/422: the credentials. 401 means the project refused our anon key: configuration.
        response = _call(
            lambda: self._auth.sign_in_with_password({"email": email.strip().lower(), "password": password}),
            user_errors=(400, 422),
            user_message="error.login_failed",
        )
        return self._session(response)

    def refresh(self, refresh_token: str) -> SupabaseSession:
        """A new session from a refresh token (single use: Supabase rotates it)."""
        # 400: unknown, revoked or already used refresh token.
        response = _call(
            lambda: self._auth.refresh_session(refresh_token), user_errors=(400,), user_message="error.session_expired"
        )
        return self._session(response)

    def sign_out(self, access_token: str) -> None:
        """Revoke the user's refresh tokens everywhere; an already invalid token is already signed out."""
        _call(lambda: self._auth.admin.sign_out(access_token, "global"), ignored=(401, 403, 404))

    def _session(self, response: AuthResponse) -> SupabaseSession:
        session = response.session
        if session is None or response.user is None:
            raise AuthenticationFailed(t("error.login_failed"))
        identity = self._profile(session.access_token, uuid.UUID(str(response.user.id)))
        return SupabaseSession(identity, session.access_token, session.refresh_token, int(session.expires_at or 0))

    def _profile(self, access_token: str, user_id: uuid.UUID) -> Identity:
        profiles = SupabaseProfiles(user_client(self._url, self._anon_key, access_token, http_client=self._http))
        try:
            identity = profiles.get(user_id)
        except (BackendUnavailable, httpx.HTTPError):
            raise BackendUnavailable(t("auth.backend_error", status="profiles")) from None
        if identity is None:
            # A Supabase user without a Visio profile may not use the dashboard.
            raise AuthenticationFailed(t("error.login_failed"))
        return identity


@overload
def _call(request: Callable[[], T], *, user_errors: tuple[int, ...] = (), user_message: str = "") -> T: ...
@overload
def _call(
    request: Callable[[], T], *, user_errors: tuple[int, ...] = (), user_message: str = "", ignored: tuple[int, ...]
) -> T | None: ...
def _call(
    request: Callable[[], T],
    *,
    user_errors: tuple[int, ...] = (),
    user_message: str = "",
    ignored: tuple[int, ...] = (),
) -> T | None:
    """One Auth call: statuses that are the user's doing → AuthenticationFailed, the rest → BackendUnavailable."""
    try:
        return request()
    except AuthApiError as error:
        if error.status in ignored:
            return None
        if error.status in user_errors:
            raise AuthenticationFailed(t(user_message)) from None
        if error.status == 429:  # Supabase Auth's own limit on sign-in attempts
            raise AuthenticationFailed(t("auth.rate_limited")) from None
        raise BackendUnavailable(t("auth.backend_error", status=error.status)) from None
    except (AuthError, httpx.HTTPError):
        raise BackendUnavailable(t("auth.backend_error", status="?")) from None
