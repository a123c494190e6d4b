"""The database functions of supabase/migrations, reimplemented for the strict PostgREST fake.

Their SQL (and its locking) is proven on real PostgreSQL in tests/postgres; these answer what
PostgREST would, and refuse callers the migration's grants refuse.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.supabase.fake_postgrest import FakePostgrest, _error

SERVICE_KEY = "service-role-key-for-tests"
VOCABULARY_COLUMNS = {"operator_id", "terms", "updated_at"}
SPEAKING_COLUMNS = {"meeting_id", "speaker", "kind", "at"}
DOWNLOAD_COLUMNS = {
    "recording_id",
    "session_id",
    "meeting_id",
    "state",
    "source",
    "attempts",
    "next_attempt_at",
    "lease_owner",
    "lease_until",
    "last_error",
    "created_at",
    "updated_at",
}


def claim_openvidu_download(fake: FakePostgrest, args: dict, request: httpx.Request) -> httpx.Response:
    """`claim_openvidu_download(worker, lease_seconds)`: executable by the service role only."""
    if request.headers["authorization"] != f"Bearer {SERVICE_KEY}":
        return _error(403, "42501", "permission denied for function claim_openvidu_download")
    if set(args) != {"worker", "lease_seconds"}:
        return _error(404, "PGRST202", "Could not find the function with these arguments")
    now = datetime.now(UTC)
    due = [
        r
        for r in fake.rows.get("openvidu_downloads", [])
        if (r["state"] == "pending" and datetime.fromisoformat(r["next_attempt_at"]) <= now)
        or (r["state"] == "downloading" and r["lease_until"] and datetime.fromisoformat(r["lease_until"]) <= now)
    ]
    if not due:
        return httpx.Response(200, json=[])
    row = min(due, key=lambda r: r["next_attempt_at"])
    row.update(
        state="downloading",
        lease_owner=args["worker"],
        attempts=row["attempts"] + 1,
        lease_until=(now + timedelta(seconds=args["lease_seconds"])).isoformat(),
        updated_at=now.isoformat(),
    )
    return httpx.Response(200, json=[dict(row)])


SUMMARY_COLUMNS = {
    "recording_id",
    "status",
    "attempts",
    "next_attempt_at",
    "lease_owner",
    "lease_expires_at",
    "last_error",
    "summary",
    "created_at",
    "updated_at",
}


def claim_summary_job(fake: FakePostgrest, args: dict, request: httpx.Request) -> httpx.Response:
    """`claim_summary_job(worker, lease_seconds)`: executable by the service role only."""
    if request.headers["authorization"] != f"Bearer {SERVICE_KEY}":
        return _error(403, "42501", "permission denied for function claim_summary_job")
    if set(args) != {"worker", "lease_seconds"}:
        return _error(404, "PGRST202", "Could not find the function with these arguments")
    now = datetime.now(UTC)
    due = [
        r
        for r in fake.rows.get("recording_summaries", [])
        if (r["status"] == "pending" and datetime.fromisoformat(r["next_attempt_at"]) <= now)
        or (
            r["status"] == "processing"
            and r["lease_expires_at"]
            and datetime.fromisoformat(r["lease_expires_at"]) < now
        )
    ]
    if not due:
        return httpx.Response(200, json=[])
    row = min(due, key=lambda r: r["next_attempt_at"])
    row.update(
        status="processing",
        lease_owner=args["worker"],
        attempts=row["attempts"] + 1,
        lease_expires_at=(now + timedelta(seconds=args["lease_seconds"])).isoformat(),
        updated_at=now.isoformat(),
    )
    return httpx.Response(200, json=[dict(row)])
