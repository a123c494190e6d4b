"""Signing in, who holds a browser session now, what he may use, and signing out.

Every sign-in opens one of the dashboard's own browser sessions (an HttpOnly cookie, see
BrowserSessions). Where the accounts live decides the rest:
- in the embedded store (`EmbeddedSessions`): AccountService checks the password, and every
  page uses the same services, which check each actor's rights themselves;
- at an outside provider, Supabase Auth (`ProviderBackedSessions`): the provider's session is
  kept per browser session, and a page's services act with the user's own access token, so
  the database's row-level security applies to everything he reads or writes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Generic, Protocol

from visio_core.domain.errors import AuthenticationFailed, InvalidInput
from visio_core.domain.i18n import t
from visio_core.domain.model import Identity
from visio_core.services.accounts import AccountService
from visio_core.services.meetings import MeetingService
from visio_core.services.ports import (
    AccountProvider,
    BrowserSessions,
    MediaEngine,
    OpenedSession,
    People,
    ProviderSessions,
    Session,
)
from visio_core.services.recordings import RecordingService
from visio_core.services.summaries import SummaryService
from visio_core.services.vocabulary import VocabularyService


class PageSettings(Protocol):
    """The settings a page reads (entrypoints/config.py's Settings has them)."""

    @property
    def default_language(self) -> str: ...
    @property
    def signed_url_ttl_seconds(self) -> int: ...


@dataclass
class UserScope:
    """What a page may use on behalf of one signed-in user."""

    settings: PageSettings
    engine: MediaEngine
    accounts: People
    meetings: MeetingService
    recordings: RecordingService
    vocabulary: VocabularyService
    summaries: SummaryService


class ScopeFactory(Protocol):
    """The services acting as the holder of a provider's access token (the composition root builds them)."""

    def __call__(self, access_token: str) -> UserScope: ...


class Sessions(Protocol):
    """What pages and routes ask about signed-in users, whichever store keeps the accounts."""

    def sign_in(self, email: str, password: str, client: str | None = None) -> tuple[Identity, OpenedSession]:
        """Check the credentials and open a browser session. `client`: the browser's address, for throttling."""
        ...

    def identity_of(self, user_id: uuid.UUID, key: str | None, token: str | None = None) -> Identity | None:
        """Who holds this browser session now; None once it was closed (sign-out in any tab) or his
        account says he may not. `token`: the cookie's value, when the request carries it."""
        ...

    def scope_for(self, identity: Identity, key: str | None) -> UserScope:
        """What this user may use; AuthenticationFailed when his session can no longer act for him."""
        ...

    def end(self, key: str | None) -> None:
        """Sign out: close the browser session (and the provider's, if any)."""
        ...


@dataclass
class EmbeddedSessions:
    """Accounts in the dashboard's own store."""

    accounts: AccountService
    browsers: BrowserSessions
    shared: UserScope  # the process's services: they check each actor's rights

    def sign_in(self, email: str, password: str, client: str | None = None) -> tuple[Identity, OpenedSession]:
        identity = self.accounts.authenticate(email, password, client)
        return identity, self.browsers.open_session(identity.id)

    def identity_of(self, user_id: uuid.UUID, key: str | None, token: str | None = None) -> Identity | None:
        if key is not None and not self.browsers.is_open(key):
            return None
        return self.accounts.get(user_id)

    def scope_for(self, identity: Identity, key: str | None) -> UserScope:
        return self.shared

    def end(self, key: str | None) -> None:
        self.browsers.close_key(key)


@dataclass
class ProviderBackedSessions(Generic[Session]):
    """Accounts at an outside provider: its session rides along each browser session."""

    auth: AccountProvider[Session]
    provider: ProviderSessions[Session]
    browsers: BrowserSessions
    scope_of: ScopeFactory

    def sign_in(self, email: str, password: str, client: str | None = None) -> tuple[Identity, OpenedSession]:
        # `client` is not counted here: the provider applies its own limits on attempts.
        if not (email or "").strip() or not password:
            raise InvalidInput(t("error.login_missing"))
        session = self.auth.sign_in(email, password)
        opened = self.browsers.open_session(session.identity.id, secret=session.refresh_token)
        self.provider.start(opened, session)
        return session.identity, opened

    def identity_of(self, user_id: uuid.UUID, key: str | None, token: str | None = None) -> Identity | None:
        session = self.provider.current(key, token) if key else None
        return session.identity if session is not None and session.identity.id == user_id else None

    def scope_for(self, identity: Identity, key: str | None) -> UserScope:
        session = self.provider.current(key) if key else None
        if session is None or session.identity.id != identity.id:
            raise AuthenticationFailed(t("error.session_expired"))
        return self.scope_of(session.access_token)

    def end(self, key: str | None) -> None:
        self.provider.end(key)
        self.browsers.close_key(key)
