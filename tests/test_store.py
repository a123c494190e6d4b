"""Embedded store: migrations from empty and re-run, pragmas, indexes, integrity."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from visio_core.adapters.sqlite.database import Database, _migrations, _split_statements, to_db_time
from visio_core.adapters.sqlite.downloads import SqliteDownloadQueue


def test_migrations_from_empty_then_rerun(tmp_path):
    db = Database(tmp_path / "v.sqlite3")
    first_version = db.schema_version()
    assert first_version >= 1
    assert db.migrate() == []  # nothing left to apply
    db.close()
    again = Database(tmp_path / "v.sqlite3")
    assert again.schema_version() == first_version
    rows = again.connection().execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0]
    assert rows == len(_migrations())


def test_pragmas_and_indexes(tmp_path):
    db = Database(tmp_path / "v.sqlite3")
    conn = db.connection()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    for expected in ("meetings_client_id", "meetings_operator_id", "meetings_status", "meetings_scheduled_at"):
        assert expected in indexes


def test_foreign_keys_and_checks_are_enforced(tmp_path):
    conn = Database(tmp_path / "v.sqlite3").connection()
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO meetings (id, client_id, operator_id, title, scheduled_at, status, created_at, updated_at) "
            "VALUES ('m', 'nobody', 'nobody', 't', 'x', 'scheduled', 'x', 'x')"
        )
    with pytest.raises(sqlite3.IntegrityError):  # an operator has no operator; a client needs one
        conn.execute(
            "INSERT INTO users (id, email, display_name, role, password_hash, created_at) "
            "VALUES ('u', 'u@x.io', 'u', 'client', 'h', 'x')"
        )


def test_concurrent_processes_migrate_once(tmp_path):
    path = tmp_path / "v.sqlite3"
    code = (
        "import sys; from pathlib import Path; from visio_core.adapters.sqlite.database import Database; "
        f"Database(Path({str(path)!r}))"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(4)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0, 0]
    db = Database(path)
    versions = [r[0] for r in db.connection().execute("SELECT version FROM schema_migrations")]
    assert versions == sorted(set(versions))


def test_a_process_opening_the_database_waits_while_another_sets_it_up(tmp_path):
    """Switching a new file to WAL from two processes at once fails at once with "database is
    locked" (about one start in sixty with four processes): set-up is one process at a time."""
    path = tmp_path / "v.sqlite3"
    code = f"from pathlib import Path; from visio_core.adapters.sqlite.database import Database; Database(Path({str(path)!r}))"
    held = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(held, fcntl.LOCK_EX)  # as a process in the middle of its migrations would
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 60
        while not path.exists():  # made just before the lock is asked for
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        time.sleep(1.0)
        assert proc.poll() is None  # still waiting
        tables = sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall()
        assert tables == []  # and it touched nothing
    finally:
        os.close(held)
    assert proc.wait(timeout=60) == 0
    assert Database(path).schema_version() > 0


def test_statement_splitter_refuses_a_truncated_migration():
    assert len(_split_statements("CREATE TABLE a (x);\n-- note\nCREATE TABLE b (y);\n")) == 2
    with pytest.raises(ValueError):
        _split_statements("CREATE TABLE a (x);\nCREATE TABLE b (")


def test_the_database_and_its_wal_files_are_private(tmp_path):
    """Password hashes and transcripts live there: owner read/write only, like the media files."""
    import stat

    from visio_core.adapters.sqlite.database import Database

    old = tmp_path / "old" / "visio.sqlite3"
    old.parent.mkdir()
    old.touch(mode=0o644)  # a database made by an earlier version
    for path in (tmp_path / "new" / "visio.sqlite3", old):
        db = Database(path)
        db.connection().execute("CREATE TABLE IF NOT EXISTS probe (x)")
        db.connection().execute("INSERT INTO probe VALUES (1)")
        files = [path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", ".lock"))]
        assert all(f.exists() for f in files)
        for f in files:
            assert stat.S_IMODE(os.stat(f).st_mode) == 0o600, f
        db.close()


def test_a_database_from_before_the_lease_column_rename_upgrades_keeping_its_leases(tmp_path):
    """openvidu_downloads.lease_until became lease_expires_at (0013): a lease held then is still held."""
    path = tmp_path / "old.sqlite3"
    older = [(v, sql) for v, sql in _migrations() if v < 13]
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
        for version, sql in older:
            for statement in _split_statements(sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations VALUES (?, 'then')", (version,))
        now = datetime.now(UTC)
        conn.execute(
            "INSERT INTO openvidu_downloads (recording_id, session_id, meeting_id, state, source, attempts, "
            "next_attempt_at, lease_owner, lease_until, created_at, updated_at) "
            "VALUES ('held', 's', ?, 'downloading', 'webhook', 1, ?, 'w1', ?, ?, ?)",
            (
                "00000000-0000-0000-0000-000000000001",
                *[to_db_time(t) for t in (now, now + timedelta(hours=1), now, now)],
            ),
        )
    db = Database(path)
    assert db.schema_version() >= 13
    columns = {r["name"] for r in db.connection().execute("PRAGMA table_info(openvidu_downloads)")}
    assert "lease_expires_at" in columns and "lease_until" not in columns
    queue = SqliteDownloadQueue(db)
    assert queue.claim("w2", now, timedelta(minutes=5)) is None  # still leased to w1
    assert queue.renew("held", "w1", now + timedelta(hours=2)) and not queue.renew("held", "w2", now)
