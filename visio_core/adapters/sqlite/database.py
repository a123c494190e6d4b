"""The embedded database: one SQLite file, WAL, foreign keys, versioned migrations.

One connection per thread (Streamlit runs each session's script in its own
thread; the worker and the web routes have theirs). Writes that must be atomic
go through `transaction()`, which takes the write lock up front (BEGIN IMMEDIATE)
so two writers never interleave a read-then-write.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import overload

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


@overload
def to_db_time(value: datetime) -> str: ...
@overload
def to_db_time(value: None) -> None: ...
@overload
def to_db_time(value: datetime | None) -> str | None: ...
def to_db_time(value: datetime | None) -> str | None:
    """Fixed-width UTC text, so string order is time order."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the store")
    return value.astimezone(UTC).strftime(_TIME_FORMAT)


@overload
def from_db_time(value: str) -> datetime: ...
@overload
def from_db_time(value: None) -> None: ...
@overload
def from_db_time(value: str | None) -> datetime | None: ...
def from_db_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    return datetime.strptime(value, _TIME_FORMAT).replace(tzinfo=UTC)


def _migrations() -> list[tuple[int, str]]:
    folder = resources.files("visio_core.adapters.sqlite") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text("utf-8")))
    return sorted(found)


def _private_file(path: Path) -> None:
    """The database holds password hashes and transcripts: owner-only, like the media files.

    SQLite gives its -wal and -shm files the database file's permissions, so creating the
    file 0600 (and tightening an older one) covers all three.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if name.exists():
            os.chmod(name, 0o600)


@contextmanager
def _one_process_at_a_time(lock_path: Path) -> Iterator[None]:
    """An OS lock on a side file, held until the block ends (released by the kernel if the process dies)."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


class Database:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        _private_file(self.path)
        self._local = threading.local()
        # The dashboard, its workers and the CLI open the same file at once, a new one on a first
        # start. Two connections switching a new file to WAL together get "database is locked" at
        # once: SQLite skips its busy handler where waiting could deadlock (1 start in 60 with four
        # processes). The first connection and the migrations run one process at a time.
        with _one_process_at_a_time(self.path.with_name(self.path.name + ".lock")):
            self.migrate()

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def schema_version(self) -> int:
        conn = self.connection()
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
        return int(row[0])

    def migrate(self) -> list[int]:
        """Apply the migrations not applied yet, each in its own transaction; returns their versions."""
        applied = []
        self.schema_version()  # creates the bookkeeping table
        for version, sql in _migrations():
            conn = self.connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                done = conn.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (version,)).fetchone()
                if done:
                    conn.execute("ROLLBACK")
                    continue
                for statement in _split_statements(sql):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)",
                    (version, to_db_time(datetime.now(UTC))),
                )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            applied.append(version)
        return applied

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def _split_statements(sql: str) -> list[str]:
    """Split a migration into statements (sqlite3 runs one at a time inside our transaction)."""
    statements, current = [], []
    for line in sql.splitlines():
        current.append(line)
        candidate = "\n".join(current)
        if sqlite3.complete_statement(candidate):
            if candidate.strip(" \n;"):
                statements.append(candidate)
            current = []
    leftover = "\n".join(current).strip()
    if leftover and not all(line.strip().startswith("--") for line in leftover.splitlines() if line.strip()):
        raise ValueError(f"incomplete statement in migration: {leftover[:80]}")
    return statements
