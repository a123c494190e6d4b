"""What every PostgREST adapter shares: the client for one key, timestamps, error mapping."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from postgrest import SyncPostgrestClient
from postgrest.exceptions import APIError

from visio_core.domain.errors import BackendUnavailable
from visio_core.domain.i18n import t


def rest_client(supabase_url: str, apikey: str, bearer: str, **kwargs: Any) -> SyncPostgrestClient:
    """`apikey` picks the project's key (anon or service role); `bearer` is who acts (a user's JWT, or the service key)."""
    return SyncPostgrestClient(
        f"{supabase_url.rstrip('/')}/rest/v1",
        headers={
            "apikey": apikey,
            "Authorization": f"Bearer {bearer}",
            "Accept": "application/json",
            "Content-Type": "application/json",
        },
        **kwargs,
    )


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def run(query: Any) -> Any:
    """Execute; a PostgREST error becomes a user-facing BackendUnavailable (details stay out of the UI)."""
    try:
        return query.execute()
    except APIError as error:
        raise BackendUnavailable(t("storage.backend_error", status=error.code or "?")) from None
