"""Accounts and login throttling state in the embedded SQLite store."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime
from typing import cast

from visio_core.adapters.sqlite.database import Database, from_db_time, to_db_time
from visio_core.domain.model import Identity, Role, Tier
from visio_core.services.ports import LoginState


def _row_to_identity(row: sqlite3.Row) -> Identity:
    return Identity(
        id=uuid.UUID(row["id"]),
        email=row["email"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        operator_id=uuid.UUID(row["operator_id"]) if row["operator_id"] else None,
        tier=Tier(row["tier"]) if row["tier"] else None,
    )


_COLUMNS = "id, email, display_name, role, operator_id, tier"


class SqliteUserRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, identity: Identity, password_hash: str, now: datetime) -> None:
        self._db.connection().execute(
            "INSERT INTO users (id, email, display_name, role, operator_id, tier, password_hash, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(identity.id),
                identity.email,
                identity.display_name,
                identity.role.value,
                str(identity.operator_id) if identity.operator_id else None,
                identity.tier.value if identity.tier else None,
                password_hash,
                to_db_time(now),
            ),
        )

    def get(self, user_id: uuid.UUID) -> Identity | None:
        row = self._db.connection().execute(f"SELECT {_COLUMNS} FROM users WHERE id = ?", (str(user_id),)).fetchone()
        return _row_to_identity(row) if row else None

    def get_with_hash(self, email: str) -> tuple[Identity, str] | None:
        row = (
            self._db.connection()
            .execute(f"SELECT {_COLUMNS}, password_hash FROM users WHERE email = ?", (email,))
            .fetchone()
        )
        return (_row_to_identity(row), row["password_hash"]) if row else None

    def set_password_hash(self, user_id: uuid.UUID, password_hash: str) -> bool:
        cur = self._db.connection().execute(
            "UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, str(user_id))
        )
        return cur.rowcount == 1

    def list(self, *, role: Role | None = None, operator_id: uuid.UUID | None = None) -> list[Identity]:
        clauses, params = [], []
        if role is not None:
            clauses.append("role = ?")
            params.append(role.value)
        if operator_id is not None:
            clauses.append("operator_id = ?")
            params.append(str(operator_id))
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = (
            self._db.connection()
            .execute(f"SELECT {_COLUMNS} FROM users{where} ORDER BY role, display_name", params)
            .fetchall()
        )
        return [_row_to_identity(r) for r in rows]

    def count(self) -> int:
        return cast(int, self._db.connection().execute("SELECT COUNT(*) FROM users").fetchone()[0])

    # Throttling: failures are counted per key (the service's "email|address" and "|client|address"),
    # whether or not the account exists, so the lock-out itself reveals nothing. The column is
    # still named `email` (migration 0001); it holds these keys.
    def login_state(self, email: str) -> LoginState:
        row = (
            self._db.connection()
            .execute("SELECT failures, locked_until FROM login_attempts WHERE email = ?", (email,))
            .fetchone()
        )
        if not row:
            return LoginState(0, None)
        return LoginState(row["failures"], from_db_time(row["locked_until"]))

    def record_failure(self, email: str, now: datetime) -> int:
        """Count one more failure for `email`; returns the running count."""
        row = (
            self._db.connection()
            .execute(
                "INSERT INTO login_attempts (email, failures, updated_at) VALUES (?, 1, ?) "
                "ON CONFLICT(email) DO UPDATE SET failures = failures + 1, updated_at = excluded.updated_at "
                "RETURNING failures",
                (email, to_db_time(now)),
            )
            .fetchone()
        )
        return int(row[0])

    def lock(self, email: str, until: datetime) -> None:
        self._db.connection().execute(
            "UPDATE login_attempts SET locked_until = ? WHERE email = ?", (to_db_time(until), email)
        )

    def clear_failures(self, email: str) -> None:
        self._db.connection().execute("DELETE FROM login_attempts WHERE email = ?", (email,))
