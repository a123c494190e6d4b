"""Operators' vocabularies in the embedded database (see services.ports.VocabularyStore)."""

from __future__ import annotations

import json
import uuid

from visio_core.adapters.sqlite.database import Database, to_db_time
from visio_core.domain.model import utcnow


class SqliteVocabularyStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, operator_id: uuid.UUID) -> list[str]:
        row = (
            self._db.connection()
            .execute("SELECT terms FROM vocabularies WHERE operator_id = ?", (str(operator_id),))
            .fetchone()
        )
        return [str(term) for term in json.loads(row["terms"])] if row else []

    def set(self, operator_id: uuid.UUID, terms: list[str]) -> None:
        self._db.connection().execute(
            "INSERT INTO vocabularies (operator_id, terms, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(operator_id) DO UPDATE SET terms = excluded.terms, updated_at = excluded.updated_at",
            (str(operator_id), json.dumps(terms, ensure_ascii=False), to_db_time(utcnow())),
        )
