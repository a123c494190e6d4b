"""Operators' vocabularies in the project's `vocabularies` table: a page writes its operator's own
(RLS: his JWT), workers read any with the service role."""

from __future__ import annotations

import uuid
from typing import Any

from postgrest import SyncPostgrestClient

from visio_core.adapters.supabase.rest import iso, run
from visio_core.domain.model import utcnow


class SupabaseVocabularyStore:
    def __init__(self, client: SyncPostgrestClient) -> None:
        self._client = client

    def get(self, operator_id: uuid.UUID) -> list[str]:
        rows = run(self._client.from_("vocabularies").select("terms").eq("operator_id", str(operator_id)).limit(1)).data
        return [str(term) for term in rows[0]["terms"]] if rows else []

    def set(self, operator_id: uuid.UUID, terms: list[str]) -> None:
        row: dict[str, Any] = {"operator_id": str(operator_id), "terms": terms, "updated_at": iso(utcnow())}
        run(self._client.from_("vocabularies").upsert(row, on_conflict="operator_id"))
