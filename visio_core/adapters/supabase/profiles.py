"""People (Visio profiles) read over PostgREST with the signed-in user's JWT.

Row-level security shows a user himself, his operator, and (operator) his clients and analysts,
which is exactly what the pages need: the client picker and names on meetings.
"""

from __future__ import annotations

import uuid
from typing import Any

from postgrest import SyncPostgrestClient

from visio_core.adapters.supabase.rest import run
from visio_core.domain.model import Identity, Role, Tier

COLUMNS = "id,email,display_name,role,operator_id,tier"


def to_identity(row: dict[str, Any]) -> Identity:
    return Identity(
        id=uuid.UUID(row["id"]),
        email=row["email"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        operator_id=uuid.UUID(row["operator_id"]) if row.get("operator_id") else None,
        tier=Tier(row["tier"]) if row.get("tier") else None,
    )


class SupabaseProfiles:
    def __init__(self, user: SyncPostgrestClient) -> None:
        self._client = user

    def get(self, user_id: uuid.UUID) -> Identity | None:
        rows = run(self._client.from_("profiles").select(COLUMNS).eq("id", str(user_id)).limit(1)).data
        return to_identity(rows[0]) if rows else None

    def clients_of(self, operator: Identity) -> list[Identity]:
        scope = None if operator.role is Role.CLIENT else operator.scope_operator_id  # a client sees no peers
        if scope is None:
            return []
        rows = run(
            self._client.from_("profiles")
            .select(COLUMNS)
            .eq("role", Role.CLIENT.value)
            .eq("operator_id", str(scope))
            .order("display_name")
        ).data
        return [to_identity(r) for r in rows]
