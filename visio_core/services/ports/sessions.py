"""Ports of browser sessions: the embedded store's sessions and an account provider's (Supabase Auth)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from visio_core.domain.model import (
    Identity,
)

# -- browser sessions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenedSession:
    """A browser session just opened for a signed-in user."""

    claim: str  # one-time code the browser exchanges for its cookie
    key: str  # the session's id on the server (hash of the token)
    token: str = field(repr=False)  # the cookie's value: kept in server memory only


class SessionSecrets(Protocol):
    """The backend secret (Supabase's refresh token) a browser session carries, sealed under its cookie."""

    def secret(self, token: str) -> str | None: ...
    def set_secret(self, token: str, secret: str) -> bool: ...


class BrowserSessions(Protocol):
    """The dashboard's own sign-ins, one per browser (its HttpOnly cookie), wherever the accounts live."""

    def open_session(self, user_id: uuid.UUID, secret: str | None = None) -> OpenedSession:
        """A new session for a user who just signed in; `secret` (a provider's refresh token) is sealed in it."""
        ...

    def is_open(self, key: str) -> bool: ...
    def close_key(self, key: str | None) -> None: ...


class ProviderSession(Protocol):
    """A user's session at an outside account provider (Supabase Auth)."""

    @property
    def identity(self) -> Identity: ...
    @property
    def access_token(self) -> str: ...
    @property
    def refresh_token(self) -> str: ...


Session = TypeVar("Session", bound=ProviderSession)
Session_co = TypeVar("Session_co", bound=ProviderSession, covariant=True)


class AccountProvider(Protocol[Session_co]):
    """Where the accounts live when the dashboard does not keep them: checks credentials itself
    (with its own limits on attempts)."""

    def sign_in(self, email: str, password: str) -> Session_co:
        """AuthenticationFailed for wrong credentials, BackendUnavailable when it does not answer."""
        ...


class ProviderSessions(Protocol[Session]):
    """The provider's live session behind each browser session key, renewed before it expires."""

    def start(self, opened: OpenedSession, session: Session) -> None: ...

    def current(self, key: str, token: str | None = None) -> Session | None:
        """The session with a valid access token; None once it cannot be renewed. `token` (the
        cookie's value) lets a session this process has not seen resume from its sealed secret."""
        ...

    def end(self, key: str | None) -> None:
        """Forget it here and revoke it at the provider."""
        ...
