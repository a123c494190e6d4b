"""Wires settings to adapters and services, once per process.

Pages and web routes run in one process (st.App) and both call `get_context()`,
so they share the same store, storage and media engine.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from argon2 import PasswordHasher

from visio_core.auth import AccountService
from visio_core.config import Settings
from visio_core.media import MediaEngine, NoRoomEngine
from visio_core.meetings import MeetingService
from visio_core.store.sqlite import Database
from visio_core.store.sqlite_meetings import SqliteMeetingRepository
from visio_core.store.sqlite_users import SqliteUserRepository


@dataclass
class AppContext:
    settings: Settings
    db: Database
    storage: object
    engine: MediaEngine
    accounts: AccountService
    meetings: MeetingService


def build_context(
    settings: Settings,
    *,
    engine: MediaEngine | None = None,
    hasher: PasswordHasher | None = None,
) -> AppContext:
    from visio_core.storage.local import LocalStorage

    db = Database(settings.database_path)
    users = SqliteUserRepository(db)
    engine = engine or _build_engine(settings)
    return AppContext(
        settings=settings,
        db=db,
        storage=LocalStorage.from_settings(settings),
        engine=engine,
        accounts=AccountService(users, hasher or PasswordHasher()),
        meetings=MeetingService(SqliteMeetingRepository(db), users, engine),
    )


def _build_engine(settings: Settings) -> MediaEngine:
    """The media engine the settings ask for. Each engine's module adds its branch here."""
    return NoRoomEngine()


_lock = threading.Lock()
_context: AppContext | None = None


def get_context() -> AppContext:
    global _context
    with _lock:
        if _context is None:
            _context = build_context(Settings.load())
        return _context


def set_context(context: AppContext | None) -> None:
    """Tests install a context built on a temporary data dir."""
    global _context
    with _lock:
        _context = context
